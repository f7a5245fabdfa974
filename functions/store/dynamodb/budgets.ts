import { budgetShardOf, shardLimit, shardOrder } from "../../engine/budget-shards.ts";
import type { CouponCharge } from "../../engine/policy-state.ts";
import type { ChargedOn, CouponBudget, CouponsTogether } from "../../runtime/ports.ts";
import { MARK, markNames, settleCouponCharges } from "./budget-settlements.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * Coupon budgets: per journey and budget day, `shards` items (one unless the journey's `couponBudget.shards`
 * says more: functions/engine/budget-shards.ts), `BUDGET#<journey>#<day>[#<shard>]` / `BUDGET`, each holding
 * its part of the day's limit: the value charged to it (`spent`), the coupons counted (`issued`) and a marker
 * `c#<couponId>` per charge on it not settled yet. A handful at a time: a charge removes the markers its
 * process settled since the last one on the item, in the same write, so the item (and what every UpdateItem
 * on it is billed by) stays small. A charge is one UpdateItem that adds the value only if the shard stays
 * within its part (`spent <= part - amount`), evaluated by DynamoDB on the item as it is: no read first and
 * no revision, so a burst of sign-ups charging at once never contends and never overspends.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */

export { settleCouponCharges } from "./budget-settlements.ts";

/**
 * The day's budget: every shard's item read, in parallel (one GetItem each: S x 0.5 RCU eventually
 * consistent, S x 1 consistent, as a BatchGetItem of them would bill), `spent` summed and the markers of all;
 * or, with `shard`, that one shard's item alone (a coupon's home shard: the runtime's first read).
 */
export async function getCouponBudget(
  table: TableClient,
  budget: { journeyId: string; day: string; shards: number; shard?: number },
  consistent: boolean,
): Promise<CouponBudget> {
  const shards =
    budget.shard === undefined
      ? Array.from({ length: Math.max(1, budget.shards) }, (_, shard) => shard)
      : [budget.shard];
  const items = await Promise.all(
    shards.map(async (shard) => {
      const Key = keys.budget(budget.journeyId, budget.day, shard);
      return (await table.get("getCouponBudget", { Key, ConsistentRead: consistent })).Item ?? {};
    }),
  );
  const read: CouponBudget = { spent: 0, unsettled: {} };
  for (const [shard, item] of items.entries()) {
    if (typeof item.spent === "number") read.spent += item.spent;
    Object.assign(read.unsettled, markersOf(item, shard));
  }
  if (items.length > 1) read.spentByShard = items.map((item) => (typeof item.spent === "number" ? item.spent : 0));
  // One shard read: its markers are named by the shard itself, not by its place in `items`.
  if (budget.shard !== undefined) for (const marker of Object.values(read.unsettled)) marker.shard = budget.shard;
  return read;
}

function markersOf(item: Record<string, unknown>, shard: number): CouponBudget["unsettled"] {
  const unsettled: CouponBudget["unsettled"] = {};
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(MARK) || typeof value !== "string") continue;
    const [amount = "", runId = ""] = value.split(" ");
    unsettled[name.slice(MARK.length)] = { amount: Number(amount), runId, shard };
  }
  return unsettled;
}

/**
 * The shard charged (now, or already: its marker is there); undefined (nothing added) when no shard has room.
 * The coupon's home shard first, then the others in order (shardOrder): every attempt at the same coupon
 * tries them in the same order and, refused by one, looks there for its marker before going on, so two
 * attempts racing meet on the first shard either can charge and the coupon is charged once. The marker goes
 * in with the charge, in the same write: a retry of a decision that charged and died before its save finds
 * it, and does not charge again. The `settled` coupons' markers (on the home shard) are removed by the home
 * shard's write; its condition is about the new coupon alone, and a refused write applies nothing, so they
 * stay (and stay the caller's to settle) unless the coupon is charged on its home shard.
 */
// One window is left open: a retry that did not see its own marker on another shard than its home (its budget
// read eventually consistent, within a second of the charge) and finds room given back since on a shard before
// that one in its order charges the coupon again. Retries after a lost race read consistently; a redelivery comes a visibility timeout
// later, long after the read has caught up.
export async function chargeCouponBudget(
  table: TableClient,
  charge: CouponCharge,
  ttl: number,
  settled: readonly string[] = [],
): Promise<ChargedOn | undefined> {
  const shards = charge.shards ?? 1;
  const home = budgetShardOf(charge.couponId, shards);
  for (const shard of shardOrder(home, shards)) {
    const part = shardLimit(charge.limit, shards, shard);
    if (charge.amount > part) continue;
    // The new coupon's marker is set, never removed, by its own charge (DynamoDB refuses overlapping paths).
    const removed = shard === home ? settled.filter((couponId) => couponId !== charge.couponId) : [];
    if (await chargeShard(table, { charge, shard, part, ttl, removed })) return { shard };
    if (await chargedAlready(table, { charge, shard, removed })) return { shard };
  }
  return undefined;
}

interface ShardCharge {
  charge: CouponCharge;
  shard: number;
  /** The shard's part of the day's limit. */
  part: number;
  ttl: number;
  /** Settled markers removed in the same write. */
  removed: readonly string[];
}

/** One conditional UpdateItem on the shard: true when charged, false when refused (no room, or marked already). */
async function chargeShard(table: TableClient, request: ShardCharge): Promise<boolean> {
  const { charge, shard, part, ttl, removed } = request;
  const names: Record<string, string> = { "#ttl": "ttl", "#mark": `${MARK}${charge.couponId}` };
  const marks = markNames(removed, names);
  try {
    await table.update("chargeCouponBudget", {
      Key: keys.budget(charge.journeyId, charge.day, shard),
      UpdateExpression: `ADD spent :amount, issued :one SET #ttl = if_not_exists(#ttl, :ttl), #mark = :mark${
        marks.length > 0 ? ` REMOVE ${marks.join(", ")}` : ""
      }`,
      ConditionExpression: "attribute_not_exists(#mark) AND (attribute_not_exists(spent) OR spent <= :room)",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ":amount": charge.amount,
        ":one": 1,
        ":ttl": ttl,
        ":room": part - charge.amount,
        ":mark": `${charge.amount} ${charge.runId}`,
      },
    });
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}

/**
 * Charges coupons of one budget day to one shard in one UpdateItem: their values added and their markers set,
 * on condition that the shard stays within its part and that none of them is marked there already; refused,
 * it applies nothing (false), and their decisions charge them one by one. The `settled` markers go in the same
 * write, as a charge's. A DynamoDB expression is at most 4 KB: a caller sends a few dozen coupons at most
 * (PolicyReservations.precharge).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters
 */
export async function chargeCouponsTogether(
  table: TableClient,
  together: CouponsTogether,
  ttl: number,
): Promise<boolean> {
  const { charges, shard } = together;
  const first = charges[0];
  if (first === undefined) return true;
  const names: Record<string, string> = { "#ttl": "ttl" };
  const values: Record<string, unknown> = { ":ttl": ttl, ":count": charges.length };
  const marks = charges.map((charge, index) => {
    names[`#c${index}`] = `${MARK}${charge.couponId}`;
    values[`:c${index}`] = `${charge.amount} ${charge.runId}`;
    return `#c${index}`;
  });
  const sum = charges.reduce((total, charge) => total + charge.amount, 0);
  const part = shardLimit(first.limit, first.shards ?? 1, shard);
  // A shard never charged has no `spent` for the condition to compare: more than its part is refused here.
  if (sum > part) return false;
  values[":sum"] = sum;
  values[":room"] = part - sum;
  const charged = new Set(charges.map((charge) => charge.couponId));
  const removed = markNames(
    (together.settled ?? []).filter((couponId) => !charged.has(couponId)),
    names,
  );
  try {
    await table.update("chargeCouponBudget", {
      Key: keys.budget(first.journeyId, first.day, shard),
      UpdateExpression: `ADD spent :sum, issued :count SET #ttl = if_not_exists(#ttl, :ttl), ${marks
        .map((mark, index) => `${mark} = :c${index}`)
        .join(", ")}${removed.length > 0 ? ` REMOVE ${removed.join(", ")}` : ""}`,
      ConditionExpression: `${marks.map((mark) => `attribute_not_exists(${mark})`).join(" AND ")} AND (attribute_not_exists(spent) OR spent <= :room)`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}

/**
 * After a refused charge on a shard (one consistent GetItem): the coupon is charged there already (an earlier
 * attempt), or the shard has no room for it. Charged already (rare: the decision's budget read missed the
 * marker) keeps the promise that the settled markers are gone, with a write of their own.
 */
async function chargedAlready(
  table: TableClient,
  request: { charge: CouponCharge; shard: number; removed: readonly string[] },
): Promise<boolean> {
  const { charge, shard, removed } = request;
  const Key = keys.budget(charge.journeyId, charge.day, shard);
  const item = (await table.get("getCouponBudget", { Key, ConsistentRead: true })).Item ?? {};
  if (markersOf(item, shard)[charge.couponId] === undefined) return false;
  if (removed.length > 0)
    await settleCouponCharges(table, {
      journeyId: charge.journeyId,
      day: charge.day,
      shard,
      settled: [...removed],
      released: [],
    });
  return true;
}
