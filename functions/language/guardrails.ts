import * as z from "zod";
import { parseDuration } from "../shared/time.ts";

/**
 * What a journey declares for operating it: guardrails that pause it when its numbers go wrong, and what
 * its held messages do when it is resumed (README, Operating journeys).
 */

const rate = (what: string) => z.number().min(0).max(1).describe(what);

const positiveDuration = (what: string) =>
  z
    .string()
    .refine((text) => (parseDuration(text) ?? 0) > 0, { error: 'expected a positive ISO-8601 duration such as "P7D"' })
    .describe(what);

export const guardrailsSchema = z
  .strictObject({
    maxRefundRate: rate(
      "Pause when refunds of converted orders exceed this share of conversions (the operations rule of thumb: 0.05).",
    ).optional(),
    maxUnsubscribeRate: rate(
      "Pause when users unsubscribing while in a run exceed this share of entrants, e.g. 0.02.",
    ).optional(),
    pauseWhenBudgetExhausted: z
      .boolean()
      .default(false)
      .describe("Pause when the journey's coupon budget held back a coupon (coupon.withheld budget-exhausted)."),
    minSample: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe("A rate is judged only once its denominator (conversions, entrants) reaches this many."),
    window: positiveDuration("The counters over this many past days (whole UTC days, today included).").default("P7D"),
  })
  .describe("Crossing a guardrail pauses the journey and emits journey.paused with the reason.");

export const whenResumedSchema = z
  .strictObject({
    lateMessages: z
      .enum(["send", "skip"])
      .default("send")
      .describe(
        '"send": messages held by a pause go out late on resume; "skip": those due longer ago than skipOlderThan are suppressed (paused-too-long).',
      ),
    skipOlderThan: positiveDuration("With skip: how late a held message may still go out.").default("PT24H"),
  })
  .describe("What a pause's held messages do when the journey is resumed.");

export type Guardrails = z.output<typeof guardrailsSchema>;
export type WhenResumed = z.output<typeof whenResumedSchema>;
