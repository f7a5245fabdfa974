import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../functions/channels/rate-limit.ts";

describe("the per-user rate limiter", () => {
  it("refills a user's bucket with time, up to the burst, and says when the next request may come", () => {
    // Prepare: a burst of 2, then 30 a minute (one every 2 s)
    const clock = { now: 0 };
    const limiter = new RateLimiter({ perMinute: 30, burst: 2, clock: () => clock.now });

    // Act
    const first = [limiter.take("u_1"), limiter.take("u_1"), limiter.take("u_1")];
    clock.now += 2_000;
    const refilled = limiter.take("u_1");
    clock.now += 600_000;
    const afterLongPause = [limiter.take("u_1"), limiter.take("u_1"), limiter.take("u_1")];

    // Assess: a long pause refills to the burst, no more
    expect(first).toEqual([{ allowed: true }, { allowed: true }, { allowed: false, retryAfterSeconds: 2 }]);
    expect(refilled).toEqual({ allowed: true });
    expect(afterLongPause.map((d) => d.allowed)).toEqual([true, true, false]);
  });

  it("forgets the least recently seen user past its memory, who then starts with a full burst", () => {
    // Prepare: room for two users; u_1 spends its burst
    const limiter = new RateLimiter({ perMinute: 1, burst: 1, clock: () => 0, maxKeys: 2 });
    limiter.take("u_1");

    // Act: two more users push u_1 out
    const spent = limiter.take("u_1");
    limiter.take("u_2");
    limiter.take("u_3");
    const forgotten = limiter.take("u_1");

    // Assess
    expect(spent.allowed).toBe(false);
    expect(forgotten.allowed).toBe(true);
  });
});
