import { budgetShardOf, shardLimit, shardOrder } from "../../engine/budget-shards.ts";
import type { CouponCharge } from "../../engine/policy-state.ts";
import type {
  BudgetReadOptions,
  ChargedOn,
  CouponBudget,
  CouponSettlement,
  CouponsTogether,
} from "../../runtime/ports.ts";

type Unsettled = Map<string, { amount: number; runId: string }>;

/**
 * The in-memory coupon budgets, as DynamoDB keeps them (functions/store/dynamodb/budgets.ts): per journey,
 * budget day and shard, the value charged and the charges not settled yet; a charge tries its home shard,
 * then the others in order, each within its part of the day's limit. So the simulator withholds the coupons
 * DynamoDB would, shard by shard.
 */
export class MemoryBudgets {
  /** Coupon value charged per `journeyId#day#shard`. */
  private readonly spent = new Map<string, number>();
  /** Charges not settled yet per `journeyId#day#shard`: coupon id to value. */
  private readonly unsettled = new Map<string, Unsettled>();

  read(journeyId: string, day: string, options?: BudgetReadOptions): CouponBudget {
    const read: CouponBudget = { spent: 0, unsettled: NO_MARKERS };
    const shards = Math.max(1, options?.shards ?? 1);
    if (shards > 1 && options?.shard === undefined) read.spentByShard = [];
    const only = options?.shard;
    for (let shard = only ?? 0; shard < (only === undefined ? shards : only + 1); shard++) {
      const key = shardKey(journeyId, day, shard);
      read.spent += this.spent.get(key) ?? 0;
      read.spentByShard?.push(this.spent.get(key) ?? 0);
      // Mostly none unsettled (settled once their decisions are saved): no entries to iterate then.
      for (const [couponId, { amount, runId }] of this.unsettled.get(key) ?? []) {
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
      const key = shardKey(charge.journeyId, charge.day, shard);
      let unsettled = this.unsettled.get(key);
      if (!unsettled?.has(charge.couponId)) {
        const spent = this.spent.get(key) ?? 0;
        // Refused: nothing changes, the settled markers included (as a refused conditional write).
        if (spent + charge.amount > shardLimit(charge.limit, shards, shard)) continue;
        this.spent.set(key, spent + charge.amount);
        unsettled ??= this.unsettledOn(key);
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
    const key = shardKey(first.journeyId, first.day, shard);
    const unsettled = this.unsettled.get(key);
    if (charges.some((charge) => unsettled?.has(charge.couponId))) return false;
    const spent = this.spent.get(key) ?? 0;
    const sum = charges.reduce((total, charge) => total + charge.amount, 0);
    if (spent + sum > shardLimit(first.limit, first.shards ?? 1, shard)) return false;
    this.spent.set(key, spent + sum);
    const marked = unsettled ?? this.unsettledOn(key);
    for (const couponId of settled) marked.delete(couponId);
    for (const charge of charges) marked.set(charge.couponId, { amount: charge.amount, runId: charge.runId });
    return true;
  }

  settle(settlement: CouponSettlement): void {
    const key = shardKey(settlement.journeyId, settlement.day, settlement.shard ?? 0);
    const unsettled = this.unsettled.get(key);
    for (const couponId of settlement.settled) unsettled?.delete(couponId);
    for (const { couponId, amount } of settlement.released) {
      if (!unsettled?.delete(couponId)) continue;
      this.spent.set(key, (this.spent.get(key) ?? 0) - amount);
    }
  }

  private unsettledOn(key: string): Unsettled {
    const unsettled: Unsettled = new Map();
    this.unsettled.set(key, unsettled);
    return unsettled;
  }
}

/** A read with no markers: one empty object for all of them (nothing adds to a read's markers). */
const NO_MARKERS: CouponBudget["unsettled"] = Object.freeze({});

/**
 * The markers of a read, keyed by coupon id: an object without a prototype, which V8 keeps as a dictionary.
 * A plain object given a new coupon id as a key each read grows a new hidden class each time.
 */
const markers = (): CouponBudget["unsettled"] => Object.create(null);

const shardKey = (journeyId: string, day: string, shard: number) => `${journeyId}#${day}#${shard}`;
