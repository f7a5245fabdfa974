/**
 * The detail schemas of the event catalog, one per detail-type, built once at module load.
 * zod/mini (not classic zod) keeps the Lambda bundles small. Every detail is a loose object:
 * shops add fields of their own, and those travel with the event untouched.
 */
import * as z from "zod/mini";
import { MAX_ID_BYTES, utf8Bytes } from "./limits.ts";

/** How a rejected value appears in a message: short, and quoted when it is a string. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === "object") return "an object";
  return String(value);
}

// Validating a time zone or a locale builds an Intl object (tens of microseconds); events repeat the same
// handful of values, so the answers are remembered. The cap keeps hostile input from growing the cache.
const CACHE_LIMIT = 1000;

function remembered(test: (value: string) => boolean): (value: string) => boolean {
  const known = new Map<string, boolean>();
  return (value) => {
    let answer = known.get(value);
    if (answer === undefined) {
      answer = test(value);
      if (known.size < CACHE_LIMIT) known.set(value, answer);
    }
    return answer;
  };
}

/** An IANA time zone name ("Asia/Shanghai", "UTC"), as the Intl API of this runtime knows them; offsets are not names. */
export const isTimeZone = remembered((value) => {
  if (!/^[A-Za-z]/.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
});

/** A well-formed BCP-47 language tag ("zh-CN", "en", "pt-BR"). */
export const isLocale = remembered((value) => {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
});

const nonEmpty = () => z.string().check(z.minLength(1));
/**
 * Ids of users, orders, coupons, promotions: any non-empty string the shop uses, short enough to be part of
 * a DynamoDB key (limits.ts).
 */
export const id = () =>
  nonEmpty().check(
    z.refine((value) => utf8Bytes(value) <= MAX_ID_BYTES, {
      error: (issue) =>
        `is ${utf8Bytes(String(issue.input))} bytes long, more than the ${MAX_ID_BYTES} an id may have (it is part of a DynamoDB key)`,
    }),
  );
/** A channel: "push", "sms", "email", "wechat", or any other non-empty name (webhook-defined channels). */
const channel = nonEmpty;
const money = () => z.number().check(z.gte(0));
/** ISO-8601 date-time with seconds and a zone (Z or an offset), as EventBridge writes `time`. */
export const dateTime = () =>
  z.iso.datetime({
    offset: true,
    error: (issue) =>
      `${describeValue(issue.input)} is not an ISO-8601 date-time with a time zone (e.g. "2026-11-20T08:00:00Z")`,
  });

const currency = () =>
  z.string().check(
    z.regex(/^[A-Z]{3}$/, {
      error: (issue) =>
        `${describeValue(issue.input)} is not an ISO 4217 currency code (three capital letters, e.g. "CNY")`,
    }),
  );

const timeZone = () =>
  z.string().check(
    z.refine(isTimeZone, {
      error: (issue) => `${describeValue(issue.input)} is not an IANA time zone (e.g. "Asia/Shanghai")`,
    }),
  );

const locale = () =>
  z.string().check(
    z.refine(isLocale, {
      error: (issue) => `${describeValue(issue.input)} is not a BCP-47 locale (e.g. "zh-CN")`,
    }),
  );

// Deliberately lenient: a shop's addresses were accepted by the shop; this only catches a field mix-up.
const email = () =>
  z.string().check(
    z.regex(/^[^\s@]+@[^\s@]+$/, {
      error: (issue) => `${describeValue(issue.input)} is not an email address`,
    }),
  );

const attributes = () =>
  z.record(
    z.string(),
    z.union([z.string(), z.number(), z.boolean()], {
      error: (issue) => `expected a string, a number or a boolean, got ${describeValue(issue.input)}`,
    }),
  );

export const userRegistered = z.looseObject({
  userId: id(),
  locale: z.optional(locale()),
  timezone: z.optional(timeZone()),
  channel: z.optional(channel()),
  email: z.optional(email()),
  phone: z.optional(nonEmpty()),
  attributes: z.optional(attributes()),
});

export const userUpdated = z.looseObject({
  userId: id(),
  attributes: attributes(),
});

export const userUnsubscribed = z.looseObject({
  userId: id(),
  /** Absent: every marketing channel. */
  channel: z.optional(channel()),
});

export const userSubscribed = z.looseObject({
  userId: id(),
  channel: z.optional(channel()),
});

export const orderPlaced = z.looseObject({
  userId: id(),
  orderId: id(),
  amount: money(),
  currency: currency(),
  couponIds: z.optional(z.array(id())),
  promotionId: z.optional(id()),
});

export const orderDelivered = z.looseObject({
  userId: id(),
  orderId: id(),
  promotionId: z.optional(id()),
});

export const orderRefunded = z.looseObject({
  userId: id(),
  orderId: id(),
  amount: money(),
  /** Tells several partial refunds of one order apart; absent: the order has one refund. */
  refundId: z.optional(id()),
});

export const couponIssued = z.looseObject({
  userId: id(),
  couponId: id(),
  code: nonEmpty(),
  amountOff: z.number().check(z.gt(0)),
  expiresAt: dateTime(),
  minSpend: z.optional(money()),
  freeShipping: z.optional(z.boolean()),
});

export const couponRedeemed = z.looseObject({
  userId: id(),
  couponId: id(),
  orderId: id(),
});

export const promotionEnded = z.looseObject({
  promotionId: id(),
  name: z.optional(z.string()),
});

/**
 * A promotion announced ahead (a presale, 预售): when it runs and, for a presale, the deposit window (定金) that
 * comes before it. `endsAt` is after `startsAt`; a deposit window has both ends, in order, and ends no later
 * than the promotion starts. Times are compared only when well-formed (a malformed one is reported by itself).
 */
export const promotionScheduled = z
  .looseObject({
    promotionId: id(),
    name: z.string(),
    startsAt: dateTime(),
    endsAt: dateTime(),
    depositStartsAt: z.optional(dateTime()),
    depositEndsAt: z.optional(dateTime()),
    /** 定金膨胀: how many times its value a presale deposit counts toward the price (e.g. 3: 50 counts 150). */
    depositMultiplier: z.optional(z.number().check(z.gte(1))),
  })
  .check(
    z.superRefine((detail, ctx) => {
      const malformed = new Set(ctx.issues.map((issue) => issue.path?.[0]));
      const at = (field: "startsAt" | "endsAt" | "depositStartsAt" | "depositEndsAt") => {
        const value = detail[field];
        return value === undefined || malformed.has(field) ? Number.NaN : Date.parse(value);
      };
      const problem = (field: "endsAt" | "depositStartsAt" | "depositEndsAt", message: string) =>
        ctx.addIssue({ code: "custom", path: [field], message, input: detail[field] });
      // NaN (a time absent or malformed) compares false: nothing is claimed of it.
      if (at("endsAt") <= at("startsAt"))
        problem("endsAt", `must be after startsAt (${detail.startsAt}), got ${describeValue(detail.endsAt)}`);
      const { depositStartsAt: from, depositEndsAt: to } = detail;
      if (from === undefined && to === undefined) return;
      if (from === undefined || to === undefined) {
        const [missing, given] =
          from === undefined
            ? (["depositStartsAt", "depositEndsAt"] as const)
            : (["depositEndsAt", "depositStartsAt"] as const);
        problem(missing, `required field is missing: a deposit window has both ends, and ${given} is given`);
        return;
      }
      if (at("depositEndsAt") <= at("depositStartsAt"))
        problem("depositEndsAt", `must be after depositStartsAt (${from}), got ${describeValue(to)}`);
      if (at("depositEndsAt") > at("startsAt"))
        problem(
          "depositEndsAt",
          `must be no later than startsAt (${detail.startsAt}): the deposit is paid before the promotion starts, got ${describeValue(to)}`,
        );
    }),
  );

/** A presale's deposit (定金) paid for an order; the rest is paid when the promotion starts. */
export const orderDepositPaid = z.looseObject({
  userId: id(),
  orderId: id(),
  promotionId: id(),
  /** The deposit paid, like `order.placed`'s amount. */
  amount: money(),
  /** When the balance can be paid (付尾款): the promotion's start, for a reminder on that day. */
  balanceStartsAt: z.optional(dateTime()),
});

export const orderPaymentFailed = z.looseObject({
  userId: id(),
  orderId: id(),
  amount: money(),
  currency: currency(),
  /** The payment provider's or the shop's reason, e.g. `insufficient_balance`. */
  reason: z.optional(nonEmpty()),
});

export const reviewPosted = z.looseObject({
  userId: id(),
  orderId: id(),
  rating: z.optional(z.int().check(z.gte(1), z.lte(5))),
  /** Photos attached: a photo review (晒单) has at least one. */
  photoCount: z.optional(z.int().check(z.gte(0))),
});

/** The daily check-in (签到): the envelope's `time` is when. */
export const userCheckedIn = z.looseObject({
  userId: id(),
});

/**
 * The user accepted a WeChat mini-program subscribe message template (wx.requestSubscribeMessage answered
 * "accept"): `count` one-time grants to send it (functions/engine/policies/grants.ts).
 * https://developers.weixin.qq.com/miniprogram/dev/api/open-api/subscribe-message/wx.requestSubscribeMessage.html
 */
export const wechatSubscriptionGranted = z.looseObject({
  userId: id(),
  /** WeChat's template id, as in the template file's `wechat.templateId`. */
  templateId: id(),
  count: z.int().check(z.gte(1), z.lte(1000)),
});

export const cartItemAdded = z.looseObject({
  userId: id(),
  productId: id(),
  quantity: z.optional(z.int().check(z.gte(1))),
  /** The unit price shown, in the shop's currency. */
  price: z.optional(money()),
  promotionId: z.optional(id()),
});

export const productFavorited = z.looseObject({
  userId: id(),
  productId: id(),
  promotionId: z.optional(id()),
});

/** Nudge's own (source `nudge`): a journey was paused by a guardrail (README, Operating journeys). */
/** Nudge's own: a user's profile entered or left a segment (journeys/segments/<id>.json). */
export const segmentChanged = z.looseObject({
  userId: id(),
  segment: id(),
});

/** A computed trait's value: a number, a flag, a tier or time, or RFM's scores; null when it has none. */
const traitValue = z.union([z.number(), z.boolean(), z.string(), z.record(z.string(), z.number()), z.null()], {
  error: (issue) =>
    issue.input === undefined
      ? "required field is missing"
      : `expected a number, boolean, string, scores or null, got ${describeValue(issue.input)}`,
});

/** Nudge's own: a computed trait a journey watches changed (docs/traits.md). */
export const traitChanged = z.looseObject({
  userId: id(),
  trait: nonEmpty(),
  from: traitValue,
  to: traitValue,
  /** `up` or `down` for numbers, times and tiers (by their levels). */
  direction: z.optional(z.enum(["up", "down"])),
  /** `<userId>:<trait>:<to>`: as a journey's key, one run per user and value reached. */
  reached: nonEmpty(),
});

/**
 * Nudge's own (source `nudge.inbox`): the user saw, clicked or dismissed an inbox message on the shop's site
 * (docs/channels/inbox.md): `inbox.message_seen`, `inbox.message_clicked`, `inbox.message_dismissed`.
 */
export const inboxMessageAction = z.looseObject({
  userId: id(),
  messageId: id(),
  /** Where it showed, such as `popup:order-page`. */
  placement: nonEmpty(),
  /** The journey and version that sent it. */
  journeyId: id(),
  journeyVersion: z.int().check(z.gte(1)),
  /** The coupon the message offered, when it offered one. */
  couponId: z.optional(id()),
});

export const journeyPaused = z.looseObject({
  journeyId: id(),
  version: z.int().check(z.gte(1)),
  /** `guardrail:<name> <value> > <threshold>`, or an operator's reason. */
  reason: nonEmpty(),
  /** `guardrail`, or who paused it. */
  by: nonEmpty(),
  pausedAt: dateTime(),
});

/** A JSON value of a request's `data`: any, as the shop's template needs it. */
const requestData = () =>
  z.record(z.string(), z.unknown(), {
    error: (issue) => `expected an object, got ${describeValue(issue.input)}`,
  });

/**
 * A one-off service message the shop asks for (a shipment's notice, a pickup code): the template (a file of
 * journeys/templates), the channel it goes on, and the values its placeholders read as `trigger.detail.data.*`.
 * Which templates may be requested, and on which channels, is the `message-requested` journey's (its send
 * steps): a request for any other is refused at the door (functions/journey/requests.ts).
 */
export const messageRequested = z.looseObject({
  userId: id(),
  template: nonEmpty(),
  channel: channel(),
  data: z.optional(requestData()),
  /** The request's own id, sent once however often it is delivered; absent: the event's id (catalog.ts). */
  requestId: z.optional(id()),
});
