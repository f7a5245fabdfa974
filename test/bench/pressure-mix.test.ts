import { describe, expect, it } from "vitest";
import { entryAt, normalDayMix, welcomedUsers } from "../../bench/pressure-mix.ts";
import type { ShopEvent } from "../../events/catalog.ts";

const shopEvent = (type: string, time: string, detail: Record<string, unknown>): ShopEvent => ({
  version: "0",
  id: `${type}-${String(detail.userId)}`,
  "detail-type": type,
  source: "shop",
  account: "123456789012",
  time,
  region: "cn-north-1",
  resources: [],
  detail,
});

describe("the pressure test's event mix", () => {
  it("takes the first events of one normal day of the synthetic shop, valid ones only, the same every time", () => {
    // Prepare
    const options = { count: 200, seed: 7 };
    // Act
    const mix = normalDayMix(options);
    const again = normalDayMix(options);
    // Assess
    expect(mix.events).toHaveLength(200);
    expect(again.events.map((event) => event.id)).toEqual(mix.events.map((event) => event.id));
    expect(mix.events.every((event) => event.time.startsWith(mix.day))).toBe(true);
    expect(Object.values(mix.byType).reduce((sum, n) => sum + n, 0)).toBe(200);
    expect(mix.byType["user.registered"]).toBeGreaterThan(0);
    expect(mix.byType["order.placed"]).toBeGreaterThan(0);
  });

  it("re-times an event to its publication, a coupon's expiry moved with it", () => {
    // Prepare: a coupon issued at 10:00 that expires 12 hours later; published 3 days after.
    const issued = shopEvent("coupon.issued", "2026-11-10T10:00:00Z", {
      userId: "u-1",
      couponId: "c-1",
      expiresAt: "2026-11-10T22:00:00.000Z",
    });
    const now = Date.parse("2026-11-13T10:00:00Z");
    // Act
    const entry = entryAt(issued, now);
    // Assess
    expect(entry.Time).toEqual(new Date(now));
    expect(JSON.parse(entry.Detail ?? "{}")).toEqual({
      userId: "u-1",
      couponId: "c-1",
      expiresAt: "2026-11-13T22:00:00.000Z",
    });
    expect([entry.Source, entry.DetailType]).toEqual(["shop", "coupon.issued"]);
  });

  it("expects a welcome for each user registered, not for one who unsubscribes among the same events", () => {
    // Prepare
    const at = "2026-11-10T10:00:00Z";
    const events = [
      shopEvent("user.registered", at, { userId: "u-1" }),
      shopEvent("user.registered", at, { userId: "u-2" }),
      shopEvent("user.unsubscribed", at, { userId: "u-2", channel: "push" }),
      shopEvent("order.placed", at, { userId: "u-3", orderId: "o-1" }),
    ];
    // Act
    const users = welcomedUsers(events);
    // Assess
    expect([...users]).toEqual(["u-1"]);
  });
});
