/**
 * A token bucket per key (a user), in the memory of one instance: each key may make `burst` requests at
 * once and `perMinute` a minute after that. On AWS every instance of the inbox function has its own
 * buckets, so the whole limit is this times the instances, which the function's reserved concurrency caps
 * (lib/inbox.ts). The oldest keys are forgotten past `maxKeys`, so that a flood of users costs bounded memory.
 */

export interface RateLimitOptions {
  perMinute: number;
  burst: number;
  clock: () => number;
  /** Keys remembered at most (default 10,000). */
  maxKeys?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  take(key: string): RateDecision {
    const { perMinute, burst, clock } = this.options;
    const now = clock();
    const bucket = this.buckets.get(key);
    const refilled =
      bucket === undefined ? burst : Math.min(burst, bucket.tokens + ((now - bucket.at) / 60_000) * perMinute);
    // Re-inserted: a Map keeps insertion order, so the first key is the one least recently used.
    this.buckets.delete(key);
    if (refilled < 1) {
      this.buckets.set(key, { tokens: refilled, at: now });
      return { allowed: false, retryAfterSeconds: Math.ceil(((1 - refilled) / perMinute) * 60) };
    }
    this.buckets.set(key, { tokens: refilled - 1, at: now });
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return { allowed: true };
  }
}
