import { describe, expect, it } from "vitest";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { statsOf } from "../../functions/engine/stats.ts";

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
});
