import { SHOP_MIX } from "./mix.ts";
import { type Plan, schedule } from "./schedule.ts";
import { DAY, endOfShanghaiDay, HOUR, isoShanghai, MINUTE, orderDate } from "./time.ts";

/** Promotion windows: 4 days every 14 days, from day 3 of the period. */
const PROMOTION_FIRST_DAY = 3;
const PROMOTION_EVERY_DAYS = 14;
const PROMOTION_LENGTH_DAYS = 4;
const PROMOTION_NAMES = ["Spring Sale", "Member Days", "Mid-Year Festival", "Double 11", "Double 12", "New Year Sale"];

export interface Promotion {
  id: string;
  name: string;
  from: number;
  to: number;
}

/** The period's promotion windows, in order. */
export function promotionsOf(startMs: number, days: number): Promotion[] {
  const promotions: Promotion[] = [];
  for (let day = PROMOTION_FIRST_DAY, n = 0; day < days; day += PROMOTION_EVERY_DAYS, n++) {
    const from = startMs + day * DAY;
    promotions.push({
      id: `promo_${orderDate(from)}`,
      name: PROMOTION_NAMES[n % PROMOTION_NAMES.length] ?? "Sale",
      from,
      to: from + PROMOTION_LENGTH_DAYS * DAY,
    });
  }
  return promotions;
}

const LOCALES_AND_ZONES = {
  "zh-CN": ["Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Singapore"],
  "en-US": ["America/New_York", "America/Los_Angeles", "America/Chicago", "Asia/Shanghai"],
  en: ["Europe/London", "Asia/Hong_Kong", "Australia/Sydney"],
} as const;
const CHANNELS = ["app", "app", "wechat-miniprogram", "wechat-miniprogram", "web"] as const;
const PAYMENT_METHODS = ["alipay", "wechatpay", "wechatpay", "unionpay"] as const;
const CARRIERS = ["SF Express", "JD Logistics", "ZTO Express", "YTO Express"] as const;
const TIERS = ["bronze", "silver", "gold"] as const;
const REVIEW_TEXTS = [
  "Fast delivery, great quality.",
  "As described, would buy again.",
  "Packaging could be better.",
  "Good value for the price.",
  "",
] as const;

/** Plans one user's whole timeline onto the queue. */
export function planUser(plan: Plan, n: number, registeredAt: number, promotions: readonly Promotion[]): void {
  const { draw } = plan;
  const userId = `u_${String(n + 1).padStart(6, "0")}`;

  // Registration: locale and time zone (some left out), channel, contact details.
  const localeDraw = draw.next();
  const locale =
    localeDraw < SHOP_MIX.localeEnUs
      ? "en-US"
      : localeDraw < SHOP_MIX.localeEnUs + SHOP_MIX.localeEn
        ? "en"
        : localeDraw < SHOP_MIX.localeEnUs + SHOP_MIX.localeEn + SHOP_MIX.noLocale
          ? undefined
          : "zh-CN";
  const timezone = draw.chance(SHOP_MIX.noTimezone) ? undefined : draw.pick(LOCALES_AND_ZONES[locale ?? "zh-CN"]);
  const registered: Record<string, unknown> = { userId };
  if (locale !== undefined) registered.locale = locale;
  if (timezone !== undefined) registered.timezone = timezone;
  registered.channel = draw.pick(CHANNELS);
  if (draw.chance(0.7)) registered.email = `user${n + 1}@example.${locale === "zh-CN" ? "cn" : "com"}`;
  if (draw.chance(0.8)) registered.phone = `+86138${String(n % 100_000_000).padStart(8, "0")}`;
  registered.attributes = { tier: "bronze", birthYear: 1960 + Math.floor(draw.next() * 46), marketingOptIn: true };
  schedule(plan, registeredAt, "user.registered", registered);

  // Consent: some turn push off (or everything) in the first days; a few turn it back on later.
  const consentDraw = draw.next();
  if (consentDraw < SHOP_MIX.unsubscribePush + SHOP_MIX.unsubscribeAll) {
    const push = consentDraw < SHOP_MIX.unsubscribePush;
    const at = registeredAt + Math.round(draw.between(10 * MINUTE, 3 * DAY));
    schedule(plan, at, "user.unsubscribed", push ? { userId, channel: "push" } : { userId });
    if (draw.chance(SHOP_MIX.resubscribe)) {
      const again = at + Math.round(draw.between(5 * DAY, 30 * DAY));
      schedule(plan, again, "user.subscribed", push ? { userId, channel: "push" } : { userId });
    }
  }
  if (draw.chance(SHOP_MIX.profileUpdate)) {
    const at = registeredAt + Math.round(draw.between(DAY, 40 * DAY));
    schedule(plan, at, "user.updated", {
      userId,
      attributes: { tier: draw.pick(TIERS), newsletter: draw.chance(0.5) },
    });
  }

  // Orders: the first one (soon, later, or after a quiet month), then a chain of repeat orders.
  const orderTimes: number[] = [];
  const firstDraw = draw.next();
  let at: number | undefined;
  if (firstDraw < SHOP_MIX.firstOrderWithin7Days) {
    // Early-skewed: most first orders come in the first days.
    at = registeredAt + Math.round(5 * MINUTE + draw.next() ** 1.5 * (7 * DAY - 10 * MINUTE));
  } else if (firstDraw < SHOP_MIX.firstOrderWithin7Days + SHOP_MIX.firstOrderBy30Days) {
    at = registeredAt + Math.round(draw.between(7 * DAY + HOUR, 30 * DAY - HOUR));
  } else if (draw.chance(SHOP_MIX.comeback)) {
    at = registeredAt + Math.round(draw.between(30 * DAY + HOUR, 50 * DAY));
  }
  while (at !== undefined && at < plan.endMs && orderTimes.length < SHOP_MIX.maxOrders) {
    orderTimes.push(at);
    at = draw.chance(SHOP_MIX.repeatOrder) ? at + DAY + Math.round(-Math.log(1 - draw.next()) * 12 * DAY) : undefined;
  }

  let orders = 0;
  const placeOrder = (placedAt: number, couponId?: string): number => {
    orders++;
    const orderId = `SO-${orderDate(placedAt)}-${String(n + 1).padStart(6, "0")}${orders}`;
    const promotion = promotions.find((p) => placedAt >= p.from && placedAt < p.to);
    const promotionId = promotion && draw.chance(SHOP_MIX.promotionOrder) ? promotion.id : undefined;
    const amount = Math.round((19.9 + draw.next() ** 2 * 580) * 10) / 10;
    const placed: Record<string, unknown> = { userId, orderId, amount, currency: "CNY" };
    if (couponId !== undefined) placed.couponIds = [couponId];
    if (promotionId !== undefined) placed.promotionId = promotionId;
    placed.paymentMethod = draw.pick(PAYMENT_METHODS);
    schedule(plan, placedAt, "order.placed", placed);
    if (couponId !== undefined) schedule(plan, placedAt + 2000, "coupon.redeemed", { userId, couponId, orderId });

    const deliveredAt = placedAt + Math.round(draw.between(18 * HOUR, 4 * DAY));
    const delivered: Record<string, unknown> = { userId, orderId };
    if (promotionId !== undefined) delivered.promotionId = promotionId;
    delivered.carrier = draw.pick(CARRIERS);
    schedule(plan, deliveredAt, "order.delivered", delivered);
    if (draw.chance(SHOP_MIX.refund)) {
      const refundedAt = deliveredAt + Math.round(draw.between(2 * HOUR, 5 * DAY));
      schedule(plan, refundedAt, "order.refunded", { userId, orderId, amount });
    }
    const reviewDraw = draw.next();
    if (reviewDraw < SHOP_MIX.reviewWithin24h + SHOP_MIX.reviewLater) {
      const reviewedAt =
        deliveredAt +
        Math.round(
          reviewDraw < SHOP_MIX.reviewWithin24h
            ? draw.between(10 * MINUTE, 23 * HOUR)
            : draw.between(25 * HOUR, 6 * DAY),
        );
      const rating = draw.pick([5, 5, 5, 4, 4, 3, 2, 1]);
      schedule(plan, reviewedAt, "review.posted", { userId, orderId, rating, text: draw.pick(REVIEW_TEXTS) });
    }
    return deliveredAt;
  };

  for (const [index, placedAt] of orderTimes.entries()) {
    const deliveredAt = placeOrder(placedAt);
    if (index !== 0 || !draw.chance(SHOP_MIX.shopCoupon)) continue;
    // The shop thanks some first-time buyers with a coupon of its own, which this generator may redeem.
    const issuedAt = deliveredAt + Math.round(draw.between(HOUR, 2 * DAY));
    const expiresAt = draw.chance(SHOP_MIX.shopCouponShortLived)
      ? issuedAt + Math.round(draw.between(6 * HOUR, 20 * HOUR))
      : endOfShanghaiDay(issuedAt, 7 + Math.floor(draw.next() * 8));
    const couponId = `cpn_shop_${String(n + 1).padStart(6, "0")}`;
    schedule(plan, issuedAt, "coupon.issued", {
      userId,
      couponId,
      code: `THANKS${draw.pick([10, 20])}-${Math.floor(draw.next() * 36 ** 4)
        .toString(36)
        .toUpperCase()
        .padStart(4, "0")}`,
      amountOff: draw.pick([10, 20]),
      expiresAt: isoShanghai(expiresAt),
      minSpend: 99,
      freeShipping: draw.chance(0.5),
    });
    if (draw.chance(SHOP_MIX.shopCouponRedeemed)) {
      placeOrder(issuedAt + Math.round(draw.next() * (expiresAt - issuedAt - 5 * MINUTE)), couponId);
    }
  }
}
