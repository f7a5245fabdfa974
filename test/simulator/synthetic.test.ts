import { describe, expect, it } from "vitest";
import { isKnownDetailType, parseEvent, type ShopEvent } from "../../events/catalog.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import {
  generateShop,
  generateShopLines,
  mulberry32,
  type SyntheticEvent,
} from "../../functions/simulator/synthetic/index.ts";
import { dormancyPromise, loadSeedJourneys } from "../scenarios/helpers.ts";

const DAY = 86_400_000;
const START = "2026-10-01T00:00:00Z";
const startMs = Date.parse(START);

const shop = (users: number, seed = 1) => [...generateShop({ users, days: 60, start: START, seed })];

/** The events as delivered once each (no duplicates, no broken copies). */
const unique = (items: readonly SyntheticEvent[]) =>
  items.filter((item) => item.flaw === undefined && item.duplicate !== true).map((item) => item.event);

const ofType = (events: readonly ShopEvent[], type: string) => events.filter((e) => e["detail-type"] === type);

describe("mulberry32", () => {
  it("is deterministic and stays in [0, 1)", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });
});

describe("generateShop", () => {
  it("gives the same stream for the same seed, another for another seed", () => {
    const once = [...generateShopLines({ users: 300, days: 60, start: START, seed: 42 })];
    const again = [...generateShopLines({ users: 300, days: 60, start: START, seed: 42 })];
    const other = [...generateShopLines({ users: 300, days: 60, start: START, seed: 43 })];
    expect(once.length).toBeGreaterThan(300);
    expect(again).toEqual(once);
    expect(other).not.toEqual(once);
  });

  it("refuses options it cannot honour", () => {
    expect(() => shop(-1)).toThrow(RangeError);
    expect(() => [...generateShop({ users: 1, days: 0, start: START })]).toThrow(RangeError);
    expect(() => [...generateShop({ users: 1, days: 1, start: "yesterday" })]).toThrow(RangeError);
  });

  describe("over 5,000 users and 60 days", () => {
    const items = shop(5000);
    const events = unique(items);
    const users = ofType(events, "user.registered");
    const registeredAt = new Map(users.map((e) => [e.detail.userId, Date.parse(e.time)]));

    it("passes the catalog with every valid event, and fails it with every broken one", () => {
      for (const item of items) {
        // Through JSON, as the simulator reads them.
        const parsed = parseEvent(JSON.parse(JSON.stringify(item.event)));
        if (item.flaw === undefined) {
          if (!parsed.ok) throw new Error(`${parsed.error.message}\n${JSON.stringify(item.event)}`);
          expect(isKnownDetailType(item.event["detail-type"])).toBe(true);
          const at = Date.parse(item.event.time);
          expect(at).toBeGreaterThanOrEqual(startMs);
          expect(at).toBeLessThan(startMs + 60 * DAY);
        } else {
          expect(parsed.ok, `${item.flaw}: ${JSON.stringify(item.event)}`).toBe(false);
        }
      }
      const broken = items.filter((item) => item.flaw !== undefined).length;
      expect(broken / items.length).toBeGreaterThan(0.0002);
      expect(broken / items.length).toBeLessThan(0.0025);
    });

    it("registers every user once, spread over the period, with the intended locales and zones", () => {
      expect(users).toHaveLength(5000);
      expect(new Set(users.map((e) => e.detail.userId)).size).toBe(5000);
      const firstHalf = users.filter((e) => Date.parse(e.time) < startMs + 30 * DAY).length;
      expect(firstHalf / 5000).toBeCloseTo(0.5, 1);
      const share = (test: (d: Record<string, unknown>) => boolean) =>
        users.filter((e) => test(e.detail)).length / 5000;
      expect(share((d) => d.locale === "en-US")).toBeGreaterThan(0.09);
      expect(share((d) => d.locale === "en-US")).toBeLessThan(0.15);
      expect(share((d) => d.locale === undefined)).toBeGreaterThan(0.005);
      expect(share((d) => d.timezone === "Asia/Shanghai")).toBeGreaterThan(0.6);
      expect(share((d) => d.timezone === "America/New_York")).toBeGreaterThan(0.01);
    });

    it("has unsubscriptions (mostly from push) and a few subscriptions back", () => {
      const unsubscribed = ofType(events, "user.unsubscribed");
      const push = unsubscribed.filter((e) => e.detail.channel === "push").length;
      expect(push / 5000).toBeGreaterThan(0.04);
      expect(push / 5000).toBeLessThan(0.08);
      expect(unsubscribed.length - push).toBeGreaterThan(20);
      expect(ofType(events, "user.subscribed").length).toBeGreaterThan(20);
    });

    it("has ~22% first orders within 7 days, quiet users, and some of them back after 30 days", () => {
      const firstOrder = new Map<unknown, number>();
      for (const order of ofType(events, "order.placed")) {
        const at = Date.parse(order.time);
        const known = firstOrder.get(order.detail.userId);
        if (known === undefined || at < known) firstOrder.set(order.detail.userId, at);
      }
      let within7 = 0;
      let quiet = 0;
      let back = 0;
      for (const [userId, registered = 0] of registeredAt) {
        const first = firstOrder.get(userId);
        if (first !== undefined && first - registered <= 7 * DAY) within7++;
        // Only users registered early enough to be quiet for 30 days within the period.
        if (registered < startMs + 25 * DAY && (first === undefined || first - registered > 30 * DAY)) {
          quiet++;
          if (first !== undefined) back++;
        }
      }
      expect(within7 / 5000).toBeGreaterThan(0.18);
      expect(within7 / 5000).toBeLessThan(0.25);
      const early = [...registeredAt.values()].filter((at) => at < startMs + 25 * DAY).length;
      expect(quiet / early).toBeGreaterThan(0.45);
      expect(quiet / early).toBeLessThan(0.7);
      expect(back / quiet).toBeGreaterThan(0.1);
      expect(back / quiet).toBeLessThan(0.35);
    });

    it("delivers orders, some with a promotion, reviews a share within 24 hours, refunds a few", () => {
      const placed = ofType(events, "order.placed");
      const delivered = ofType(events, "order.delivered");
      const deliveredAt = new Map(delivered.map((e) => [e.detail.orderId, Date.parse(e.time)]));
      expect(new Set(placed.map((e) => e.detail.orderId)).size).toBe(placed.length);
      expect(delivered.length / placed.length).toBeGreaterThan(0.85);
      const promotional = delivered.filter((e) => typeof e.detail.promotionId === "string").length;
      expect(promotional / delivered.length).toBeGreaterThan(0.1);
      expect(promotional / delivered.length).toBeLessThan(0.4);
      const reviews = ofType(events, "review.posted");
      const within24h = reviews.filter((e) => {
        const at = deliveredAt.get(e.detail.orderId);
        return at !== undefined && Date.parse(e.time) - at < DAY;
      }).length;
      expect(within24h / delivered.length).toBeGreaterThan(0.18);
      expect(within24h / delivered.length).toBeLessThan(0.32);
      expect(reviews.length - within24h).toBeGreaterThan(0);
      const refunds = ofType(events, "order.refunded").length;
      expect(refunds).toBeGreaterThan(0);
      expect(refunds / placed.length).toBeLessThan(0.06);
      expect(ofType(events, "promotion.ended").length).toBeGreaterThan(0);
    });

    it("redeems only coupons the shop issued itself, with the order that used them", () => {
      const issued = new Map(ofType(events, "coupon.issued").map((e) => [e.detail.couponId, e]));
      const redeemed = ofType(events, "coupon.redeemed");
      expect(issued.size).toBeGreaterThan(100);
      expect(redeemed.length).toBeGreaterThan(20);
      const orders = new Map(ofType(events, "order.placed").map((e) => [e.detail.orderId, e]));
      for (const redemption of redeemed) {
        const coupon = issued.get(redemption.detail.couponId);
        expect(coupon?.detail.userId).toBe(redemption.detail.userId);
        expect(Date.parse(redemption.time)).toBeLessThanOrEqual(Date.parse(String(coupon?.detail.expiresAt)));
        expect(orders.get(redemption.detail.orderId)?.detail.couponIds).toEqual([redemption.detail.couponId]);
      }
      // A few are issued with less than a day left (the expiry nudge goes out at once).
      const shortLived = [...issued.values()].filter(
        (e) => Date.parse(String(e.detail.expiresAt)) - Date.parse(e.time) < DAY,
      ).length;
      expect(shortLived).toBeGreaterThan(0);
    });

    it("delivers ~1% twice, ~2% out of time order", () => {
      const duplicates = items.filter((item) => item.duplicate === true);
      expect(duplicates.length / items.length).toBeGreaterThan(0.006);
      expect(duplicates.length / items.length).toBeLessThan(0.014);
      const seen = new Map<string, ShopEvent>();
      for (const item of items) {
        if (item.duplicate === true) expect(seen.get(item.event.id)).toEqual(item.event);
        else if (item.flaw === undefined) {
          expect(seen.has(item.event.id)).toBe(false);
          seen.set(item.event.id, item.event);
        }
      }
      let latest = "";
      let outOfOrder = 0;
      for (const item of items) {
        if (item.event.time < latest) outOfOrder++;
        else latest = item.event.time;
      }
      expect(outOfOrder / items.length).toBeGreaterThan(0.01);
      expect(outOfOrder / items.length).toBeLessThan(0.05);
    });
  });

  it("exercises the five seed journeys", async () => {
    const lines = [...generateShopLines({ users: 1500, days: 60, start: START, seed: 3 })];
    // Run on until the users quiet since the first month have fallen dormant, whatever the dormancy journey's idle
    // time (read from its file): 60 days as shipped.
    const until = startMs + 30 * DAY + dormancyPromise().idleMs;
    const result = await simulate({ journeys: loadSeedJourneys(), lines, until });
    expect(result.invalid.length).toBeGreaterThan(0);
    const count = (journey: string, type: string, reason?: string) =>
      result.lines.filter(
        (l) => l.journey === journey && l.type === type && (reason === undefined || l.reason === reason),
      ).length;
    expect(count("new-user-coupon", "coupon.issued")).toBe(1500);
    expect(count("new-user-coupon", "goal.converted") / 1500).toBeGreaterThan(0.15);
    expect(count("onboarding-guide", "message.sent")).toBeGreaterThan(3000);
    expect(count("onboarding-guide", "message.suppressed", "unsubscribed")).toBeGreaterThan(0);
    expect(count("coupon-expiry-nudge", "message.sent")).toBeGreaterThan(1000);
    expect(count("coupon-expiry-nudge", "journey.exited", "exit-event")).toBeGreaterThan(0);
    expect(count("dormancy-reactivation", "message.sent")).toBeGreaterThan(300);
    expect(count("dormancy-reactivation", "holdout")).toBeGreaterThan(0);
    expect(count("post-promotion-review", "message.sent")).toBeGreaterThan(50);
    expect(count("post-promotion-review", "journey.exited", "reviewed")).toBeGreaterThan(10);
  });
});
