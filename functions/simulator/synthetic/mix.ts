/** The probabilities behind the stream (per user, per order, or per event as the name says). */
export const SHOP_MIX = {
  /** Users' locales; the rest are zh-CN (the platform's default). */
  localeEnUs: 0.12,
  localeEn: 0.03,
  /** Registrations without a locale or a time zone (the platform's defaults apply). */
  noLocale: 0.02,
  noTimezone: 0.02,
  /** Unsubscribe from push within 3 days of registering (the onboarding guides stop), or from everything. */
  unsubscribePush: 0.06,
  unsubscribeAll: 0.015,
  /** Of those who unsubscribed: subscribe again 5-30 days later. */
  resubscribe: 0.2,
  /** A `user.updated` some time after registering. */
  profileUpdate: 0.1,
  /** First order within 7 days of registering (the new-user goal), or between day 7 and day 30. */
  firstOrderWithin7Days: 0.22,
  firstOrderBy30Days: 0.2,
  /** Of the users quiet for 30 days: an order between day 30 and day 50 (some within the comeback goal). */
  comeback: 0.3,
  /** After an order: another one (gap 1 day + exponential, mean 12 days). */
  repeatOrder: 0.35,
  maxOrders: 8,
  /** An order placed in a promotion window carries its promotionId. */
  promotionOrder: 0.75,
  /** Per delivered order: a review within 24 hours of delivery, or 1-6 days after it. */
  reviewWithin24h: 0.25,
  reviewLater: 0.15,
  /** Per order: refunded 2 hours to 5 days after delivery. */
  refund: 0.03,
  /** After the first delivery: the shop issues its own coupon; a share expire within a day of issue. */
  shopCoupon: 0.15,
  shopCouponShortLived: 0.1,
  /** Of the shop coupons: redeemed by an order before they expire. */
  shopCouponRedeemed: 0.4,
  /** Per event: delivered a second time, delivered late. */
  duplicate: 0.01,
  delayed: 0.02,
  /** Per event: an extra, broken copy of it follows. */
  invalid: 0.001,
} as const;
