/**
 * The webhook signature scheme (docs/channels.md, "The webhook contract"): `X-Nudge-Signature: v1=<hex>` where `<hex>` is the
 * HMAC-SHA256, keyed with the shared secret, of `<timestamp>.<body>`: the `X-Nudge-Timestamp` header
 * (Unix seconds) and the raw request body, joined by a dot. Signing the timestamp with the body lets a
 * receiver refuse a replayed request once it is older than its tolerance.
 *
 * `verifyWebhookSignature` is what a receiver runs; it needs only `node:crypto`, so it can be copied as is.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_VERSION = "v1";

/** The `X-Nudge-Signature` value for a body sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const digest = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `${SIGNATURE_VERSION}=${digest}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * Checks a webhook request: the signature must be `v1=` and the HMAC of `<timestamp>.<body>` (compared in
 * constant time), and the timestamp within `toleranceSeconds` (default 300) of now.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number,
  body: string,
  signature: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): VerifyResult {
  const seconds = typeof timestamp === "number" ? timestamp : Number(timestamp);
  if (!Number.isInteger(seconds)) return { ok: false, reason: "the timestamp is not Unix seconds" };
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - seconds) > (options.toleranceSeconds ?? 300)) {
    return { ok: false, reason: "the timestamp is outside the tolerance" };
  }
  const prefix = `${SIGNATURE_VERSION}=`;
  if (!signature.startsWith(prefix)) return { ok: false, reason: "the signature is not a v1 signature" };
  const given = Buffer.from(signature.slice(prefix.length), "hex");
  const expected = createHmac("sha256", secret).update(`${seconds}.${body}`).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "the signature does not match" };
  }
  return { ok: true };
}
