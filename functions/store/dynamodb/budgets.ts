import type { CouponCharge } from "../../engine/policy-state.ts";
import type { CouponBudget, CouponSettlement } from "../../runtime/ports.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * Coupon budgets: one item per journey and budget day, `BUDGET#<journey>#<day>` / `BUDGET`, holding the
 * value charged (`spent`), the coupons counted (`issued`) and a marker `c#<couponId>` per charge not
 * settled yet. A handful at a time: a charge removes the markers its process settled since the last one
 * on the item, in the same write, so the item (and what every UpdateItem on it is billed by) stays small.
 * A charge is one UpdateItem that adds the value only if the day stays within its limit
 * (`spent <= limit - amount`), evaluated by DynamoDB on the item as it is: no read first and no revision,
 * so a burst of sign-ups charging at once never contends and never overspends.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */

/** A coupon's unsettled-charge marker: an attribute of the budget item, `<value> <run id>`. */
const MARK = "c#";

export async function getCouponBudget(
  table: TableClient,
  journeyId: string,
  day: string,
  consistent: boolean,
): Promise<CouponBudget> {
  const output = await table.get("getCouponBudget", { Key: keys.budget(journeyId, day), ConsistentRead: consistent });
  const item = output.Item ?? {};
  const unsettled: CouponBudget["unsettled"] = {};
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(MARK) || typeof value !== "string") continue;
    const [amount = "", runId = ""] = value.split(" ");
    unsettled[name.slice(MARK.length)] = { amount: Number(amount), runId };
  }
  return { spent: typeof item.spent === "number" ? item.spent : 0, unsettled };
}

/**
 * True when charged (now, or already: its marker is there); false (nothing added) when the charge would
 * take the day past its limit. The marker goes in with the charge, in the same write: a retry of a
 * decision that charged and died before its save finds it, and does not charge again. The `settled`
 * coupons' markers are removed by the same write; its condition is about the new coupon alone, and a
 * refused write applies nothing, so they stay (and stay the caller's to settle) when the charge is refused.
 */
export async function chargeCouponBudget(
  table: TableClient,
  charge: CouponCharge,
  ttl: number,
  settled: readonly string[] = [],
): Promise<boolean> {
  if (charge.amount > charge.limit) return false;
  // The new coupon's marker is set, never removed, by its own charge (DynamoDB refuses overlapping paths).
  const removed = settled.filter((couponId) => couponId !== charge.couponId);
  const names: Record<string, string> = { "#ttl": "ttl", "#mark": `${MARK}${charge.couponId}` };
  const marks = markNames(removed, names);
  try {
    await table.update("chargeCouponBudget", {
      Key: keys.budget(charge.journeyId, charge.day),
      UpdateExpression: `ADD spent :amount, issued :one SET #ttl = if_not_exists(#ttl, :ttl), #mark = :mark${
        marks.length > 0 ? ` REMOVE ${marks.join(", ")}` : ""
      }`,
      ConditionExpression: "attribute_not_exists(#mark) AND (attribute_not_exists(spent) OR spent <= :room)",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ":amount": charge.amount,
        ":one": 1,
        ":ttl": ttl,
        ":room": charge.limit - charge.amount,
        ":mark": `${charge.amount} ${charge.runId}`,
      },
    });
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return chargedAlready(table, charge, removed);
  }
}

/**
 * After a refused charge: the coupon is charged already (an earlier attempt), or the day has no room for
 * it. Charged already (rare: the decision's budget read missed the marker) keeps the promise that the
 * settled markers are gone, with a write of their own.
 */
async function chargedAlready(table: TableClient, charge: CouponCharge, settled: readonly string[]): Promise<boolean> {
  const budget = await getCouponBudget(table, charge.journeyId, charge.day, true);
  if (budget.unsettled[charge.couponId] === undefined) return false;
  if (settled.length > 0)
    await settleCouponCharges(table, {
      journeyId: charge.journeyId,
      day: charge.day,
      settled: [...settled],
      released: [],
    });
  return true;
}

/** Names `#m0`, `#m1`, ... for the coupons' markers, added to `names`; returns them in order. */
function markNames(couponIds: readonly string[], names: Record<string, string>): string[] {
  return couponIds.map((couponId, index) => {
    names[`#m${index}`] = `${MARK}${couponId}`;
    return `#m${index}`;
  });
}

/**
 * One UpdateItem: removes the markers of the settled and released coupons, and subtracts the released
 * ones' value, on condition that their markers are still there (a settlement retried gives back nothing twice).
 * Refused because one of several released charges was given back already, it applied nothing: each of the
 * settlement's parts is then written alone, so the others are still given back and the settled ones settled.
 */
export async function settleCouponCharges(table: TableClient, settlement: CouponSettlement): Promise<void> {
  const names: Record<string, string> = {};
  const marks = markNames([...settlement.settled, ...settlement.released.map((r) => r.couponId)], names);
  if (marks.length === 0) return;
  const released = settlement.released.reduce((sum, r) => sum + r.amount, 0);
  const releasedMarks = marks.slice(settlement.settled.length);
  try {
    await table.update("settleCouponCharges", {
      Key: keys.budget(settlement.journeyId, settlement.day),
      UpdateExpression: `REMOVE ${marks.join(", ")}${released > 0 ? " ADD spent :minus, issued :count" : ""}`,
      ...(releasedMarks.length > 0
        ? { ConditionExpression: releasedMarks.map((mark) => `attribute_exists(${mark})`).join(" AND ") }
        : {}),
      ExpressionAttributeNames: names,
      ...(released > 0
        ? { ExpressionAttributeValues: { ":minus": -released, ":count": -settlement.released.length } }
        : {}),
    });
  } catch (error) {
    if (!isConditionFailure(error)) throw error; // released already
    if (marks.length > 1) await settleOneByOne(table, settlement);
  }
}

/** The settled markers in one write, then each released charge in a write of its own (see settleCouponCharges). */
async function settleOneByOne(table: TableClient, settlement: CouponSettlement): Promise<void> {
  const { journeyId, day } = settlement;
  if (settlement.settled.length > 0) await settleCouponCharges(table, { ...settlement, released: [] });
  for (const released of settlement.released)
    await settleCouponCharges(table, { journeyId, day, settled: [], released: [released] });
}
