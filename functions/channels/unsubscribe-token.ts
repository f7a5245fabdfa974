/**
 * Unsubscribe tokens: what an unsubscribe link carries, so that the link itself proves which user and
 * channel it unsubscribes, and until when. A token is `<payload>.<mac>`, both base64url: the payload is
 * the JSON `[userId, channel, expiresAt]` (expiresAt in Unix seconds), the MAC the HMAC-SHA256 of the
 * payload's text keyed with the unsubscribe secret. Verifying recomputes the MAC and compares in constant
 * time (crypto.timingSafeEqual), then checks the expiry: a tampered, foreign (another secret), malformed or
 * expired token is refused with a plain reason, and nothing is unsubscribed.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface UnsubscribeClaim {
  userId: string;
  /** The channel to unsubscribe from; `*` is every marketing channel. */
  channel: string;
  /** Unix seconds after which the token is refused. */
  expiresAt: number;
}

export type TokenResult = { ok: true; claim: UnsubscribeClaim } | { ok: false; reason: string };

/** How long a link in a message stays good by default: RFC 8058 asks that it keep working for a while. */
export const DEFAULT_TOKEN_DAYS = 60;

const mac = (secret: string, payload: string) => createHmac("sha256", secret).update(payload).digest();

export function signUnsubscribeToken(secret: string, claim: UnsubscribeClaim): string {
  const payload = Buffer.from(JSON.stringify([claim.userId, claim.channel, claim.expiresAt])).toString("base64url");
  return `${payload}.${mac(secret, payload).toString("base64url")}`;
}

export function verifyUnsubscribeToken(secret: string, token: string, now: number = Date.now()): TokenResult {
  const parts = token.split(".");
  if (parts.length !== 2 || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) {
    return { ok: false, reason: "the link is malformed" };
  }
  const [payload = "", given = ""] = parts;
  const expected = mac(secret, payload);
  const presented = Buffer.from(given, "base64url");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return { ok: false, reason: "the link is not valid (altered, or not issued by this service)" };
  }
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "the link is malformed" };
  }
  if (
    !Array.isArray(fields) ||
    fields.length !== 3 ||
    typeof fields[0] !== "string" ||
    fields[0] === "" ||
    typeof fields[1] !== "string" ||
    fields[1] === "" ||
    !Number.isInteger(fields[2])
  ) {
    return { ok: false, reason: "the link is malformed" };
  }
  const claim: UnsubscribeClaim = { userId: fields[0], channel: fields[1], expiresAt: fields[2] as number };
  if (Math.floor(now / 1000) > claim.expiresAt) return { ok: false, reason: "the link has expired" };
  return { ok: true, claim };
}
