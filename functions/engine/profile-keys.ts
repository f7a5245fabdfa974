import { hash53 } from "../shared/hash.ts";

/**
 * The business keys a profile has counted (orders by `orderId`, refunds by `refundId` or `orderId`), kept
 * as short digests in one string on the profile, so that a redelivery, a redrive or an archive replay of
 * an order at any lateness counts nothing twice, with no extra item, read or write: the profile's own
 * conditional write checks and records the key at once.
 *
 * Size: 8 characters (48 bits) a key, the oldest forgotten past MAX_COUNTED_KEYS, so the digests add at
 * most 16 KB to a profile (DynamoDB items are at most 400 KB and each KB written costs a write unit;
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items).
 * Two keys of one user share a digest with odds of about n²/2^49: under one in a hundred million for a
 * user with a thousand orders; such a second order would go uncounted.
 */

/** Characters of one digest: 8 base-64 digits, 48 bits. */
export const DIGEST_LENGTH = 8;

/** The keys remembered per profile: the latest 2,048 orders and refunds (16 KB of digests). */
export const MAX_COUNTED_KEYS = 2048;

const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The 8-character digest of a business key. */
export function keyDigest(key: string): string {
  let value = hash53(key);
  let digest = "";
  for (let i = 0; i < DIGEST_LENGTH; i++) {
    digest += DIGITS[value % 64];
    value = Math.floor(value / 64);
  }
  return digest;
}

/** Whether the digests hold the key's (compared at digest boundaries only). */
export function remembersKey(digests: string | undefined, key: string): boolean {
  if (digests === undefined) return false;
  const digest = keyDigest(key);
  for (let at = digests.indexOf(digest); at !== -1; at = digests.indexOf(digest, at + 1)) {
    if (at % DIGEST_LENGTH === 0) return true;
  }
  return false;
}

/** The digests with the key's added, the oldest dropped beyond MAX_COUNTED_KEYS. */
export function rememberKey(digests: string | undefined, key: string): string {
  const all = (digests ?? "") + keyDigest(key);
  const excess = all.length - MAX_COUNTED_KEYS * DIGEST_LENGTH;
  return excess > 0 ? all.slice(excess) : all;
}
