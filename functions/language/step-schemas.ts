import * as z from "zod";
import { parseDuration } from "../shared/time.ts";
import { eventPattern, quote } from "./fields.ts";
import { INBOX_CHANNEL, PLACEMENT } from "./placement.ts";
import { sendPolicyOverrides } from "./policy.ts";

/**
 * The journey language's steps (schema.ts puts them in a journey): waits, branches, splits, coupons, sends,
 * emits, profile updates and exits, each a zod schema, with the fields they share (step ids, durations, times
 * from the run's data).
 */

export const duration = (what: string, options: { negative?: boolean } = {}) =>
  z
    .string({ error: (issue) => `expected an ISO-8601 duration such as "P3D", got ${quote(issue.input)}` })
    .refine(
      (text) => {
        const ms = parseDuration(text);
        return ms !== undefined && (options.negative === true || ms >= 0);
      },
      {
        error: (issue) =>
          `expected an ISO-8601 duration such as ${options.negative ? '"-PT24H"' : '"P3D"'}, got ${quote(issue.input)}`,
      },
    )
    .describe(
      `${what}: an ISO-8601 duration in weeks, days, hours, minutes or seconds, e.g. "P3D", "PT24H"${options.negative ? ', may be negative: "-PT24H"' : ""}.`,
    );

export const stepId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, {
    error: (issue) => `expected a step id in kebab-case such as "send-welcome", got ${quote(issue.input)}`,
  })
  .describe("A step id: lower-case letters, digits and dashes.");

const next = stepId.describe("The id of the step that follows; absent means the run ends after this step.");

/** A value taken from the run's context by a dotted path, such as `trigger.detail.expiresAt`. */
const contextPath = z.string().regex(/^(trigger|event|profile|steps|coupon)(\.[A-Za-z0-9_-]+)+$/, {
  error: (issue) =>
    `expected a context path such as "trigger.detail.expiresAt" (starting with trigger, event, profile, steps or coupon), got ${quote(issue.input)}`,
});

/** A time of day on the 24-hour clock, `HH:MM`, as policy.json's quiet hours write it. */
const localTime = z
  .string({ error: (issue) => `expected a time of day HH:MM such as "20:00", got ${quote(issue.input)}` })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
    error: (issue) => `expected a time of day HH:MM such as "20:00", got ${quote(issue.input)}`,
  })
  .describe(
    "A wall-clock time in the user's zone (profile.timezone, else policy.json's defaultTimezone): the time becomes this time of day on its local date (plus `days`). A time the clocks skip (a daylight-saving gap) moves to the moment they jump.",
  );

/** `days` counts local dates, so it means nothing without the time of day on the last one. */
const hasLocalTimeForDays = (ref: { days?: number | undefined; localTime?: string | undefined }) =>
  ref.days === undefined || ref.localTime !== undefined;
const daysWithoutLocalTime = () => ({
  error: 'expected "localTime" with "days": days count local dates, to a time of day',
  path: ["days"],
});

export const timeRef = z
  .strictObject({
    time: contextPath.describe("Where the time is read: an ISO-8601 time in the run's context."),
    offset: duration("Added to the time", { negative: true }).optional(),
    localTime: localTime.optional(),
    days: z
      .number()
      .int()
      .min(0)
      .max(366)
      .optional()
      .describe("With `localTime`: that many local days after the date of the time plus offset (0: that date)."),
  })
  .refine(hasLocalTimeForDays, daysWithoutLocalTime())
  .describe(
    "A time read from the run's context, plus an optional offset; with `localTime`, that time of day in the user's zone on the local date of the result, `days` later.",
  );

const base = { id: stepId, label: z.string().optional().describe("A short label for diagrams and reports.") };

const waitStep = z
  .strictObject({ ...base, type: z.literal("wait"), for: duration("How long to wait"), next: next.optional() })
  .describe("Waits a fixed duration.");

const waitUntilStep = z
  .strictObject({ ...base, type: z.literal("wait-until"), ...timeRef.shape, next: next.optional() })
  .refine(hasLocalTimeForDays, daysWithoutLocalTime())
  .describe(
    "Waits until a time taken from the run's data plus an offset, or that time's local date (plus `days`) at `localTime` in the user's zone; a time already past continues at once.",
  );

/** A field of an event by its dotted path, such as `detail.promotionId`. */
const EVENT_PATH = /^(detail|source|detail-type|id|time)(\.[A-Za-z0-9_-]+)*$/;

const waitForEventStep = z
  .strictObject({
    ...base,
    type: z.literal("wait-for-event"),
    pattern: eventPattern("The event waited for (it must also carry the run's key)"),
    match: z
      .record(z.string(), contextPath)
      .check(
        z.superRefine((match, ctx) => {
          for (const field of Object.keys(match).filter((key) => !EVENT_PATH.test(key)))
            ctx.addIssue({
              code: "custom",
              path: [field],
              input: field,
              message: `expected an event field such as "detail.promotionId", got ${quote(field)}`,
            });
        }),
      )
      .optional()
      .describe(
        'Fields the event must share with the run, besides the pattern: {"detail.promotionId": "trigger.detail.promotionId"} takes only a deposit for the promotion the run is about.',
      ),
    timeout: duration("How long to wait for it").optional(),
    until: timeRef
      .optional()
      .describe("Instead of `timeout`: when the wait ends, a time from the run's data (as `wait-until` reads it)."),
    onEvent: next.optional().describe("The step after the event arrived."),
    onTimeout: next.optional().describe("The step after the timeout passed with no such event."),
  })
  .refine((step) => (step.timeout === undefined) !== (step.until === undefined), {
    error: 'expected either "timeout" or "until": how long to wait, or until when',
    path: ["timeout"],
  })
  .describe("Waits for an event that matches the pattern and the run's key, until a timeout or a time.");

const branchStep = z
  .strictObject({
    ...base,
    type: z.literal("branch"),
    branches: z
      .array(
        z.strictObject({
          condition: eventPattern("Matched against the run's context {profile, trigger, event, steps, coupon}"),
          next: next.optional(),
        }),
      )
      .min(1),
    otherwise: next.optional().describe("The step when no condition matches."),
  })
  .describe("Takes the first branch whose condition matches the run's context.");

const splitStep = z
  .strictObject({
    ...base,
    type: z.literal("split"),
    variants: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          weight: z.number().int().positive().describe("Relative weight of this variant."),
          next: next.optional(),
        }),
      )
      .min(2),
  })
  .describe("A weighted random split, deterministic per run (a hash, not a random number).");

const issueCouponStep = z
  .strictObject({
    ...base,
    type: z.literal("issue-coupon"),
    amountOff: z.number().positive().describe("The coupon's value, in the currency's main unit (e.g. 20 = ¥20)."),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default("CNY"),
    freeShipping: z.boolean().default(false),
    minSpend: z.number().nonnegative().optional().describe("The minimum order amount the coupon applies to."),
    validFor: duration("How long the coupon is valid from issue"),
    codePrefix: z
      .string()
      .regex(/^[A-Z0-9]{0,12}$/)
      .default("NU")
      .describe("Upper-case prefix of the generated coupon code."),
    next: next.optional(),
  })
  .describe("Issues a coupon; it is emitted as a `coupon.issued` event so other journeys can react to it.");

const inboxOptions = z
  .strictObject({
    placement: z
      .string()
      .regex(PLACEMENT, {
        error: (issue) =>
          `expected a placement <kind>:<place> such as "popup:order-page" or "card:home", got ${quote(issue.input)}`,
      })
      .describe('Where the shop shows the message: "<kind>:<place>", e.g. "popup:order-page", "card:home".'),
    priority: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(50)
      .describe("Higher shows first when several messages wait for one placement."),
    expiresAt: timeRef
      .optional()
      .describe("Shown until this time from the run's context, e.g. the coupon's expiry (steps.<id>.expiresAt)."),
    expiresAfter: duration("Shown for this long after the send (default P7D when there is no expiresAt)").optional(),
    coupon: contextPath
      .optional()
      .describe(
        "The coupon the message offers (e.g. steps.<issue-coupon step>.couponId): the message disappears once it is redeemed.",
      ),
  })
  .describe(
    "An inbox message's placement, priority and expiry (channel inbox only). It shows until the earlier of expiresAt and expiresAfter, until dismissed, or until its coupon is redeemed.",
  );

const sendStep = z
  .strictObject({
    ...base,
    type: z.literal("send"),
    channel: z
      .string()
      .min(1)
      .describe('The delivery channel: "push", "sms", "email", "wechat" or a webhook-defined one.'),
    template: z
      .string()
      .min(1)
      .describe(
        "The id of a template: an entry of this journey's `templates`, else the file templates/<id>.json beside the journey file.",
      ),
    category: z
      .enum(["marketing", "service"])
      .default("marketing")
      .describe("Only service messages pass an unsubscribe (unless `consent` is required)."),
    consent: z
      .literal("required")
      .optional()
      .describe(
        'A service message that still needs the user\'s consent (an offer on a failed payment): "required" drops it as unsubscribed like a marketing message; caps and quiet hours still do not hold it.',
      ),
    validUntil: timeRef
      .optional()
      .describe("After this time the message no longer makes sense: suppressed, also when a deferral would pass it."),
    inbox: inboxOptions.optional(),
    ...sendPolicyOverrides,
    next: next.optional(),
  })
  .refine((step) => (step.channel === INBOX_CHANNEL) === (step.inbox !== undefined), {
    error: `expected "inbox" (placement, priority, expiry) on a send step exactly when its channel is "${INBOX_CHANNEL}"`,
    path: ["inbox"],
  })
  .describe("Sends a message rendered from a template.");

const emitStep = z
  .strictObject({
    ...base,
    type: z.literal("emit"),
    detailType: z.string().min(1).describe("The detail-type of the emitted event."),
    detail: z.record(z.string(), z.unknown()).default({}).describe("The detail; string values may hold placeholders."),
    next: next.optional(),
  })
  .describe("Emits an event onto the bus, with the run's user id added to its detail.");

const updateProfileStep = z
  .strictObject({
    ...base,
    type: z.literal("update-profile"),
    attributes: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .describe("Profile attributes to set (null removes one); string values may hold placeholders."),
    next: next.optional(),
  })
  .describe("Sets attributes on the user's profile.");

const exitStep = z
  .strictObject({ ...base, type: z.literal("exit"), reason: z.string().min(1).default("completed") })
  .describe("Ends the run.");

export const stepSchema = z.discriminatedUnion("type", [
  waitStep,
  waitUntilStep,
  waitForEventStep,
  branchStep,
  splitStep,
  issueCouponStep,
  sendStep,
  emitStep,
  updateProfileStep,
  exitStep,
]);
