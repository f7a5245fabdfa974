/**
 * The unsubscribe endpoint's logic, the same on AWS (a Lambda function URL, functions/handlers/unsubscribe.ts)
 * and locally (the `/unsubscribe` path of the local EventBridge endpoint): a link `…?token=<token>` from a
 * message (unsubscribe-token.ts).
 *
 * - GET shows a plain page with a button, and changes nothing: mail scanners and link previews fetch
 *   links, and must not unsubscribe anyone.
 * - POST with the body `List-Unsubscribe=One-Click` (RFC 8058's one-click request, which mail clients
 *   send; the page's button sends the same) records the unsubscribe: a `user.unsubscribed` event with the
 *   token's user and channel, published to the event bus, where it updates the user's consent as any
 *   other event does. https://www.rfc-editor.org/rfc/rfc8058#section-3.2
 * - A bad or expired token is a 400 with the plain reason, and nothing is published.
 */
import type { SecretSource } from "./secret.ts";
import { verifyUnsubscribeToken } from "./unsubscribe-token.ts";

export interface UnsubscribeRequest {
  method: string;
  /** The `token` query parameter. */
  token: string | undefined;
  /** The request body, decoded (application/x-www-form-urlencoded). */
  body: string;
}

export interface UnsubscribeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The detail of a `user.unsubscribed` event (events/details.ts): no channel means every channel. */
export type UnsubscribedDetail = { userId: string; channel?: string };

export interface UnsubscribeDependencies {
  secret: SecretSource;
  /** Publishes the `user.unsubscribed` event; it has been accepted when this resolves. */
  publish: (detail: UnsubscribedDetail) => Promise<void>;
  clock?: () => number;
}

const ONE_CLICK = "List-Unsubscribe=One-Click";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, content: string): UnsubscribeResponse {
  const body = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>\n<body><h1>${title}</h1>\n${content}\n</body></html>\n`;
  return {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    },
    body,
  };
}

function plain(status: number, text: string, extra: Record<string, string> = {}): UnsubscribeResponse {
  return { status, headers: { "content-type": "text/plain; charset=utf-8", ...extra }, body: `${text}\n` };
}

const channelName = (channel: string) => (channel === "*" ? "all marketing" : channel);

/** Whether a form body holds `List-Unsubscribe=One-Click` (RFC 8058). */
function isOneClick(body: string): boolean {
  return new URLSearchParams(body).get("List-Unsubscribe") === "One-Click";
}

export async function handleUnsubscribe(
  request: UnsubscribeRequest,
  deps: UnsubscribeDependencies,
): Promise<UnsubscribeResponse> {
  const method = request.method.toUpperCase();
  if (method !== "GET" && method !== "POST") return plain(405, "Method not allowed.", { allow: "GET, POST" });
  if (request.token === undefined || request.token === "") {
    return plain(400, "This unsubscribe link cannot be used: it has no token.");
  }
  const verified = verifyUnsubscribeToken(await deps.secret(), request.token, (deps.clock ?? Date.now)());
  if (!verified.ok) return plain(400, `This unsubscribe link cannot be used: ${verified.reason}.`);
  const { userId, channel } = verified.claim;
  if (method === "GET") {
    const action = `?token=${encodeURIComponent(request.token)}`;
    return page(
      200,
      "Unsubscribe",
      `<p>Stop receiving ${escapeHtml(channelName(channel))} messages from us?</p>\n<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
  }
  if (!isOneClick(request.body)) return plain(400, `Expected the body ${ONE_CLICK}.`);
  await deps.publish(channel === "*" ? { userId } : { userId, channel });
  return page(
    200,
    "Unsubscribed",
    `<p>You will receive no more ${escapeHtml(channelName(channel))} messages from us.</p>`,
  );
}
