import { hash53 } from "../shared/hash.ts";

/**
 * A coupon budget split over shards: a journey that charges more coupons a second than one DynamoDB item takes
 * (about 140: docs/capacity.md, "The coupon budget") spreads its day over `shards` items, each holding
 * perDay / shards of the limit. A coupon's home shard is a hash of its id, so its retry, its settlement and a
 * give-back go where its charge went; a charge its home shard has no room for tries the others in a fixed
 * order (shardOrder), so no coupon is withheld while any shard has room. One shard (the default): the budget
 * is the one item it always was.
 */

/** A coupon's home shard: the same coupon id, the same shard. */
export function budgetShardOf(couponId: string, shards: number): number {
  return shards <= 1 ? 0 : hash53(couponId) % shards;
}

/**
 * The part of `perDay` shard `shard` of `shards` holds: an integer split, the remainder one each on the first
 * shards, so the shards add up to exactly `perDay` (a sharded perDay is a whole number: see the policy schema).
 */
export function shardLimit(perDay: number, shards: number, shard: number): number {
  if (shards <= 1) return perDay;
  const base = Math.floor(perDay / shards);
  return base + (shard < perDay - base * shards ? 1 : 0);
}

/** The shards a charge tries, in order: its home shard, then the next ones round. A loop: every charge asks. */
export function shardOrder(home: number, shards: number): number[] {
  const count = Math.max(1, shards);
  const order: number[] = [];
  for (let step = 0; step < count; step++) order.push((home + step) % count);
  return order;
}
