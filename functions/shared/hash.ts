/**
 * Deterministic randomness: the engine never calls Math.random. Holdout membership, split variants,
 * coupon ids and codes are hashes of stable ids, so a retry, a replay or a simulation decides the same.
 * cyrb53 (public domain): a fast 53-bit string hash with good avalanche, not a cryptographic one.
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A number in [0, 1) drawn from the text: the same text, the same number. */
export function unitInterval(text: string): number {
  return hash53(text) / 2 ** 53;
}

const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"; // no 0/O, 1/I: codes are typed by people

/** A short human-typable code drawn from the text. */
export function hashCode(text: string, length: number): string {
  let value = hash53(text);
  let second = hash53(text, 1);
  let code = "";
  for (let i = 0; i < length; i++) {
    code += codeAlphabet[value % 32];
    value = Math.floor(value / 32);
    if (value === 0) [value, second] = [second, hash53(text, i + 2)];
  }
  code.charCodeAt(0); // flatten the concatenation: codes are kept in run records (see time.ts `flat`)
  return code;
}
