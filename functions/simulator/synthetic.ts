import type { ShopEvent } from "../../events/catalog.ts";

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
}

/** One item of the stream, in delivery order. */
export interface SyntheticEvent {
  event: ShopEvent;
  /** Set on the few events broken on purpose: what is wrong with it. Undefined: the event is valid. */
  flaw?: string;
  /** A second delivery of an event already in the stream (the same id and content). */
  duplicate?: boolean;
  /** Delivered late: events that happened after it come before it in the stream. */
  delayed?: boolean;
}

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

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** China Standard Time: the shop's own coupons expire at the end of a day in Shanghai. */
const SHOP_OFFSET = 8 * HOUR;

/** Promotion windows: 4 days every 14 days, from day 3 of the period. */
const PROMOTION_FIRST_DAY = 3;
const PROMOTION_EVERY_DAYS = 14;
const PROMOTION_LENGTH_DAYS = 4;
const PROMOTION_NAMES = ["Spring Sale", "Member Days", "Mid-Year Festival", "Double 11", "Double 12", "New Year Sale"];

/** mulberry32: a small, fast 32-bit PRNG (public domain). Returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A well-mixed 32-bit seed from the stream's seed and a user number (murmur3's finaliser). */
function seedFor(seed: number, n: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Random draws of one user (or of the shop), over one mulberry32 stream. */
class Draw {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  between(low: number, high: number): number {
    return low + this.next() * (high - low);
  }
  pick<T>(items: readonly [T, ...T[]]): T {
    return items[Math.floor(this.next() * items.length)] ?? items[0];
  }
  /** A random UUID (version 4 layout), as EventBridge gives events. */
  uuid(): string {
    const hex = (bits: number, digits: number) =>
      Math.floor(this.next() * 2 ** bits)
        .toString(16)
        .padStart(digits, "0");
    const variant = (8 + Math.floor(this.next() * 4)).toString(16);
    return `${hex(32, 8)}-${hex(16, 4)}-4${hex(12, 3)}-${variant}${hex(12, 3)}-${hex(24, 6)}${hex(24, 6)}`;
  }
}

/** EventBridge's `time`: UTC, whole seconds. */
function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** The same instant written in the shop's own zone: "2026-12-24T23:59:59+08:00". */
function isoShanghai(ms: number): string {
  return `${new Date(ms + SHOP_OFFSET).toISOString().slice(0, 19)}+08:00`;
}

/** The last second of the Shanghai day `days` days after the instant. */
function endOfShanghaiDay(ms: number, days: number): number {
  const local = new Date(ms + SHOP_OFFSET);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days, 23, 59, 59) - SHOP_OFFSET;
}

/** "20261120", the date part of an order number (Shanghai date). */
function orderDate(ms: number): string {
  return new Date(ms + SHOP_OFFSET).toISOString().slice(0, 10).replaceAll("-", "");
}

/** Pending deliveries, a binary min-heap by (delivery time, scheduling order): deterministic ties. */
class DeliveryQueue {
  private readonly heap: { at: number; seq: number; item: SyntheticEvent }[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The delivery time of the next item, or +Infinity. */
  nextAt(): number {
    return this.heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  push(at: number, item: SyntheticEvent): void {
    const heap = this.heap;
    const entry = { at, seq: this.seq++, item };
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p === undefined || p.at < at || (p.at === at && p.seq < entry.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  pop(): SyntheticEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top?.item;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let child = l;
      const left = heap[l];
      const right = heap[l + 1];
      if (left === undefined) break;
      let best = left;
      if (right !== undefined && (right.at < left.at || (right.at === left.at && right.seq < left.seq))) {
        child = l + 1;
        best = right;
      }
      if (last.at < best.at || (last.at === best.at && last.seq < best.seq)) break;
      heap[i] = best;
      i = child;
    }
    heap[i] = last;
    return top.item;
  }
}

const ENVELOPE = { version: "0", source: "shop", account: "123456789012", region: "cn-north-1" } as const;

interface Plan {
  draw: Draw;
  queue: DeliveryQueue;
  endMs: number;
}

/** Puts an event on the queue (if it happens within the period), with its duplicate, delay or broken copy. */
function schedule(plan: Plan, at: number, type: string, detail: Record<string, unknown>): void {
  if (at >= plan.endMs) return;
  const { draw, queue } = plan;
  const event: ShopEvent = {
    version: ENVELOPE.version,
    id: draw.uuid(),
    "detail-type": type,
    source: ENVELOPE.source,
    account: ENVELOPE.account,
    time: isoSeconds(at),
    region: ENVELOPE.region,
    resources: [],
    detail,
  };
  let deliverAt = at;
  if (draw.chance(SHOP_MIX.delayed)) {
    deliverAt = at + Math.round(draw.between(MINUTE, 6 * HOUR));
    queue.push(deliverAt, { event, delayed: true });
  } else {
    queue.push(deliverAt, { event });
  }
  if (draw.chance(SHOP_MIX.duplicate)) {
    queue.push(deliverAt + Math.round(draw.between(1000, 2 * HOUR)), { event, duplicate: true });
  }
  if (draw.chance(SHOP_MIX.invalid)) queue.push(deliverAt, broken(event, draw));
}

/** A copy of an event (new id) with one thing wrong that the catalog rejects. */
function broken(event: ShopEvent, draw: Draw): SyntheticEvent {
  const copy: ShopEvent = { ...event, id: draw.uuid(), detail: { ...event.detail } };
  const type = event["detail-type"];
  const flaws: string[] = ["time without a zone", "empty id", "missing key field"];
  if (type === "order.placed") flaws.push("lower-case currency", "negative amount");
  if (type === "user.registered") flaws.push("unknown time zone");
  if (type === "review.posted") flaws.push("rating out of range");
  const flaw = flaws[Math.floor(draw.next() * flaws.length)] ?? "empty id";
  switch (flaw) {
    case "time without a zone":
      copy.time = copy.time.replace("T", " ").replace("Z", "");
      break;
    case "empty id":
      copy.id = "";
      break;
    case "missing key field":
      if ("userId" in copy.detail) delete copy.detail.userId;
      else delete copy.detail.promotionId;
      break;
    case "lower-case currency":
      copy.detail.currency = "cny";
      break;
    case "negative amount":
      copy.detail.amount = -1;
      break;
    case "unknown time zone":
      copy.detail.timezone = "Mars/Olympus_Mons";
      break;
    case "rating out of range":
      copy.detail.rating = 9;
      break;
  }
  return { event: copy, flaw };
}

interface Promotion {
  id: string;
  name: string;
  from: number;
  to: number;
}

function promotionsOf(startMs: number, days: number): Promotion[] {
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
function planUser(plan: Plan, n: number, registeredAt: number, promotions: readonly Promotion[]): void {
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
  }
  for (let item = queue.pop(); item !== undefined; item = queue.pop()) yield item;
}

/** The stream as NDJSON lines, as a shop's event export (or `nudge simulate --events`) has them. */
export function* generateShopLines(options: ShopOptions): Generator<string> {
  for (const item of generateShop(options)) yield JSON.stringify(item.event);
}
