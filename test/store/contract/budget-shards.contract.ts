import { describe, expect, it } from "vitest";
import { budgetShardOf } from "../../../functions/engine/budget-shards.ts";
import type { OpenStore } from "./contract.ts";
import { charge, coupon } from "./fixtures.ts";

const JOURNEY = "new-user-coupon";
const DAY = "2026-11-01";
/** 40 a day over 4 shards: 10 each, one coupon of 10 a shard. */
const SHARDED = { limit: 40, shards: 4 } as const;
const READ = { consistent: true, shards: 4 } as const;

/** Fixture hashes whose coupons' home shard (of 4) is `shard`, the first `count` of them. */
function homedOn(shard: number, count: number): string[] {
  const hashes: string[] = [];
  for (let i = 0; hashes.length < count; i++)
    if (budgetShardOf(coupon(`h${i}`).couponId, SHARDED.shards) === shard) hashes.push(`h${i}`);
  return hashes;
}

export function budgetShardContract(open: OpenStore): void {
  describe("BudgetStore: a budget day over shards", () => {
    it("charges a coupon on its home shard, on the next shard with room when that is full, and withholds only when every shard is full", async () => {
      // Prepare: two coupons homed on shard 1, then one homed on each other shard.
      const { store } = await open();
      const [first = "", second = ""] = homedOn(1, 2);
      const others = [0, 2, 3].map((shard) => homedOn(shard, 3).at(-1) ?? "");
      // Act
      const charged = [];
      for (const hash of [first, second, ...others])
        charged.push(await store.chargeCouponBudget(charge(hash, SHARDED)));
      // Assess: the second lands on shard 2, so the one homed on 2 on shard 3, that one's on 0; the last has none.
      expect(charged).toEqual([{ shard: 1 }, { shard: 2 }, { shard: 0 }, { shard: 3 }, undefined]);
      const budget = await store.getCouponBudget(JOURNEY, DAY, READ);
      expect(budget.spent).toBe(40);
      expect(budget.unsettled[coupon(second).couponId]).toEqual({ amount: 10, runId: charge(second).runId, shard: 2 });
    });

    it("finds a coupon charged on another shard than its home when retried, and does not charge it twice", async () => {
      // Prepare: the second coupon of shard 1 charged on shard 2.
      const { store } = await open();
      const [first = "", second = ""] = homedOn(1, 2);
      await store.chargeCouponBudget(charge(first, SHARDED));
      await store.chargeCouponBudget(charge(second, SHARDED));
      // Act
      const retried = await store.chargeCouponBudget(charge(second, SHARDED));
      // Assess
      expect(retried).toEqual({ shard: 2 });
      expect((await store.getCouponBudget(JOURNEY, DAY, READ)).spent).toBe(20);
    });

    it("settles and gives back a charge on the shard it is on, once", async () => {
      // Prepare
      const { store } = await open();
      const [first = "", second = ""] = homedOn(1, 2);
      await store.chargeCouponBudget(charge(first, SHARDED));
      await store.chargeCouponBudget(charge(second, SHARDED));
      const giveBack = {
        journeyId: JOURNEY,
        day: DAY,
        shard: 2,
        settled: [],
        released: [{ couponId: coupon(second).couponId, amount: 10 }],
      };
      // Act: given back twice (a retried settlement), then the first settled on its shard.
      await store.settleCouponCharges(giveBack);
      await store.settleCouponCharges(giveBack);
      await store.settleCouponCharges({
        journeyId: JOURNEY,
        day: DAY,
        shard: 1,
        settled: [coupon(first).couponId],
        released: [],
      });
      // Assess
      expect(await store.getCouponBudget(JOURNEY, DAY, READ)).toEqual({
        spent: 10,
        unsettled: {},
        spentByShard: [0, 10, 0, 0],
      });
    });

    it("removes the settled markers of its home shard only with a charge on that shard", async () => {
      // Prepare: shard 1 full with a settled coupon's marker.
      const { store } = await open();
      const [first = "", second = "", third = ""] = homedOn(1, 3);
      await store.chargeCouponBudget(charge(first, SHARDED));
      // Act: the next coupon of shard 1 lands on shard 2 carrying it; then shard 1 gets room and the third carries it.
      const elsewhere = await store.chargeCouponBudget(charge(second, SHARDED), [coupon(first).couponId]);
      const left = Object.keys((await store.getCouponBudget(JOURNEY, DAY, READ)).unsettled);
      await store.settleCouponCharges({
        journeyId: JOURNEY,
        day: DAY,
        shard: 1,
        settled: [],
        released: [{ couponId: coupon(first).couponId, amount: 10 }],
      });
      const home = await store.chargeCouponBudget(charge(third, SHARDED), [coupon(first).couponId]);
      // Assess
      expect(elsewhere).toEqual({ shard: 2 });
      expect(left.sort()).toEqual([coupon(first).couponId, coupon(second).couponId].sort());
      expect(home).toEqual({ shard: 1 });
      expect(Object.keys((await store.getCouponBudget(JOURNEY, DAY, READ)).unsettled).sort()).toEqual(
        [coupon(second).couponId, coupon(third).couponId].sort(),
      );
    });
  });
}
