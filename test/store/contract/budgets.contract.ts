import { describe, expect, it } from "vitest";
import type { OpenStore } from "./contract.ts";
import { charge, coupon, redemption } from "./fixtures.ts";

const CONSISTENT = { consistent: true } as const;
const JOURNEY = "new-user-coupon";
const DAY = "2026-11-01";

/** A coupon's unsettled marker as the budget reads it back. */
const marker = (hash: string) => ({ amount: 10, runId: `new-user-coupon:u-${hash}:1`, shard: 0 });
/** A charge on an unsharded budget: its one item, shard 0. */
const ONE_ITEM = { shard: 0 };

export function budgetContract(open: OpenStore): void {
  chargeTests(open);
  togetherTests(open);
  settledWithChargeTests(open);
  settlementTests(open);
  redemptionTests(open);
}

function chargeTests(open: OpenStore): void {
  describe("BudgetStore: charging coupon budgets", () => {
    it("reads a day never charged as nothing spent and nothing unsettled", async () => {
      // Prepare
      const { store } = await open();
      // Act
      const budget = await store.getCouponBudget(JOURNEY, DAY, CONSISTENT);
      // Assess
      expect(budget).toEqual({ spent: 0, unsettled: {} });
    });

    it("charges within the limit up to exactly the limit, marks each coupon unsettled, and refuses past it", async () => {
      // Prepare
      const { store } = await open();
      // Act
      const first = await store.chargeCouponBudget(charge("a1", { limit: 20 }));
      const second = await store.chargeCouponBudget(charge("b2", { limit: 20 }));
      const third = await store.chargeCouponBudget(charge("c3", { limit: 20 }));
      const tooBig = await store.chargeCouponBudget(charge("d4", { amount: 30, limit: 25 }));
      // Assess: a refused charge adds nothing and marks nothing.
      expect([first, second, third, tooBig]).toEqual([ONE_ITEM, ONE_ITEM, undefined, undefined]);
      expect(await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).toEqual({
        spent: 20,
        unsettled: { [coupon("a1").couponId]: marker("a1"), [coupon("b2").couponId]: marker("b2") },
      });
    });

    it("finds a coupon charged already (a retried decision) and does not charge it twice", async () => {
      // Prepare
      const { store } = await open();
      await store.chargeCouponBudget(charge("a1", { limit: 10 }));
      // Act: the day is spent, yet the retry's own coupon is charged already.
      const retried = await store.chargeCouponBudget(charge("a1", { limit: 10 }));
      // Assess
      expect(retried).toEqual(ONE_ITEM);
      expect((await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).spent).toBe(10);
    });

    it("never takes a day past its limit, however many runs charge at once", async () => {
      // Prepare
      const { store } = await open();
      const hashes = ["a1", "b2", "c3", "d4", "e5", "f6"];
      // Act
      const charged = await Promise.all(hashes.map((hash) => store.chargeCouponBudget(charge(hash, { limit: 30 }))));
      // Assess
      const budget = await store.getCouponBudget(JOURNEY, DAY, CONSISTENT);
      expect(charged.filter(Boolean)).toHaveLength(3);
      expect(budget.spent).toBe(30);
      expect(Object.keys(budget.unsettled)).toHaveLength(3);
    });

    it("keeps journeys and budget days apart", async () => {
      // Prepare
      const { store } = await open();
      // Act
      await store.chargeCouponBudget(charge("a1", { limit: 10 }));
      const nextDay = await store.chargeCouponBudget(charge("b2", { limit: 10, day: "2026-11-02" }));
      const otherJourney = await store.chargeCouponBudget(charge("c3", { limit: 10, journeyId: "win-back" }));
      // Assess
      expect([nextDay, otherJourney]).toEqual([ONE_ITEM, ONE_ITEM]);
      expect((await store.getCouponBudget(JOURNEY, "2026-11-02", CONSISTENT)).spent).toBe(10);
      expect((await store.getCouponBudget("win-back", DAY, CONSISTENT)).spent).toBe(10);
    });
  });
}

function togetherTests(open: OpenStore): void {
  describe("BudgetStore: charging coupons together", () => {
    it("charges all of them in one go, each marked unsettled, and removes the settled markers it carries", async () => {
      // Prepare: a1 charged earlier, its decision saved since.
      const { store } = await open();
      await store.chargeCouponBudget(charge("a1"));
      // Act
      const together = [charge("b2"), charge("c3"), charge("d4")];
      const charged = await store.chargeCouponsTogether({
        charges: together,
        shard: 0,
        settled: [coupon("a1").couponId],
      });
      // Assess
      expect(charged).toBe(true);
      expect(await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).toEqual({
        spent: 40,
        unsettled: {
          [coupon("b2").couponId]: marker("b2"),
          [coupon("c3").couponId]: marker("c3"),
          [coupon("d4").couponId]: marker("d4"),
        },
      });
    });

    it("charges none of them past the limit, on a day never charged and on one charged, nor settles anything", async () => {
      // Prepare
      const { store } = await open();
      // Act: 30 against 20 on a fresh day; then 20 against 25 with 10 spent.
      const fresh = await store.chargeCouponsTogether({
        charges: ["a1", "b2", "c3"].map((hash) => charge(hash, { limit: 20 })),
        shard: 0,
      });
      await store.chargeCouponBudget(charge("d4", { limit: 25 }));
      const full = await store.chargeCouponsTogether({
        charges: ["e5", "f6"].map((hash) => charge(hash, { limit: 25 })),
        shard: 0,
        settled: [coupon("d4").couponId],
      });
      // Assess
      expect([fresh, full]).toEqual([false, false]);
      expect(await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).toEqual({
        spent: 10,
        unsettled: { [coupon("d4").couponId]: marker("d4") },
      });
    });

    it("charges none of them when one is charged already (an earlier attempt's), and that one stays charged once", async () => {
      // Prepare
      const { store } = await open();
      await store.chargeCouponBudget(charge("b2"));
      // Act
      const charged = await store.chargeCouponsTogether({ charges: [charge("a1"), charge("b2")], shard: 0 });
      // Assess
      expect(charged).toBe(false);
      expect(await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).toEqual({
        spent: 10,
        unsettled: { [coupon("b2").couponId]: marker("b2") },
      });
    });
  });
}

function settledWithChargeTests(open: OpenStore): void {
  describe("BudgetStore: settling with a charge", () => {
    it("removes the settled markers with a charge's own write, never the charged coupon's", async () => {
      // Prepare: two charges whose decisions were saved since.
      const { store } = await open();
      await store.chargeCouponBudget(charge("a1"));
      await store.chargeCouponBudget(charge("b2"));
      const settled = [coupon("a1").couponId, coupon("b2").couponId, coupon("c3").couponId];
      // Act: the next charge carries them, its own coupon among them by mistake.
      const charged = await store.chargeCouponBudget(charge("c3"), settled);
      // Assess
      expect(charged).toEqual(ONE_ITEM);
      expect(await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).toEqual({
        spent: 30,
        unsettled: { [coupon("c3").couponId]: marker("c3") },
      });
    });

    it("leaves the settled markers alone when the charge is refused, and removes them when it was charged already", async () => {
      // Prepare
      const { store } = await open();
      await store.chargeCouponBudget(charge("a1", { limit: 20 }));
      await store.chargeCouponBudget(charge("b2", { limit: 20 }));
      // Act
      const refused = await store.chargeCouponBudget(charge("c3", { limit: 20 }), [coupon("a1").couponId]);
      const before = await store.getCouponBudget(JOURNEY, DAY, CONSISTENT);
      const again = await store.chargeCouponBudget(charge("b2", { limit: 20 }), [coupon("a1").couponId]);
      // Assess
      expect(refused).toBeUndefined();
      expect(Object.keys(before.unsettled).sort()).toEqual([coupon("a1").couponId, coupon("b2").couponId]);
      expect(again).toEqual(ONE_ITEM);
      expect(await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).toEqual({
        spent: 20,
        unsettled: { [coupon("b2").couponId]: marker("b2") },
      });
    });
  });
}

function settlementTests(open: OpenStore): void {
  describe("BudgetStore: settlements and give-backs", () => {
    it("settles kept charges and gives back released ones in one settlement, each only once", async () => {
      // Prepare
      const { store } = await open();
      for (const hash of ["a1", "b2", "c3"]) await store.chargeCouponBudget(charge(hash));
      const settlement = {
        journeyId: JOURNEY,
        day: DAY,
        settled: [coupon("a1").couponId],
        released: [{ couponId: coupon("b2").couponId, amount: 10 }],
      };
      // Act: the settlement, then the same again (a retried flush).
      await store.settleCouponCharges(settlement);
      await store.settleCouponCharges(settlement);
      // Assess: the value of a1 stays spent, b2's is given back once.
      expect(await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).toEqual({
        spent: 20,
        unsettled: { [coupon("c3").couponId]: marker("c3") },
      });
    });

    it("gives back a released charge still unsettled even when another of the settlement's was given back already", async () => {
      // Prepare: b2 was given back by an earlier attempt; a1 is still charged and unsettled, c3 too.
      const { store } = await open();
      for (const hash of ["a1", "b2", "c3"]) await store.chargeCouponBudget(charge(hash));
      await store.settleCouponCharges({
        journeyId: JOURNEY,
        day: DAY,
        settled: [],
        released: [{ couponId: coupon("b2").couponId, amount: 10 }],
      });
      // Act
      await store.settleCouponCharges({
        journeyId: JOURNEY,
        day: DAY,
        settled: [coupon("c3").couponId],
        released: [
          { couponId: coupon("a1").couponId, amount: 10 },
          { couponId: coupon("b2").couponId, amount: 10 },
        ],
      });
      // Assess: a1 given back, b2 not twice, c3 settled.
      expect(await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).toEqual({ spent: 10, unsettled: {} });
    });

    it("does nothing for an empty settlement or one of a day never charged", async () => {
      // Prepare
      const { store } = await open();
      await store.chargeCouponBudget(charge("a1"));
      // Act
      await store.settleCouponCharges({ journeyId: JOURNEY, day: DAY, settled: [], released: [] });
      await store.settleCouponCharges({
        journeyId: JOURNEY,
        day: "2026-11-05",
        settled: [coupon("a1").couponId],
        released: [{ couponId: coupon("b2").couponId, amount: 10 }],
      });
      // Assess
      expect(await store.getCouponBudget(JOURNEY, DAY, CONSISTENT)).toEqual({
        spent: 10,
        unsettled: { [coupon("a1").couponId]: marker("a1") },
      });
      expect((await store.getCouponBudget(JOURNEY, "2026-11-05", CONSISTENT)).spent).toBe(0);
    });
  });
}

function redemptionTests(open: OpenStore): void {
  describe("CouponStore: redemptions", () => {
    it("keeps a coupon's redemption once: true the first time, false for a redelivery or a second event", async () => {
      // Prepare
      const { store } = await open();
      // Act
      const first = await store.recordRedemption(redemption("a1"));
      const redelivered = await store.recordRedemption(redemption("a1"));
      const secondEvent = await store.recordRedemption(redemption("a1", { orderId: "SO-other" }));
      const other = await store.recordRedemption(redemption("b2"));
      // Assess
      expect([first, redelivered, secondEvent, other]).toEqual([true, false, false, true]);
    });

    it("counts one of several redemptions of a coupon racing", async () => {
      // Prepare
      const { store } = await open();
      // Act
      const results = await Promise.all(Array.from({ length: 4 }, () => store.recordRedemption(redemption("c3"))));
      // Assess
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
