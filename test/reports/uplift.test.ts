import { describe, expect, it } from "vitest";
import { uplift } from "../../functions/reports/uplift.ts";

/**
 * Figures worked out by hand (Wald interval: d ± 1.96 · √(p1(1−p1)/n1 + p0(1−p0)/n0)):
 * 400 treated, 60 converted (p1 = 0.15); 100 held out, 8 converted (p0 = 0.08): d = 0.07,
 * SE = √(0.15·0.85/400 + 0.08·0.92/100) = √0.00105475 = 0.032477, interval 0.07 ± 0.063654 =
 * [0.006346, 0.133654]; incremental = 0.07 × 400 = 28; 560 of coupons redeemed / 28 = 20 per order.
 */
describe("uplift", () => {
  it("compares the rates with a 95% Wald interval, and costs the incremental conversions", () => {
    // Act
    const result = uplift({
      treatment: { entered: 400, converted: 60 },
      holdout: { entered: 100, converted: 8 },
      couponValueRedeemed: 560,
    });
    // Assess
    expect(result.treatment.rate).toBeCloseTo(0.15, 10);
    expect(result.holdout.rate).toBeCloseTo(0.08, 10);
    expect(result.difference).toBeCloseTo(0.07, 10);
    expect(result.interval?.low).toBeCloseTo(0.006346, 5);
    expect(result.interval?.high).toBeCloseTo(0.133654, 5);
    expect(result.incrementalConversions).toBeCloseTo(28, 8);
    expect(result.costPerIncrementalConversion).toBeCloseTo(20, 8);
    expect(result.verdict).toBe("uplift");
    expect(result.explanation).toContain("+0.6 to +13.4 percentage points");
  });

  it("says the result is not conclusive when the interval includes 0", () => {
    // Prepare: p1 = 0.15, p0 = 0.12, d = 0.03, SE = √(0.0006375 + 0.001056) = 0.041152
    const input = {
      treatment: { entered: 200, converted: 30 },
      holdout: { entered: 100, converted: 12 },
      couponValueRedeemed: 90,
    };
    // Act
    const result = uplift(input);
    // Assess
    expect(result.interval?.low).toBeCloseTo(-0.050657, 5);
    expect(result.interval?.high).toBeCloseTo(0.110657, 5);
    expect(result.incrementalConversions).toBeCloseTo(6, 8);
    expect(result.costPerIncrementalConversion).toBeCloseTo(15, 8);
    expect(result.verdict).toBe("inconclusive");
    expect(result.explanation).toMatch(/^Not conclusive: .* includes 0\.$/);
  });

  it("says a holdout of 12 is too small to conclude, naming the rule", () => {
    // Act
    const result = uplift({
      treatment: { entered: 100, converted: 20 },
      holdout: { entered: 12, converted: 1 },
      couponValueRedeemed: 0,
    });
    // Assess
    expect(result.verdict).toBe("too-small");
    expect(result.explanation).toBe(
      "Too small to conclude: the holdout group has 12 entrants; each group needs at least 30 entrants, and at least 5 conversions and 5 non-conversions.",
    );
    expect(result.difference).toBeCloseTo(0.2 - 1 / 12, 10);
  });

  it("applies the np ≥ 5 rule to large groups with few conversions", () => {
    // Act
    const result = uplift({
      treatment: { entered: 1000, converted: 40 },
      holdout: { entered: 100, converted: 3 },
      couponValueRedeemed: 0,
    });
    // Assess
    expect(result.verdict).toBe("too-small");
    expect(result.explanation).toContain("the holdout group has 3 conversions");
  });

  it("gives no cost per incremental conversion when the journey added none", () => {
    // Act
    const result = uplift({
      treatment: { entered: 100, converted: 10 },
      holdout: { entered: 100, converted: 10 },
      couponValueRedeemed: 200,
    });
    // Assess
    expect(result.incrementalConversions).toBe(0);
    expect(result.costPerIncrementalConversion).toBeUndefined();
  });

  it("has nothing to compare with when nobody was held out", () => {
    // Act
    const result = uplift({
      treatment: { entered: 100, converted: 10 },
      holdout: { entered: 0, converted: 0 },
      couponValueRedeemed: 200,
    });
    // Assess
    expect(result.verdict).toBe("no-holdout");
    expect(result.interval).toBeUndefined();
    expect(result.explanation).toMatch(/^No holdout group/);
  });

  it("says so when nobody entered at all", () => {
    // Act
    const result = uplift({
      treatment: { entered: 0, converted: 0 },
      holdout: { entered: 0, converted: 0 },
      couponValueRedeemed: 0,
    });
    // Assess
    expect(result.verdict).toBe("no-holdout");
    expect(result.explanation).toBe("Nobody entered the journey in this range.");
  });
});
