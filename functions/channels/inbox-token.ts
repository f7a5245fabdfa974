/**
 * Inbox tokens: what the shop's site sends with each inbox request (`Authorization: Bearer <token>`), minted
 * by the shop's backend for the signed-in user, so that a browser can read that user's messages and no
 * other's. A token is `<payload>.<mac>`, both base64url: the payload is the JSON `{"sub": userId, "exp":
 * expiresAt}` (Unix seconds), the MAC the HMAC-SHA256 of the payload's text keyed with the inbox secret,
 * which Nudge keeps and shares with the shop's backend alone (docs/channels/inbox.md has the 10-line
 * minting example). Verifying recomputes the MAC and compares in constant time, then checks the expiry
 * and that the token is short-lived: a token good for more than MAX_TOKEN_SECONDS is refused, so that a
 * leaked one is worth little.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface InboxClaim {
  userId: string;
  /** Unix seconds after which the token is refused. */
  expiresAt: number;
}

export type InboxTokenResult = { ok: true; claim: InboxClaim } | { ok: false; reason: string };

/** The longest a token may be good for, from now: a day (the documented example mints 15 minutes). */
export const MAX_TOKEN_SECONDS = 24 * 3600;

const mac = (secret: string, payload: string) => createHmac("sha256", secret).update(payload).digest();

/** A token as the shop's backend mints it (for tests and the local console; the docs show the same in 10 lines). */
export function signInboxToken(secret: string, claim: InboxClaim): string {
  const payload = Buffer.from(JSON.stringify({ sub: claim.userId, exp: claim.expiresAt })).toString("base64url");
  return `${payload}.${mac(secret, payload).toString("base64url")}`;
}

function claimOf(payload: string): InboxClaim | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof fields !== "object" || fields === null) return undefined;
  const { sub, exp } = fields as Record<string, unknown>;
  if (typeof sub !== "string" || sub === "" || typeof exp !== "number" || !Number.isInteger(exp)) return undefined;
  return { userId: sub, expiresAt: exp };
}

export function verifyInboxToken(secret: string, token: string, now: number): InboxTokenResult {
  const parts = token.split(".");
  if (parts.length !== 2 || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) {
    return { ok: false, reason: "the token is malformed" };
  }
  const [payload = "", given = ""] = parts;
  const expected = mac(secret, payload);
  const presented = Buffer.from(given, "base64url");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return { ok: false, reason: "the token is not valid (altered, or not signed with the inbox secret)" };
  }
  const claim = claimOf(payload);
  if (claim === undefined) return { ok: false, reason: "the token is malformed" };
  const seconds = Math.floor(now / 1000);
  if (seconds > claim.expiresAt) return { ok: false, reason: "the token has expired" };
  if (claim.expiresAt - seconds > MAX_TOKEN_SECONDS) {
    return { ok: false, reason: `the token is good for more than ${MAX_TOKEN_SECONDS} seconds: mint short-lived ones` };
  }
  return { ok: true, claim };
}
