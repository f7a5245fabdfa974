import { describe, expect, it } from "vitest";
import { budgetShardOf, shardLimit, shardOrder } from "../../functions/engine/budget-shards.ts";

describe("a coupon budget split over shards", () => {
  it("gives each shard perDay / shards, the remainder one each on the first shards, adding up to perDay", () => {
    // Act
    const parts = [0, 1, 2, 3].map((shard) => shardLimit(42, 4, shard));
    const memberDay = Array.from({ length: 16 }, (_, shard) => shardLimit(200000, 16, shard));
    // Assess
    expect(parts).toEqual([11, 11, 10, 10]);
    expect(memberDay.every((part) => part === 12500)).toBe(true);
    expect(shardLimit(99.5, 1, 0)).toBe(99.5);
  });

  it("puts a coupon on the same home shard every time, spreading coupons over every shard", () => {
    // Prepare
    const couponIds = Array.from({ length: 400 }, (_, i) => `cpn.member-day.1.issue-silver.u${i}`);
    // Act
    const homes = couponIds.map((couponId) => budgetShardOf(couponId, 16));
    // Assess
    expect(couponIds.map((couponId) => budgetShardOf(couponId, 16))).toEqual(homes);
    expect(new Set(homes).size).toBe(16);
    expect(budgetShardOf(couponIds[0] ?? "", 1)).toBe(0);
  });

  it("tries the home shard first, then the next ones round", () => {
    // Act / Assess
    expect(shardOrder(2, 4)).toEqual([2, 3, 0, 1]);
    expect(shardOrder(0, 1)).toEqual([0]);
  });
});
