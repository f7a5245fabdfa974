import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import { couponIssuerOf, nudgeCouponId } from "../../functions/engine/coupon-ids.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { harness, journey, shopEvent } from "../engine/fixtures.ts";

/** A coupon at registration, then a message with its code: the coupon the redemptions below redeem. */
const welcome = journey({
  id: "welcome",
  version: 2,
  start: "issue",
  steps: [
    { id: "issue", type: "issue-coupon", amountOff: 15, validFor: "P7D", next: "tell" },
    { id: "tell", type: "send", channel: "push", template: "hello" },
  ],
});

const redeemed = (couponId: string, id: string) =>
  shopEvent("coupon.redeemed", "2026-11-03T09:00:00Z", { userId: "u1", couponId, orderId: "SO-1" }, id);

describe("Nudge's coupon ids", () => {
  it("name the journey version and step that issued them, and nothing for the shop's own ids", () => {
    // Prepare
    const issuer = { journeyId: "new-user-coupon", version: 12, stepId: "issue-welcome-coupon" };
    // Act
    const id = nudgeCouponId(issuer, "run-1/issue-welcome-coupon");
    // Assess
    expect(id).toMatch(/^cpn\.new-user-coupon\.12\.issue-welcome-coupon\.[0-9a-z]+$/);
    expect(couponIssuerOf(id)).toEqual(issuer);
    for (const shops of ["cpn_8x2", "SHOP-2026-001", "cpn.a.0.s.x", "cpn.a.1.s", "cpn.a.one.s.x", "x.a.1.s.h"])
      expect(couponIssuerOf(shops), shops).toBeUndefined();
  });
});

describe("JourneyRuntime: coupon redemptions", () => {
  it("counts a redemption of its coupon once, for the issuing journey version, with the step's value", async () => {
    // Prepare
    const { runtime, store, delivered } = harness(new JourneyCatalog([welcome]));
    await runtime.handleEvent(shopEvent("user.registered", "2026-11-01T08:00:00Z", { userId: "u1" }, "r1"), 0);
    const issued = delivered.find(
      (e): e is Extract<JourneyEffect, { type: "coupon.issued" }> => e.type === "coupon.issued",
    );
    const couponId = issued?.coupon.couponId ?? "";
    // Act: the redemption, its redelivery, and a second event for the same coupon
    for (const id of ["x1", "x1", "x2"]) await runtime.handleEvent(redeemed(couponId, id), 0);
    // Assess
    const sums = await store.readStats("welcome", "2026-11-01", "2026-11-30");
    const redemptions = sums.filter((c) => c.name.startsWith("coupon.redeemed"));
    expect(redemptions).toEqual([
      { journeyId: "welcome", version: 2, day: "2026-11-03", name: "coupon.redeemed", amount: 1 },
      { journeyId: "welcome", version: 2, day: "2026-11-03", name: "coupon.redeemed.value", amount: 15 },
    ]);
  });

  it("keeps nothing for a coupon issued, nor for the redemption of the shop's own coupon", async () => {
    // Prepare
    const { runtime, store } = harness(new JourneyCatalog([welcome]));
    const kept: string[] = [];
    const recordRedemption = store.recordRedemption.bind(store);
    store.recordRedemption = (redemption) => {
      kept.push(redemption.couponId);
      return recordRedemption(redemption);
    };
    const shopCoupon = {
      userId: "u2",
      couponId: "SHOP-1",
      code: "S1",
      amountOff: 5,
      expiresAt: "2026-11-09T00:00:00Z",
    };
    // Act
    await runtime.handleEvent(shopEvent("coupon.issued", "2026-11-02T00:00:00Z", shopCoupon, "i1"), 0);
    await runtime.handleEvent(redeemed("SHOP-1", "x3"), 0);
    // Assess
    expect(kept).toEqual([]);
    expect(
      (await store.readStats("welcome", "2026-11-01", "2026-11-30")).filter((c) => c.name.startsWith("coupon")),
    ).toEqual([]);
  });
});
