import type { CouponSettlement } from "../../runtime/ports.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/** A coupon's unsettled-charge marker: an attribute of its budget shard's item, `<value> <run id>`. */
export const MARK = "c#";

/** Names `#m0`, `#m1`, ... for the coupons' markers, added to `names`; returns them in order. */
export function markNames(couponIds: readonly string[], names: Record<string, string>): string[] {
  return couponIds.map((couponId, index) => {
    names[`#m${index}`] = `${MARK}${couponId}`;
    return `#m${index}`;
  });
}

/**
 * One UpdateItem on the settlement's shard: removes the markers of the settled and released coupons, and
 * subtracts the released ones' value, on condition that their markers are still there (a settlement retried
 * gives back nothing twice). Refused because one of several released charges was given back already, it
 * applied nothing: each of the settlement's parts is then written alone, so the others are still given back
 * and the settled ones settled.
 */
export async function settleCouponCharges(table: TableClient, settlement: CouponSettlement): Promise<void> {
  const names: Record<string, string> = {};
  const marks = markNames([...settlement.settled, ...settlement.released.map((r) => r.couponId)], names);
  if (marks.length === 0) return;
  const released = settlement.released.reduce((sum, r) => sum + r.amount, 0);
  const releasedMarks = marks.slice(settlement.settled.length);
  try {
    await table.update("settleCouponCharges", {
      Key: keys.budget(settlement.journeyId, settlement.day, settlement.shard),
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
  if (settlement.settled.length > 0) await settleCouponCharges(table, { ...settlement, released: [] });
  for (const released of settlement.released)
    await settleCouponCharges(table, { ...settlement, settled: [], released: [released] });
}
