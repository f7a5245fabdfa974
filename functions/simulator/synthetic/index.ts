import { ENGAGEMENT_SEED, planEngagement } from "./engagement.ts";
import { DeliveryQueue, type SyntheticEvent } from "./queue.ts";
import { Draw, seedFor } from "./random.ts";
import { type Plan, schedule } from "./schedule.ts";
import { DAY } from "./time.ts";
import { planUser, promotionsOf } from "./user.ts";

/**
 * A deterministic synthetic shop: registrations, consent changes, orders, deliveries, reviews, refunds,
 * shop coupons and promotions, shaped to exercise the five seed journeys, for the benchmark and the demo.
 *
 * - Deterministic: the same options (and seed) always give the same stream; all randomness comes from
 *   mulberry32, never Math.random. Each user draws from a generator seeded by (seed, user number), so a
 *   user's behaviour does not depend on how many users come before or after.
 * - Streaming: users register in order over the period; a user's whole timeline is planned at
 *   registration and held in a queue ordered by delivery time until due. Only the events planned but
 *   not yet due are in memory, never the whole stream (about 110 MB at the peak for 100,000 users over
 *   60 days, out of 250,000 events).
 * - Like a real bus: about 1% of events are delivered twice (same id, a little later), about 2% are
 *   delivered late (behind events that happened after them), and about 0.1% extra lines are broken
 *   copies of a real event that the catalog must reject (each marked with its flaw).
 *
 * The behaviour mix (see SHOP_MIX): ~22% of users order within 7 days of registering, ~20% more
 * before day 30; the rest go quiet for 30+ days (the dormancy journey's audience) and some of them come
 * back. Orders placed in a promotion window mostly carry its promotionId; a share of the delivered
 * orders is reviewed within 24 hours, some later, a few are refunded. Some users get a coupon from the
 * shop itself (`coupon.issued`, source "shop") and some redeem it (`coupon.redeemed`): the coupons the
 * journeys issue have ids the generator cannot know, so they are never redeemed here.
 */

export interface ShopOptions {
  /** How many users register (evenly spread over the period). */
  users: number;
  /** The length of the period, in days: events happen in [start, start + days). */
  days: number;
  /** The start of the period, an ISO-8601 instant. */
  start: string;
  /** Default 1. */
  seed?: number;
  /**
   * Also the engagement the computed traits learn from (engagement.ts): daily check-ins, cart additions and
   * favourites, from draws of their own, so the other events are the same with it or without (default false).
   */
  engagement?: boolean;
}

export { SHOP_MIX } from "./mix.ts";
export type { SyntheticEvent } from "./queue.ts";
export { mulberry32 } from "./random.ts";

function checkOptions(options: ShopOptions): { startMs: number; endMs: number; seed: number } {
  const { users, days, start, seed = 1 } = options;
  if (!Number.isInteger(users) || users < 0) throw new RangeError(`users: expected a whole number >= 0, got ${users}`);
  if (!(days > 0)) throw new RangeError(`days: expected a number > 0, got ${days}`);
  const startMs = Date.parse(start);
  if (Number.isNaN(startMs)) throw new RangeError(`start: expected an ISO-8601 instant, got ${JSON.stringify(start)}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed: expected an integer, got ${seed}`);
  return { startMs, endMs: startMs + Math.round(days * DAY), seed };
}

/**
 * The stream, in delivery order. Users register evenly spread over the period (user i in the i-th slot
 * of users slots); events past the end of the period are left out.
 */
export function* generateShop(options: ShopOptions): Generator<SyntheticEvent> {
  const { startMs, endMs, seed } = checkOptions(options);
  const queue = new DeliveryQueue();
  const promotions = promotionsOf(startMs, options.days);

  // The shop's own events: each promotion's end.
  const shop: Plan = { draw: new Draw(seedFor(seed, -1)), queue, endMs };
  for (const promotion of promotions) {
    schedule(shop, promotion.to, "promotion.ended", { promotionId: promotion.id, name: promotion.name });
  }

  const slot = (endMs - startMs) / Math.max(1, options.users);
  for (let n = 0; n < options.users; n++) {
    const draw = new Draw(seedFor(seed, n));
    const registeredAt = Math.floor(startMs + (n + draw.next()) * slot);
    // Everything due before this registration goes out first: nothing planned later can precede it.
    while (queue.nextAt() < registeredAt) {
      const item = queue.pop();
      if (item !== undefined) yield item;
    }
    planUser({ draw, queue, endMs }, n, registeredAt, promotions);
    if (options.engagement === true)
      planEngagement({ draw: new Draw(seedFor(seed ^ ENGAGEMENT_SEED, n)), queue, endMs }, n, registeredAt);
  }
  for (let item = queue.pop(); item !== undefined; item = queue.pop()) yield item;
}

/** The stream as NDJSON lines, as a shop's event export (or `nudge simulate --events`) has them. */
export function* generateShopLines(options: ShopOptions): Generator<string> {
  for (const item of generateShop(options)) yield JSON.stringify(item.event);
}
