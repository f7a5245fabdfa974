import { describe, expect, it } from "vitest";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { redemptionStatsOf, statsOf, stepStatsOf } from "../../functions/engine/stats.ts";

const base = { journey: "new-user-coupon", version: 1, user: "u1", run: "r1" };

describe("statsOf", () => {
  it("counts effects per journey, version, UTC day and name, with coupon value", () => {
    // Prepare
    const coupon = {
      couponId: "c",
      code: "X",
      amountOff: 20,
      currency: "CNY",
      freeShipping: true,
      expiresAt: "2026-11-08T00:00:00Z",
    };
    const effects: JourneyEffect[] = [
      { ...base, id: "1", at: "2026-11-01T23:00:00Z", type: "journey.entered" },
      { ...base, id: "2", at: "2026-11-01T23:00:00Z", type: "coupon.issued", coupon },
      { ...base, id: "3", at: "2026-11-01T23:30:00Z", type: "coupon.issued", coupon: { ...coupon, amountOff: 30 } },
      {
        ...base,
        id: "4",
        at: "2026-11-02T00:10:00Z",
        type: "message.suppressed",
        channel: "push",
        template: "t",
        reason: "unsubscribed",
      },
      { ...base, id: "5", at: "2026-11-02T00:10:00Z", type: "profile.updated", attributes: {} },
    ];
    // Act
    const counters = statsOf(effects);
    // Assess
    expect(counters).toEqual([
      { journeyId: "new-user-coupon", version: 1, day: "2026-11-01", name: "entered", amount: 1 },
      { journeyId: "new-user-coupon", version: 1, day: "2026-11-01", name: "coupon.issued", amount: 2 },
      { journeyId: "new-user-coupon", version: 1, day: "2026-11-01", name: "coupon.value", amount: 50 },
      {
        journeyId: "new-user-coupon",
        version: 1,
        day: "2026-11-02",
        name: "message.suppressed.unsubscribed",
        amount: 1,
      },
    ]);
  });

  it("counts conversions and their order value apart for the holdout group", () => {
    // Prepare
    const converting = { id: "o1", "detail-type": "order.placed" };
    const at = "2026-11-03T10:00:00Z";
    const effects: JourneyEffect[] = [
      { ...base, id: "1", at, type: "goal.converted", event: converting, value: 120 },
      { ...base, id: "2", at, type: "goal.converted", event: converting, value: 80.5 },
      { ...base, id: "3", at, type: "goal.converted", event: converting, value: 99, holdout: true },
      { ...base, id: "4", at, type: "goal.converted", event: { id: "r1", "detail-type": "review.posted" } },
    ];
    // Act
    const byName = Object.fromEntries(statsOf(effects).map((c) => [c.name, c.amount]));
    // Assess
    expect(byName).toEqual({
      "goal.converted": 3,
      "goal.value": 200.5,
      "goal.converted.holdout": 1,
      "goal.value.holdout": 99,
    });
  });
});

describe("stepStatsOf", () => {
  it("counts each step reached on the decision's UTC day, a step reached twice twice", () => {
    // Act
    const counters = stepStatsOf({
      journeyId: "j",
      version: 2,
      at: "2026-11-03T23:59:00Z",
      visited: ["a", "wait", "a"],
    });
    // Assess
    expect(counters).toEqual([
      { journeyId: "j", version: 2, day: "2026-11-03", name: "step.a", amount: 2 },
      { journeyId: "j", version: 2, day: "2026-11-03", name: "step.wait", amount: 1 },
    ]);
  });

  it("counts them in the decision's UTC hour as well for a journey that keeps hours", () => {
    // Act
    const counters = stepStatsOf(
      { journeyId: "j", version: 2, at: "2026-11-03T23:59:00Z", visited: ["a", "a"] },
      (journeyId) => journeyId === "j",
    );
    // Assess
    expect(counters).toEqual([
      { journeyId: "j", version: 2, day: "2026-11-03", name: "step.a", amount: 2 },
      { journeyId: "j", version: 2, day: "2026-11-03", hour: "23", name: "step.a", amount: 2 },
    ]);
  });
});

describe("redemptionStatsOf", () => {
  it("counts a redeemed coupon and its value for the journey version that issued it, on the redemption's day", () => {
    // Prepare
    const issuer = { journeyId: "new-user-coupon", version: 3, stepId: "issue-welcome-coupon" };
    // Act
    const counters = redemptionStatsOf({ issuer, redeemedAt: "2026-11-04T08:00:00Z", amountOff: 20 });
    // Assess
    expect(counters).toEqual([
      { journeyId: "new-user-coupon", version: 3, day: "2026-11-04", name: "coupon.redeemed", amount: 1 },
      { journeyId: "new-user-coupon", version: 3, day: "2026-11-04", name: "coupon.redeemed.value", amount: 20 },
    ]);
  });

  it("takes the UTC day and hour of a redemption whose time carries an offset", () => {
    // Prepare: 01:30 in Shanghai on the 5th is 17:30 UTC on the 4th.
    const issuer = { journeyId: "member-day", version: 1, stepId: "issue-silver" };
    // Act
    const counters = redemptionStatsOf({ issuer, redeemedAt: "2026-11-05T01:30:00+08:00", amountOff: 10 }, () => true);
    // Assess
    expect(counters.map(({ day, hour, name }) => [day, hour, name])).toEqual([
      ["2026-11-04", undefined, "coupon.redeemed"],
      ["2026-11-04", "17", "coupon.redeemed"],
      ["2026-11-04", undefined, "coupon.redeemed.value"],
      ["2026-11-04", "17", "coupon.redeemed.value"],
    ]);
  });
});
