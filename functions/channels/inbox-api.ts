/**
 * The inbox API's logic, the same on AWS (a Lambda function URL, functions/handlers/inbox-api.ts) and locally
 * (the `/inbox/` paths of the local platform's port). The shop's site calls it from the browser:
 *
 * - `GET /inbox/messages?placement=popup:order-page`: the user's messages showing there now, highest
 *   priority first (expired, dismissed and redeemed-coupon messages left out);
 * - `POST /inbox/messages/<id>/seen|clicked|dismissed`: the user saw, clicked or dismissed one; each becomes
 *   an `inbox.message_<action>` event on Nudge's bus, which journeys use as goals or exits; a dismissed
 *   message no longer shows.
 *
 * Every request carries `Authorization: Bearer <token>`, a short-lived token the shop's backend minted for
 * the user (inbox-token.ts): it names the one user whose messages the request reaches. A browser's requests
 * from another origin than the shop's (`origins`) are refused; the shop's get the CORS headers
 * (https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS), and a preflight (OPTIONS) is answered
 * without a token. Each user has a rate limit (rate-limit.ts): past it, a 429 with `Retry-After`.
 */

import { PLACEMENT } from "../language/placement.ts";
import type { InboxMessage, InboxStore } from "../runtime/ports.ts";
import { formatInstant } from "../shared/time.ts";
import { verifyInboxToken } from "./inbox-token.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { SecretSource } from "./secret.ts";

export interface InboxRequest {
  method: string;
  /** The path, without the query: `/inbox/messages`, `/inbox/messages/<id>/seen`. */
  path: string;
  query: Record<string, string | undefined>;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
}

export interface InboxResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const INBOX_ACTIONS = ["seen", "clicked", "dismissed"] as const;
export type InboxAction = (typeof INBOX_ACTIONS)[number];

/** The detail of an `inbox.message_<action>` event (events/details.ts). */
export interface InboxActionDetail {
  userId: string;
  messageId: string;
  placement: string;
  journeyId: string;
  journeyVersion: number;
  couponId?: string;
}

export interface InboxApiDependencies {
  store: InboxStore;
  secret: SecretSource;
  /** Publishes an `inbox.message_<action>` event; it has been accepted when this resolves. */
  publish: (detailType: `inbox.message_${InboxAction}`, detail: InboxActionDetail) => Promise<void>;
  /** The shop's origins (`https://shop.example`) whose pages may call the API; `*` allows any. */
  origins: readonly string[];
  limiter: RateLimiter;
  clock: () => number;
}

/** The `source` of the events the inbox API publishes. */
export const INBOX_SOURCE = "nudge.inbox";

/** A user's requests a minute, after a burst, per instance, unless configured otherwise. */
export const DEFAULT_INBOX_RATE = { perMinute: 60, burst: 20 } as const;

/** Messages a GET returns at most. */
export const MAX_MESSAGES = 10;

const ACTION_PATH = /^\/inbox\/messages\/([^/]+)\/(seen|clicked|dismissed)$/;

/** What the shop's page gets of a message: what it shows, and what it reports back. */
function shown(message: InboxMessage) {
  const { id, placement, priority, expiresAt, locale, title, text, couponId } = message;
  return {
    id,
    placement,
    priority,
    expiresAt,
    locale,
    ...(title === undefined ? {} : { title }),
    text,
    ...(couponId === undefined ? {} : { couponId }),
  };
}

function corsHeaders(origin: string | undefined, origins: readonly string[]): Record<string, string> | undefined {
  if (origin === undefined) return {};
  if (!origins.includes("*") && !origins.includes(origin)) return undefined;
  return { "access-control-allow-origin": origin, vary: "Origin" };
}

function json(status: number, body: unknown, headers: Record<string, string>): InboxResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

/** A path segment's message id; undefined when its percent-encoding is broken (`%E0%A4%A`). */
function decodedId(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const bearer = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];

export async function handleInboxRequest(request: InboxRequest, deps: InboxApiDependencies): Promise<InboxResponse> {
  const cors = corsHeaders(request.headers.origin, deps.origins);
  if (cors === undefined) return json(403, { error: "this origin may not call the inbox API" }, { vary: "Origin" });
  const method = request.method.toUpperCase();
  if (method === "OPTIONS") {
    return {
      status: 204,
      headers: {
        ...cors,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "authorization, content-type",
        "access-control-max-age": "600",
      },
      body: "",
    };
  }
  const token = bearer(request.headers.authorization);
  if (token === undefined) return json(401, { error: "expected Authorization: Bearer <token>" }, cors);
  const verified = verifyInboxToken(await deps.secret(), token, deps.clock());
  if (!verified.ok) return json(401, { error: verified.reason }, cors);
  const { userId } = verified.claim;
  const rate = deps.limiter.take(userId);
  if (!rate.allowed) {
    return json(429, { error: "too many requests" }, { ...cors, "retry-after": String(rate.retryAfterSeconds) });
  }
  if (request.path === "/inbox/messages") {
    if (method !== "GET") return json(405, { error: "expected GET" }, { ...cors, allow: "GET, OPTIONS" });
    return listMessages(userId, request.query.placement, { deps, cors });
  }
  const action = ACTION_PATH.exec(request.path);
  if (action === null) return json(404, { error: "no such path" }, cors);
  if (method !== "POST") return json(405, { error: "expected POST" }, { ...cors, allow: "POST, OPTIONS" });
  const messageId = decodedId(action[1] ?? "");
  if (messageId === undefined) return json(400, { error: "the message id is not valid percent-encoding" }, cors);
  return recordAction({ userId, messageId, action: action[2] as InboxAction }, { deps, cors });
}

async function listMessages(
  userId: string,
  placement: string | undefined,
  of: { deps: InboxApiDependencies; cors: Record<string, string> },
): Promise<InboxResponse> {
  if (placement === undefined || !PLACEMENT.test(placement)) {
    return json(400, { error: 'expected ?placement=<kind>:<place>, such as "popup:order-page"' }, of.cors);
  }
  const now = of.deps.clock();
  const messages = await of.deps.store.currentInboxMessages({ userId, placement, now, limit: MAX_MESSAGES });
  return json(200, { messages: messages.map(shown) }, of.cors);
}

async function recordAction(
  what: { userId: string; messageId: string; action: InboxAction },
  of: { deps: InboxApiDependencies; cors: Record<string, string> },
): Promise<InboxResponse> {
  const { userId, messageId, action } = what;
  // The user's own partition only: another user's message id is no message of this user's.
  const message = await of.deps.store.getInboxMessage(userId, messageId);
  if (message === undefined) return json(404, { error: "no such message" }, of.cors);
  const detail: InboxActionDetail = {
    userId,
    messageId,
    placement: message.placement,
    journeyId: message.journeyId,
    journeyVersion: message.journeyVersion,
    ...(message.couponId === undefined ? {} : { couponId: message.couponId }),
  };
  // The event first: a dismissal whose event failed is tried again by the page, and shows until then.
  await of.deps.publish(`inbox.message_${action}`, detail);
  if (action === "dismissed")
    await of.deps.store.dismissInboxMessage(userId, messageId, formatInstant(of.deps.clock()));
  return json(202, { accepted: `inbox.message_${action}` }, of.cors);
}
