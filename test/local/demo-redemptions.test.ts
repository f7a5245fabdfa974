import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import { DemoRedemptions, REDEEMING_SHARE } from "../../functions/local/demo-redemptions.ts";
import { unitInterval } from "../../functions/shared/hash.ts";
import { harness, shopEvent } from "../engine/fixtures.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";

/** Order ids the demo's shop pays with a coupon (`using`) or without (`not`), as its hash decides. */
function orderIds(using: boolean, count: number): string[] {
  const ids: string[] = [];
  for (let n = 1; ids.length < count; n++) {
    const id = `SO-${n}`;
    if (unitInterval(`redeem/${id}`) < REDEEMING_SHARE === using) ids.push(id);
  }
  return ids;
}

const order = (orderId: string, time: string) =>
  shopEvent("order.placed", time, { userId: "u-1", orderId, amount: 128, currency: "CNY" }, `evt-${orderId}`);

describe("the demo's redemptions", () => {
  it("answers an order with the coupon new-user-coupon issued, once, and only while it is valid", async () => {
    // Prepare: a registration, which new-user-coupon answers with a coupon valid 7 days
    const journeys = loadSeedJourneys().filter((journey) => journey.id === "new-user-coupon");
    const { runtime, store } = harness(new JourneyCatalog(journeys));
    const registered = shopEvent("user.registered", "2026-11-01T08:00:00Z", { userId: "u-1" }, "r-1");
    await runtime.handleEvent(registered, Date.parse(registered.time));
    const redemptions = new DemoRedemptions(store, journeys);
    const [first, second, late] = orderIds(true, 3);
    const [withoutCoupon] = orderIds(false, 1);
    // Act
    const paysWithout = await redemptions.redemptionOf(order(withoutCoupon ?? "", "2026-11-02T10:00:00Z"));
    const uses = await redemptions.redemptionOf(order(first ?? "", "2026-11-03T10:00:00Z"));
    const again = await redemptions.redemptionOf(order(second ?? "", "2026-11-04T10:00:00Z"));
    const afterExpiry = await new DemoRedemptions(store, journeys).redemptionOf(
      order(late ?? "", "2026-11-20T10:00:00Z"),
    );
    // Assess
    expect(paysWithout).toBeUndefined();
    expect(uses).toMatchObject({
      "detail-type": "coupon.redeemed",
      time: "2026-11-03T10:00:00Z",
      detail: { userId: "u-1", orderId: first, couponId: expect.stringMatching(/^cpn\.new-user-coupon\./) },
    });
    expect(again).toBeUndefined();
    expect(afterExpiry).toBeUndefined();
  });
});
