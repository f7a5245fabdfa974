import * as z from "zod";
import { parseDuration } from "../shared/time.ts";
import { eventPattern, quote } from "./fields.ts";
import { guardrailsSchema } from "./guardrails.ts";
import { MIGRATE_EXIT } from "./migrate-exit.ts";
import { INBOX_CHANNEL, PLACEMENT } from "./placement.ts";
import { DEFAULT_JOURNEY_POLICY, journeyPolicySchema, sendPolicyOverrides } from "./policy.ts";
import { scheduleTrigger } from "./schedule-trigger.ts";

export { eventPattern } from "./fields.ts";

/**
 * The journey language: one zod schema, the source of both the TypeScript types the engine runs on and
 * the JSON Schema (`journeys/journey.schema.json`) that gives editors autocomplete and inline errors.
 * Graph rules the schema cannot express (unknown step ids, unreachable steps, loops without a wait,
 * unknown event types, unfillable placeholders) are checked in `validate.ts`.
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

const stepId = z
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

const timeRef = z
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

const eventTrigger = z
  .strictObject({
    type: z.literal("event"),
    pattern: eventPattern("The event that starts a run"),
  })
  .describe("A run starts when an event matches the pattern.");

const inactivityTrigger = z
  .strictObject({
    type: z.literal("inactivity"),
    absent: eventPattern("The event whose absence starts a run, e.g. order.placed"),
    for: duration("How long it must be absent"),
    countFrom: eventPattern("Events that also start the clock, e.g. user.registered").optional(),
  })
  .describe(
    "A run starts when no `absent` event arrived for `for`, counted from the later of the last `absent` or `countFrom` event. The clock restarts only with a new such event.",
  );

const reentry = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("never") }).describe("A key enters once, ever."),
    z.strictObject({ type: z.literal("after-exit") }).describe("A key enters again once its previous run has ended."),
    z
      .strictObject({ type: z.literal("after-cooldown"), cooldown: duration("The time after the previous entry") })
      .describe("A key enters again once its previous run has ended and the cool-down since that entry passed."),
  ])
  .default({ type: "never" });

export { MIGRATE_EXIT };

const migrate = z
  .strictObject({
    from: z
      .number()
      .int()
      .positive()
      .describe("The earlier version whose runs in flight move: keep its file beside this one while it has runs."),
    steps: z
      .record(
        stepId.describe("A step of the earlier version where its runs wait."),
        stepId.describe(
          'The step of this version the runs continue at, as if they had just arrived there; "exit" ends them.',
        ),
      )
      .describe(
        'Where the runs waiting at each step of the earlier version go: {"wait-7-days": "wait-3-days", "send-old": "exit"}. Runs at a step not named stay on their version.',
      ),
  })
  .describe(
    "Moves the runs in flight of an earlier version onto this one, each at its next wake-up or event, exactly once, with a line in the user's journal (docs/journey-language.md, Migrating runs in flight).",
  );

/** A BCP-47 locale tag such as "zh-CN", "en" or "pt-BR". */
export const localeTag = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/);

/** One locale's message: a body, and a title (push title, email subject) when the channel shows one. */
export const localizedMessage = z.strictObject({
  title: z.string().min(1).optional().describe("The push title or email subject (Liquid)."),
  body: z.string().min(1).describe("The message text (Liquid)."),
});

const localizedText = z
  .record(localeTag, z.union([z.string().min(1), localizedMessage]))
  .refine((texts) => texts["zh-CN"] !== undefined, { error: 'expected a "zh-CN" text, the default locale' })
  .describe(
    'Texts by locale (BCP-47): a "zh-CN" text is required; others are picked by the profile\'s locale. A plain text is the body; {"title", "body"} is what a template file (journeys/templates/<id>.json) holds, and what the loader puts here for it. Liquid placeholders: {{ profile.* }}, {{ trigger.detail.* }}, {{ coupon.code }}, {{ steps.<id>.* }}.',
  );

export const journeySchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
        error: (issue) => `expected a kebab-case journey id, got ${quote(issue.input)}`,
      })
      .describe("The journey's id, e.g. new-user-coupon. Never changes."),
    version: z
      .number()
      .int()
      .positive()
      .describe("Raise it when you change the journey; runs in flight keep theirs, unless `migrate` moves them."),
    name: z.string().min(1),
    description: z.string().default(""),
    enabled: z.boolean().default(true),
    priority: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(50)
      .describe("Higher wins when messages compete for a frequency cap; deferred messages leave in this order."),
    policy: journeyPolicySchema.default({ ...DEFAULT_JOURNEY_POLICY, caps: [] }),
    guardrails: guardrailsSchema.optional(),
    key: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
      .default("userId")
      .describe(
        "The detail field a run is keyed by: userId (one run per user) or an entity such as couponId or orderId. Events reach a run when their detail carries the same value.",
      ),
    trigger: z.discriminatedUnion("type", [eventTrigger, inactivityTrigger, scheduleTrigger]),
    reentry,
    audience: eventPattern("Who may enter, matched against {profile, trigger}").optional(),
    holdoutPercent: z
      .number()
      .min(0)
      .max(50)
      .default(0)
      .describe("Share of entrants kept as a control group: no messages or coupons, exits and goals still recorded."),
    exitOn: z.array(eventPattern("An event that ends the run at once, whatever step it is on")).default([]),
    goal: z
      .strictObject({
        pattern: eventPattern("The converting event"),
        within: duration("The conversion window from entry"),
      })
      .optional(),
    report: z
      .strictObject({
        byHour: z
          .boolean()
          .default(false)
          .describe(
            "Also keep the journey's counters per hour (UTC), for `nudge report --by hour` while a promotion runs: one more statistics write a batch for this journey.",
          ),
      })
      .default({ byHour: false })
      .describe("How the journey's statistics are kept for `nudge report`."),
    migrate: migrate.optional(),
    start: stepId.describe("The first step."),
    steps: z.array(stepSchema).min(1),
    templates: z
      .record(z.string(), localizedText)
      .default({})
      .describe(
        "Inline templates by id. Usually empty: templates live in files, journeys/templates/<id>.json, which the loader adds here for the send steps that use them.",
      ),
    templateParams: z
      .record(z.string(), z.record(z.string(), z.record(z.string(), z.string())))
      .optional()
      .describe(
        "A provider's template parameters by template id, then channel: Liquid texts by parameter name, rendered with the message into its `params`. Usually absent: the loader adds a template file's `sms` block here (under the channel `sms`).",
      ),
  })
  .describe("A Nudge journey: who enters, the steps they go through, and what counts as success.");

export type Journey = z.output<typeof journeySchema>;
export type JourneyInput = z.input<typeof journeySchema>;
export type Step = Journey["steps"][number];
export type StepType = Step["type"];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;
export type TimeRef = z.output<typeof timeRef>;
export type Migration = z.output<typeof migrate>;
export type { ScheduleTrigger } from "./schedule-trigger.ts";
/** One locale of a template: a plain text (the body) or a title and a body. */
export type LocalizedText = string | z.output<typeof localizedMessage>;
