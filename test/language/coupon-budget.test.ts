import { describe, expect, it } from "vitest";
import { journeyPolicySchema } from "../../functions/language/policy.ts";

/** The issues a journey's policy section gets, as `path: message`. */
function issuesOf(policy: unknown): string[] {
  const parsed = journeyPolicySchema.safeParse(policy);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join("."));
}

describe("a journey's coupon budget split over shards", () => {
  it("takes shards with a whole perDay of at least the shards, and a budget without shards as before", () => {
    // Prepare
    const sharded = { couponBudget: { perDay: 200000, whenExhausted: "skip-coupon", shards: 16 } };
    const unsharded = { couponBudget: { perDay: 99.5, whenExhausted: "hold" } };
    // Act
    const parsed = [sharded, unsharded].map((policy) => journeyPolicySchema.parse(policy).couponBudget);
    // Assess
    expect(parsed).toEqual([sharded.couponBudget, unsharded.couponBudget]);
  });

  it.each([
    [{ perDay: 100, whenExhausted: "hold", shards: 0 }, "couponBudget.shards"],
    [{ perDay: 100, whenExhausted: "hold", shards: 65 }, "couponBudget.shards"],
    [{ perDay: 100, whenExhausted: "hold", shards: 2.5 }, "couponBudget.shards"],
    [{ perDay: 100.5, whenExhausted: "hold", shards: 4 }, "couponBudget.perDay"],
    [{ perDay: 3, whenExhausted: "hold", shards: 4 }, "couponBudget.perDay"],
  ])("refuses %j at %s", (couponBudget, path) => {
    // Act / Assess
    expect(issuesOf({ couponBudget })).toEqual([path]);
  });
});
