import type { ShopEvent } from "../../../events/catalog.ts";
import type { CouponRecord } from "../../engine/model.ts";
import { formatInstant, parseInstant } from "../../engine/time.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * The coupon projection of `applyCouponEvent` as one UpdateItem a event, no read: `coupon.issued` sets
 * the details only while `issuedAt` is absent, `coupon.redeemed` sets the redemption only while the coupon
 * is not redeemed, and each fills `couponId`/`userId`/`status` only where absent. A redelivered event fails
 * its condition and changes nothing; a redemption that arrives first keeps its status when the issue
 * event fills in the details. The item expires `retentionMs` after the coupon does. Returns the coupon as
 * the update left it (ReturnValues ALL_NEW: no extra capacity), undefined when the event changed nothing.
 */
export async function recordCouponEvent(
  table: TableClient,
  event: ShopEvent,
  retentionMs: number,
): Promise<CouponRecord | undefined> {
  const detail = event.detail;
  const couponId = str(detail.couponId);
  const userId = str(detail.userId);
  if (couponId === undefined || userId === undefined) return undefined;
  const at = formatInstant(parseInstant(event.time) ?? 0);
  const sets = ["couponId = if_not_exists(couponId, :couponId)", "userId = if_not_exists(userId, :userId)"];
  const names: Record<string, string> = { "#status": "status" };
  const values: Record<string, unknown> = { ":couponId": couponId, ":userId": userId, ":at": at };
  let condition: string;
  switch (event["detail-type"]) {
    case "coupon.issued": {
      sets.push("#status = if_not_exists(#status, :issued)", "issuedAt = :at");
      values[":issued"] = "issued";
      const code = str(detail.code);
      const expiresAt = str(detail.expiresAt);
      if (code !== undefined) {
        sets.push("#code = :code");
        names["#code"] = "code";
        values[":code"] = code;
      }
      if (typeof detail.amountOff === "number") {
        sets.push("amountOff = :amountOff");
        values[":amountOff"] = detail.amountOff;
      }
      // Nudge's own coupons name the journey that issued them: its redemptions count for that journey.
      const journeyId = str(detail.journeyId);
      if (journeyId !== undefined) {
        sets.push("journeyId = :journeyId");
        values[":journeyId"] = journeyId;
      }
      if (typeof detail.journeyVersion === "number") {
        sets.push("journeyVersion = :journeyVersion");
        values[":journeyVersion"] = detail.journeyVersion;
      }
      const expiresMs = parseInstant(expiresAt);
      if (expiresAt !== undefined) {
        sets.push("expiresAt = :expiresAt");
        values[":expiresAt"] = expiresAt;
      }
      if (expiresMs !== undefined) {
        sets.push("#ttl = :ttl");
        names["#ttl"] = "ttl";
        values[":ttl"] = Math.ceil((expiresMs + retentionMs) / 1000);
      }
      condition = "attribute_not_exists(issuedAt)";
      break;
    }
    case "coupon.redeemed": {
      sets.push("#status = :redeemed", "redeemedAt = :at");
      values[":redeemed"] = "redeemed";
      const orderId = str(detail.orderId);
      if (orderId !== undefined) {
        sets.push("orderId = :orderId");
        values[":orderId"] = orderId;
      }
      condition = "attribute_not_exists(#status) OR #status <> :redeemed";
      break;
    }
    default:
      return undefined;
  }
  try {
    const output = await table.update("recordCouponEvent", {
      Key: keys.coupon(couponId),
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: "ALL_NEW",
    });
    return output.Attributes === undefined ? undefined : couponOf(output.Attributes);
  } catch (error) {
    if (!isConditionFailure(error)) throw error; // already applied: nothing to change
    return undefined;
  }
}

const FIELDS = [
  "code",
  "amountOff",
  "expiresAt",
  "issuedAt",
  "redeemedAt",
  "orderId",
  "journeyId",
  "journeyVersion",
] as const;

function couponOf(item: Record<string, unknown>): CouponRecord {
  const coupon: CouponRecord = {
    couponId: String(item.couponId),
    userId: String(item.userId),
    status: item.status === "redeemed" ? "redeemed" : "issued",
  };
  for (const field of FIELDS) {
    if (item[field] !== undefined) Object.assign(coupon, { [field]: item[field] });
  }
  return coupon;
}

export async function getCoupon(
  table: TableClient,
  couponId: string,
  consistent: boolean,
): Promise<CouponRecord | undefined> {
  const output = await table.get("getCoupon", { Key: keys.coupon(couponId), ConsistentRead: consistent });
  return output.Item === undefined ? undefined : couponOf(output.Item);
}
