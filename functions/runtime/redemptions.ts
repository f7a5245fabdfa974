import type { ShopEvent } from "../../events/catalog.ts";
import type { JourneyCatalog } from "../engine/catalog.ts";
import { couponIssuerOf } from "../engine/coupon-ids.ts";
import type { StatsCounter } from "../engine/model.ts";
import { redemptionStatsOf } from "../engine/stats.ts";
import { andThen } from "./awaitable.ts";
import type { Awaitable, CouponStore } from "./ports.ts";

/**
 * The counters a `coupon.redeemed` event adds: for one of Nudge's coupons redeemed for the first time, one
 * redemption and its value for the journey version that issued it (named by the coupon's id). The shop's
 * own coupons count nothing and cost no write. At once when the store writes at once.
 */
export function redemptionCounters(
  store: CouponStore,
  catalog: JourneyCatalog,
  event: ShopEvent,
): Awaitable<StatsCounter[]> {
  const { couponId, userId, orderId } = event.detail;
  if (typeof couponId !== "string" || typeof userId !== "string" || typeof orderId !== "string") return [];
  const issuer = couponIssuerOf(couponId);
  if (issuer === undefined) return [];
  const redeemedAt = event.time;
  return andThen(store.recordRedemption({ couponId, userId, orderId, redeemedAt }), (first) => {
    if (!first) return [];
    // The value the step issued: a version no longer deployed still counts the redemption, at no value.
    const step = catalog.get(issuer.journeyId, issuer.version)?.journey.steps.find((s) => s.id === issuer.stepId);
    const amountOff = step?.type === "issue-coupon" ? step.amountOff : 0;
    return redemptionStatsOf({ issuer, redeemedAt, amountOff }, catalog.keepsHours);
  });
}
