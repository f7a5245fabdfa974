import type { CouponRedemption } from "../../engine/model.ts";
import { parseInstant } from "../../shared/time.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * Keeps a coupon's redemption with one conditional PutItem, no read: true the first time, false when the
 * coupon was redeemed already (a redelivery or replay: refused, billed 1 WCU). The item expires
 * `retentionMs` after the redemption, well past the 14 days SQS keeps a message.
 */
export async function recordRedemption(
  table: TableClient,
  redemption: CouponRedemption,
  retentionMs: number,
): Promise<boolean> {
  const redeemedMs = parseInstant(redemption.redeemedAt) ?? 0;
  try {
    await table.put("recordRedemption", {
      Item: {
        ...keys.coupon(redemption.couponId),
        ...redemption,
        ttl: Math.ceil((redeemedMs + retentionMs) / 1000),
      },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}
