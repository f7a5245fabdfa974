import { describe, expect, it } from "vitest";
import { guardrailsSchema } from "../../../functions/language/guardrails.ts";
import { crossingReason, firstCrossing } from "../../../functions/runtime/guardrail-checks.ts";

/** Which guardrail the counters cross, and the reason `nudge status` and journey.paused show. */

const counts = (values: Record<string, number>) => (name: string) => values[name] ?? 0;

describe("guardrails", () => {
  it("crosses the refund rate only above the threshold and from minSample conversions", () => {
    // Prepare
    const rails = guardrailsSchema.parse({ maxRefundRate: 0.05 });
    // Act
    const small = firstCrossing(rails, counts({ "goal.converted": 49, "guardrail.refunded": 10 }));
    const at = firstCrossing(rails, counts({ "goal.converted": 100, "guardrail.refunded": 5 }));
    const above = firstCrossing(rails, counts({ "goal.converted": 100, "guardrail.refunded": 6 }));
    // Assess
    expect(small).toBeUndefined();
    expect(at).toBeUndefined();
    expect(above && crossingReason(above)).toBe("guardrail:maxRefundRate 0.06 > 0.05");
  });

  it("crosses the unsubscribe rate over entrants (holdouts too), and an exhausted coupon budget when asked", () => {
    // Prepare
    const rails = guardrailsSchema.parse({ maxUnsubscribeRate: 0.02, pauseWhenBudgetExhausted: true, minSample: 10 });
    // Act
    const unsubscribed = firstCrossing(rails, counts({ entered: 90, holdout: 10, "guardrail.unsubscribed": 3 }));
    const budget = firstCrossing(rails, counts({ entered: 100, "coupon.withheld.budget-exhausted": 1 }));
    const fine = firstCrossing(rails, counts({ entered: 100, "guardrail.unsubscribed": 2 }));
    // Assess
    expect(unsubscribed && crossingReason(unsubscribed)).toBe("guardrail:maxUnsubscribeRate 0.03 > 0.02");
    expect(budget && crossingReason(budget)).toBe("guardrail:pauseWhenBudgetExhausted 1 > 0");
    expect(fine).toBeUndefined();
  });
});
