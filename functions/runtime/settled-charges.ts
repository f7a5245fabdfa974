import { entryOf, newMap } from "../shared/maps.ts";
import type { CouponSettlement } from "./ports.ts";

/**
 * At most this many markers removed by one write: a DynamoDB expression is at most 4 KB, and each marker
 * removed adds its name (`#m12, `) to it. In practice a budget day holds a handful: one per process charging.
 */
export const MAX_SETTLED_PER_WRITE = 100;

/** One item of a budget day: the shard its charges are on (0 for an unsharded budget). */
export interface BudgetShard {
  journeyId: string;
  day: string;
  shard: number;
}

/** The coupon ids queued for one budget item. */
interface Queued {
  item: BudgetShard;
  couponIds: Set<string>;
}

type ByDay = Map<string, Map<number, Queued>>;

/**
 * Coupon charges whose decisions were saved and whose markers are still on their budget item, per budget
 * day and shard (the item their charge is on), in one process. Settling them is not urgent: a marker only says "charged", which stays true, so
 * they wait here to be removed by the next charge on the same item (in its own write) or by the runtime's
 * flush at the end of a batch. A process that dies loses them, and leaves their markers on that day's item
 * until it expires: harmless, as a marker only says "charged" (its value is in `spent` once, whatever
 * reads it), and a later decision of its run that finds it settles it again rather than giving it back
 * (PolicyReservations.settle: the run holds the coupon).
 */
export class SettledCharges {
  /** By journey, day and shard: found with no key string built, as every coupon decision asks several times. */
  private readonly byJourney = new Map<string, ByDay>();

  add(item: BudgetShard, couponIds: Iterable<string>): void {
    const byShard = entryOf(
      entryOf(this.byJourney, item.journeyId, newMap<string, Map<number, Queued>>),
      item.day,
      newMap<number, Queued>,
    );
    let queued = byShard.get(item.shard);
    if (queued === undefined) {
      queued = { item: { journeyId: item.journeyId, day: item.day, shard: item.shard }, couponIds: new Set() };
      byShard.set(item.shard, queued);
    }
    for (const couponId of couponIds) queued.couponIds.add(couponId);
  }

  has(item: BudgetShard, couponId: string): boolean {
    return this.queued(item)?.couponIds.has(couponId) ?? false;
  }

  /** Up to MAX_SETTLED_PER_WRITE queued for the shard, left queued (see `remove`), other than `except`. */
  peek(item: BudgetShard, except: string): string[] {
    const peeked: string[] = [];
    for (const couponId of this.queued(item)?.couponIds ?? []) {
      if (peeked.length >= MAX_SETTLED_PER_WRITE) break;
      if (couponId !== except) peeked.push(couponId);
    }
    return peeked;
  }

  /** Forgets settlements written (a concurrent charge may have carried some of them too: harmless). */
  remove(item: BudgetShard, couponIds: readonly string[]): void {
    const byShard = this.byJourney.get(item.journeyId)?.get(item.day);
    const queued = byShard?.get(item.shard);
    if (byShard === undefined || queued === undefined) return;
    for (const couponId of couponIds) queued.couponIds.delete(couponId);
    // The day's and journey's maps stay until `drain`, at the batch's end: made again for each coupon, they
    // would be most of what a charge allocates.
    if (queued.couponIds.size === 0) byShard.delete(item.shard);
  }

  /** Takes everything queued, as settlements of at most MAX_SETTLED_PER_WRITE markers each. */
  drain(): CouponSettlement[] {
    const settlements: CouponSettlement[] = [];
    for (const byDay of this.byJourney.values())
      for (const byShard of byDay.values())
        for (const { item, couponIds } of byShard.values()) {
          const all = [...couponIds];
          const where = {
            journeyId: item.journeyId,
            day: item.day,
            ...(item.shard === 0 ? {} : { shard: item.shard }),
          };
          for (let start = 0; start < all.length; start += MAX_SETTLED_PER_WRITE)
            settlements.push({ ...where, settled: all.slice(start, start + MAX_SETTLED_PER_WRITE), released: [] });
        }
    this.byJourney.clear();
    return settlements;
  }

  private queued(item: BudgetShard): Queued | undefined {
    return this.byJourney.get(item.journeyId)?.get(item.day)?.get(item.shard);
  }
}
