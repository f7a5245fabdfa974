import { describe, expect, it } from "vitest";
import { hash53, hashCode, unitInterval } from "../../functions/shared/hash.ts";

describe("deterministic randomness", () => {
  it("gives the same value for the same text and different ones otherwise", () => {
    // Act / Assess
    expect(hash53("holdout/dormancy-reactivation/u-1")).toBe(hash53("holdout/dormancy-reactivation/u-1"));
    expect(hash53("a")).not.toBe(hash53("b"));
  });

  it("spreads users evenly enough for a 10% holdout", () => {
    // Prepare
    const users = Array.from({ length: 20_000 }, (_, i) => `u-${i}`);
    // Act
    const held = users.filter((u) => unitInterval(`holdout/j/${u}`) < 0.1).length;
    // Assess: 10% of 20,000 is 2,000; the binomial standard deviation is about 42.
    expect(held).toBeGreaterThan(1850);
    expect(held).toBeLessThan(2150);
  });

  it("makes typable codes without 0, O, 1 or I", () => {
    // Act
    const codes = Array.from({ length: 500 }, (_, i) => hashCode(`run-${i}/coupon`, 8));
    // Assess
    for (const code of codes) expect(code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    expect(new Set(codes).size).toBe(500);
  });
});
