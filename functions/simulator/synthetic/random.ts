/** mulberry32: a small, fast 32-bit PRNG (public domain). Returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A well-mixed 32-bit seed from the stream's seed and a user number (murmur3's finaliser). */
export function seedFor(seed: number, n: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Random draws of one user (or of the shop), over one mulberry32 stream. */
export class Draw {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  between(low: number, high: number): number {
    return low + this.next() * (high - low);
  }
  pick<T>(items: readonly [T, ...T[]]): T {
    return items[Math.floor(this.next() * items.length)] ?? items[0];
  }
  /** A random UUID (version 4 layout), as EventBridge gives events. */
  uuid(): string {
    const hex = (bits: number, digits: number) =>
      Math.floor(this.next() * 2 ** bits)
        .toString(16)
        .padStart(digits, "0");
    const variant = (8 + Math.floor(this.next() * 4)).toString(16);
    return `${hex(32, 8)}-${hex(16, 4)}-4${hex(12, 3)}-${variant}${hex(12, 3)}-${hex(24, 6)}${hex(24, 6)}`;
  }
}
