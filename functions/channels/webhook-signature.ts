/**
 * Webhook signatures as Standard Webhooks defines them (docs/channels.md, "The webhook contract"): the headers
 * `webhook-id` (the message id, the same on every retry), `webhook-timestamp` (Unix seconds) and
 * `webhook-signature: v1,<base64>`, the HMAC-SHA256 of `<id>.<timestamp>.<body>` keyed with the secret's bytes.
 * A receiver verifies with the `standardwebhooks` library (or any of the spec's), or with
 * `verifyWebhookSignature` below, which needs only `node:crypto` and can be copied as is.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 *
 * The secret setting holds one secret, or several separated by spaces while one is rotated: every request is
 * then signed with each (`v1,<a> v1,<b>`), so a receiver holding either verifies it.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SIGNATURE_VERSION = "v1";
/** The prefix of a Standard Webhooks secret: `whsec_` and the key, base64. */
export const SECRET_PREFIX = "whsec_";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A secret's key bytes: after an optional `whsec_`, the base64 the spec writes; a value that is not base64 (a
 * secret set before Nudge signed this way) is taken as its UTF-8 bytes, as the libraries' `format: "raw"` does.
 */
export function secretKey(secret: string): Buffer {
  const text = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return BASE64.test(text) && text.length % 4 === 0 ? Buffer.from(text, "base64") : Buffer.from(text, "utf8");
}

/** A new secret as the spec writes one: `whsec_` and 24 random bytes, base64. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString("base64")}`;
}

/** The secrets of a setting: one, or several separated by whitespace during a rotation. */
export function secretsOf(setting: string): string[] {
  return setting.split(/\s+/).filter((secret) => secret !== "");
}

function signatureOf(key: Buffer, signed: { id: string; timestamp: number; body: string }): string {
  return createHmac("sha256", key).update(`${signed.id}.${signed.timestamp}.${signed.body}`).digest("base64");
}

/** The `webhook-signature` value: `v1,<base64>` for each secret of the setting, separated by spaces. */
export function signWebhook(setting: string, signed: { id: string; timestamp: number; body: string }): string {
  return secretsOf(setting)
    .map((secret) => `${SIGNATURE_VERSION},${signatureOf(secretKey(secret), signed)}`)
    .join(" ");
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * Checks a webhook request as a receiver does: one of the `webhook-signature` values must be `v1,` and the HMAC
 * of `<id>.<timestamp>.<body>` under the secret (compared in constant time), and the timestamp within
 * `toleranceSeconds` (default 300) of now.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { id: string; timestamp: string | number; signature: string },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): VerifyResult {
  const seconds = typeof headers.timestamp === "number" ? headers.timestamp : Number(headers.timestamp);
  if (!Number.isInteger(seconds)) return { ok: false, reason: "the timestamp is not Unix seconds" };
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - seconds) > (options.toleranceSeconds ?? 300)) {
    return { ok: false, reason: "the timestamp is outside the tolerance" };
  }
  const expected = Buffer.from(signatureOf(secretKey(secret), { id: headers.id, timestamp: seconds, body }));
  for (const value of headers.signature.split(" ")) {
    const [version, signature = ""] = value.split(",", 2);
    const given = Buffer.from(signature);
    if (version === SIGNATURE_VERSION && given.length === expected.length && timingSafeEqual(given, expected)) {
      return { ok: true };
    }
  }
  return { ok: false, reason: "no signature matches" };
}
