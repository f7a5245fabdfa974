import { budgetKey } from "../engine/policy-state.ts";
import type { CouponSettlement } from "./ports.ts";

/**
 * At most this many markers removed by one write: a DynamoDB expression is at most 4 KB, and each marker
 * removed adds its name (`#m12, `) to it. In practice a budget day holds a handful: one per process charging.
 */
export const MAX_SETTLED_PER_WRITE = 100;

/**
 * Coupon charges whose decisions were saved and whose markers are still on their budget item, per budget
 * day, in one process. Settling them is not urgent: a marker only says "charged", which stays true, so
 * they wait here to be removed by the next charge on the same item (in its own write) or by the runtime's
 * flush at the end of a batch. A process that dies loses them, and leaves their markers on that day's item
 * until it expires: harmless, as a marker only says "charged" (its value is in `spent` once, whatever
 * reads it), and a later decision of its run that finds it settles it again rather than giving it back
 * (PolicyReservations.settle: the run holds the coupon).
 */
export class SettledCharges {
  private readonly byDay = new Map<string, { journeyId: string; day: string; couponIds: Set<string> }>();

  add(journeyId: string, day: string, couponIds: Iterable<string>): void {
    const key = budgetKey(journeyId, day);
    let queued = this.byDay.get(key);
    if (queued === undefined) {
      queued = { journeyId, day, couponIds: new Set() };
      this.byDay.set(key, queued);
    }
    for (const couponId of couponIds) queued.couponIds.add(couponId);
  }

  has(journeyId: string, day: string, couponId: string): boolean {
    return this.byDay.get(budgetKey(journeyId, day))?.couponIds.has(couponId) ?? false;
  }

  /** Up to MAX_SETTLED_PER_WRITE queued for the day, left queued (see `remove`), other than `except`. */
  peek(journeyId: string, day: string, except: string): string[] {
    const peeked: string[] = [];
    for (const couponId of this.byDay.get(budgetKey(journeyId, day))?.couponIds ?? []) {
      if (peeked.length >= MAX_SETTLED_PER_WRITE) break;
      if (couponId !== except) peeked.push(couponId);
    }
    return peeked;
  }

  /** Forgets settlements written (a concurrent charge may have carried some of them too: harmless). */
  remove(journeyId: string, day: string, couponIds: readonly string[]): void {
    const key = budgetKey(journeyId, day);
    const queued = this.byDay.get(key);
    if (queued === undefined) return;
    for (const couponId of couponIds) queued.couponIds.delete(couponId);
    if (queued.couponIds.size === 0) this.byDay.delete(key);
  }

  /** Takes everything queued, as settlements of at most MAX_SETTLED_PER_WRITE markers each. */
  drain(): CouponSettlement[] {
    const settlements: CouponSettlement[] = [];
    for (const { journeyId, day, couponIds } of this.byDay.values()) {
      const all = [...couponIds];
      for (let start = 0; start < all.length; start += MAX_SETTLED_PER_WRITE)
        settlements.push({ journeyId, day, settled: all.slice(start, start + MAX_SETTLED_PER_WRITE), released: [] });
    }
    this.byDay.clear();
    return settlements;
  }
}
