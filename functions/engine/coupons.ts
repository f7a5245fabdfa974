import type { ShopEvent } from "../../events/catalog.ts";
import type { CouponRecord } from "./model.ts";
import { formatInstant, parseInstant } from "./time.ts";

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * The coupon projection: what `coupon.issued` and `coupon.redeemed` events teach about one coupon. Pure
 * and idempotent; a redemption that arrives before its issue event is kept, and the issue event later
 * fills in the details without undoing it. Returns undefined when the event changes nothing.
 */
export function applyCouponEvent(coupon: CouponRecord | undefined, event: ShopEvent): CouponRecord | undefined {
  const couponId = str(event.detail.couponId);
  const userId = str(event.detail.userId);
  if (couponId === undefined || userId === undefined) return undefined;
  const at = formatInstant(parseInstant(event.time) ?? 0);
  const base: CouponRecord = coupon ?? { couponId, userId, status: "issued" };
  switch (event["detail-type"]) {
    case "coupon.issued": {
      if (coupon?.issuedAt !== undefined) return undefined;
      const detail = event.detail;
      return {
        ...base,
        issuedAt: at,
        ...(str(detail.code) === undefined ? {} : { code: str(detail.code) }),
        ...(typeof detail.amountOff === "number" ? { amountOff: detail.amountOff } : {}),
        ...(str(detail.journeyId) === undefined ? {} : { journeyId: str(detail.journeyId) }),
        ...(typeof detail.journeyVersion === "number" ? { journeyVersion: detail.journeyVersion } : {}),
        ...(str(detail.expiresAt) === undefined ? {} : { expiresAt: str(detail.expiresAt) }),
      };
    }
    case "coupon.redeemed": {
      if (coupon?.status === "redeemed") return undefined;
      const orderId = str(event.detail.orderId);
      return { ...base, status: "redeemed", redeemedAt: at, ...(orderId === undefined ? {} : { orderId }) };
    }
    default:
      return undefined;
  }
}

/** Whether a coupon is past its expiry at a time and was not redeemed. */
export function isExpired(coupon: CouponRecord, now: number): boolean {
  const expiresAt = parseInstant(coupon.expiresAt);
  return coupon.status !== "redeemed" && expiresAt !== undefined && now >= expiresAt;
}
