import { budgetShardOf, shardLimit, shardOrder } from "../../engine/budget-shards.ts";
import type { CouponCharge } from "../../engine/policy-state.ts";
import type {
  BudgetReadOptions,
  ChargedOn,
  CouponBudget,
  CouponSettlement,
  CouponsTogether,
} from "../../runtime/ports.ts";
import { entryOf, newMap } from "../../shared/maps.ts";

/** One shard of a budget day: the coupon value charged, and the charges not settled yet (coupon id to value). */
interface BudgetShard {
  spent: number;
  unsettled: Map<string, { amount: number; runId: string }>;
}

/**
 * The in-memory coupon budgets, as DynamoDB keeps them (functions/store/dynamodb/budgets.ts): per journey,
 * budget day and shard, the value charged and the charges not settled yet; a charge tries its home shard,
 * then the others in order, each within its part of the day's limit. So the simulator withholds the coupons
 * DynamoDB would, shard by shard.
 */
export class MemoryBudgets {
  /** Each budget day's shards, by journey and day: no key string is built for each read or charge. */
  private readonly days = new Map<string, Map<string, BudgetShard[]>>();

  read(journeyId: string, day: string, options?: BudgetReadOptions): CouponBudget {
    const read: CouponBudget = { spent: 0, unsettled: NO_MARKERS };
    const shards = Math.max(1, options?.shards ?? 1);
    if (shards > 1 && options?.shard === undefined) read.spentByShard = [];
    const only = options?.shard;
    const kept = this.days.get(journeyId)?.get(day);
    for (let shard = only ?? 0; shard < (only === undefined ? shards : only + 1); shard++) {
      const state = kept?.[shard];
      read.spent += state?.spent ?? 0;
      read.spentByShard?.push(state?.spent ?? 0);
      // Mostly none unsettled (settled once their decisions are saved): no entries to iterate then.
      if (state === undefined || state.unsettled.size === 0) continue;
      for (const [couponId, { amount, runId }] of state.unsettled) {
        if (read.unsettled === NO_MARKERS) read.unsettled = markers();
        read.unsettled[couponId] = { amount, runId, shard };
      }
    }
    return read;
  }

  charge(charge: CouponCharge, settled: readonly string[]): ChargedOn | undefined {
    const shards = charge.shards ?? 1;
    const home = budgetShardOf(charge.couponId, shards);
    for (const shard of shardOrder(home, shards)) {
      const state = this.shardOf(charge.journeyId, charge.day, shard);
      const { unsettled } = state;
      if (!unsettled.has(charge.couponId)) {
        // Refused: nothing changes, the settled markers included (as a refused conditional write).
        if (state.spent + charge.amount > shardLimit(charge.limit, shards, shard)) continue;
        state.spent += charge.amount;
        unsettled.set(charge.couponId, { amount: charge.amount, runId: charge.runId });
      }
      // The settled markers are the home shard's: a charge elsewhere leaves them to be settled.
      if (shard === home) for (const couponId of settled) if (couponId !== charge.couponId) unsettled.delete(couponId);
      return { shard };
    }
    return undefined;
  }

  /** All of the charges on the one shard, or none (as one conditional write: budgets.ts chargeCouponsTogether). */
  chargeTogether(together: CouponsTogether): boolean {
    const { charges, shard, settled = [] } = together;
    const first = charges[0];
    if (first === undefined) return true;
    const state = this.shardOf(first.journeyId, first.day, shard);
    const { unsettled } = state;
    if (charges.some((charge) => unsettled.has(charge.couponId))) return false;
    const sum = charges.reduce((total, charge) => total + charge.amount, 0);
    if (state.spent + sum > shardLimit(first.limit, first.shards ?? 1, shard)) return false;
    state.spent += sum;
    for (const couponId of settled) unsettled.delete(couponId);
    for (const charge of charges) unsettled.set(charge.couponId, { amount: charge.amount, runId: charge.runId });
    return true;
  }

  settle(settlement: CouponSettlement): void {
    const state = this.days.get(settlement.journeyId)?.get(settlement.day)?.[settlement.shard ?? 0];
    if (state === undefined) return;
    for (const couponId of settlement.settled) state.unsettled.delete(couponId);
    for (const { couponId, amount } of settlement.released) if (state.unsettled.delete(couponId)) state.spent -= amount;
  }

  /** A shard of a budget day, kept from its first charge on. */
  private shardOf(journeyId: string, day: string, shard: number): BudgetShard {
    const shards = entryOf(entryOf(this.days, journeyId, newMap<string, BudgetShard[]>), day, noShards);
    let state = shards[shard];
    if (state === undefined) {
      state = { spent: 0, unsettled: new Map() };
      shards[shard] = state;
    }
    return state;
  }
}

/** A read with no markers: one empty object for all of them (nothing adds to a read's markers). */
const NO_MARKERS: CouponBudget["unsettled"] = Object.freeze({});

/**
 * The markers of a read, keyed by coupon id: an object without a prototype, which V8 keeps as a dictionary.
 * A plain object given a new coupon id as a key each read grows a new hidden class each time.
 */
const markers = (): CouponBudget["unsettled"] => Object.create(null);

/** A budget day with no shard charged yet (for `entryOf`). */
const noShards = (): BudgetShard[] => [];
