import * as z from "zod";
import { eventPattern, quote } from "./fields.ts";
import { guardrailsSchema } from "./guardrails.ts";
import { MIGRATE_EXIT } from "./migrate-exit.ts";
import { DEFAULT_JOURNEY_POLICY, journeyPolicySchema } from "./policy.ts";
import { scheduleTrigger } from "./schedule-trigger.ts";
import { duration, stepId, stepSchema, type timeRef } from "./step-schemas.ts";

export { eventPattern } from "./fields.ts";
export { duration, stepSchema } from "./step-schemas.ts";

/**
 * The journey language: one zod schema, the source of both the TypeScript types the engine runs on and
 * the JSON Schema (`journeys/journey.schema.json`) that gives editors autocomplete and inline errors.
 * Graph rules the schema cannot express (unknown step ids, unreachable steps, loops without a wait,
 * unknown event types, unfillable placeholders) are checked in `validate.ts`.
 */

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
