import { type Plan, schedule } from "./schedule.ts";
import { DAY, HOUR, MINUTE } from "./time.ts";

/** Mixed into the stream's seed for the engagement draws: a stream of its own per user. */
export const ENGAGEMENT_SEED = 0x5eed_e9a6;

/** The probabilities behind the engagement events (per user, or per day as the name says). */
export const ENGAGEMENT_MIX = {
  /** Users who check in (签到) at all; of their days from registration, the share with a check-in. */
  checksIn: 0.25,
  checkInDay: 0.6,
  /** Users who add to the cart, and how many times at most (1 to this, over the period). */
  addsToCart: 0.5,
  maxCartAdds: 4,
  /** Users who favourite products, and how many at most. */
  favorites: 0.3,
  maxFavorites: 3,
} as const;

const PRODUCTS = ["sku-1001", "sku-1002", "sku-2001", "sku-3005", "sku-4410", "sku-5120"] as const;

/**
 * One user's engagement: check-ins on some days from registration (a habit: a day's draw, in the
 * evening of Shanghai, 19:00-23:00), cart additions and favourites spread over the period. The events the
 * computed traits learn from (journeys/traits.json), for the segments and the check-in streak.
 */
export function planEngagement(plan: Plan, n: number, registeredAt: number): void {
  const { draw } = plan;
  const userId = `u_${String(n + 1).padStart(6, "0")}`;
  if (draw.chance(ENGAGEMENT_MIX.checksIn)) {
    // 11:00-15:00 UTC is 19:00-23:00 in Shanghai: after work, before the day ends.
    const firstDay = Math.floor(registeredAt / DAY) * DAY;
    for (let day = firstDay; day < plan.endMs; day += DAY) {
      if (!draw.chance(ENGAGEMENT_MIX.checkInDay)) continue;
      const at = day + 11 * HOUR + Math.round(draw.between(0, 4 * HOUR));
      if (at > registeredAt) schedule(plan, at, "user.checked_in", { userId });
    }
  }
  if (draw.chance(ENGAGEMENT_MIX.addsToCart)) {
    const adds = 1 + Math.floor(draw.next() * ENGAGEMENT_MIX.maxCartAdds);
    for (let i = 0; i < adds; i++) {
      const at = registeredAt + Math.round(draw.between(10 * MINUTE, 45 * DAY));
      const price = Math.round((19.9 + draw.next() * 300) * 10) / 10;
      schedule(plan, at, "cart.item_added", { userId, productId: draw.pick(PRODUCTS), quantity: 1, price });
    }
  }
  if (draw.chance(ENGAGEMENT_MIX.favorites)) {
    const favorites = 1 + Math.floor(draw.next() * ENGAGEMENT_MIX.maxFavorites);
    for (let i = 0; i < favorites; i++) {
      const at = registeredAt + Math.round(draw.between(10 * MINUTE, 45 * DAY));
      schedule(plan, at, "product.favorited", { userId, productId: draw.pick(PRODUCTS) });
    }
  }
}
