import type { CouponCharge } from "../../engine/delivery.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * Coupon budgets: one item per journey and budget day, `BUDGET#<journey>#<day>` / `BUDGET`, holding the
 * value charged (`spent`) and the coupons counted (`issued`). A charge is one UpdateItem that adds the
 * value only if the day stays within its limit (`spent <= limit - amount`), evaluated by DynamoDB on the
 * item as it is: no read first and no revision, so a burst of sign-ups charging at once never contends
 * and never overspends. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 */

export async function getCouponBudget(
  table: TableClient,
  journeyId: string,
  day: string,
  consistent: boolean,
): Promise<number> {
  const output = await table.get("getCouponBudget", { Key: keys.budget(journeyId, day), ConsistentRead: consistent });
  const spent = output.Item?.spent;
  return typeof spent === "number" ? spent : 0;
}

/** True when charged; false (nothing added) when the charge would take the day past its limit. */
export async function chargeCouponBudget(table: TableClient, charge: CouponCharge, ttl: number): Promise<boolean> {
  if (charge.amount > charge.limit) return false;
  try {
    await table.update("chargeCouponBudget", {
      Key: keys.budget(charge.journeyId, charge.day),
      UpdateExpression: "ADD spent :amount, issued :one SET #ttl = if_not_exists(#ttl, :ttl)",
      ConditionExpression: "attribute_not_exists(spent) OR spent <= :room",
      ExpressionAttributeNames: { "#ttl": "ttl" },
      ExpressionAttributeValues: {
        ":amount": charge.amount,
        ":one": 1,
        ":ttl": ttl,
        ":room": charge.limit - charge.amount,
      },
    });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
