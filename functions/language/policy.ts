import * as z from "zod";
import { parseDuration } from "../shared/time.ts";
import { whenResumedSchema } from "./guardrails.ts";

/**
 * What a journey declares about the platform's messaging policies (functions/engine/policies): what its
 * messages do when a frequency cap or quiet hours hold them back, its own caps, and a daily budget for the
 * coupons it issues. The platform's caps and quiet hours themselves live in one file for every journey
 * (`journeys/policy.json`); a journey cannot turn them off, only choose what happens to its messages.
 */

const heldBack = (what: string) =>
  z
    .enum(["defer", "drop"])
    .describe(`${what}: "defer" sends it at the first time the rules allow, "drop" suppresses it (recorded with why).`);

const journeyCap = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/)
      .describe("The cap's name, shown as journey-cap:<id> when it holds a message back."),
    max: z.number().int().min(1).describe("At most this many of this journey's messages to one user..."),
    per: z
      .string()
      .refine((text) => (parseDuration(text) ?? 0) > 0, {
        error: 'expected a positive ISO-8601 duration such as "P7D"',
      })
      .describe('...in any rolling window this long, an ISO-8601 duration such as "P7D".'),
  })
  .describe("A frequency cap of this journey's own, on top of the platform's.");

/** At most this many shards of a coupon budget: every coupon decision reads them all (PolicyReservations). */
export const MAX_BUDGET_SHARDS = 64;

const couponBudget = z
  .strictObject({
    perDay: z
      .number()
      .positive()
      .describe(
        "The total value of coupons the journey may issue per day (the platform's time zone), in currency units.",
      ),
    whenExhausted: z
      .enum(["skip-coupon", "hold"])
      .describe(
        '"skip-coupon": the step issues nothing and the run goes on (steps.<id>.withheld is set, for a branch); "hold": the run waits at the step until the next day\'s budget.',
      ),
    shards: z
      .number()
      .int()
      .min(1)
      .max(MAX_BUDGET_SHARDS)
      .optional()
      .describe(
        "Storage items the day's budget is split over (default 1), each holding perDay / shards: one takes about 140 coupons a second, so at least the peak coupons a second / 100 (docs/capacity.md). Sharded, perDay is a whole number of at least shards.",
      ),
  })
  .refine(({ perDay, shards = 1 }) => shards === 1 || (Number.isInteger(perDay) && perDay >= shards), {
    error: "a budget split over shards needs a whole perDay of at least its shards (each shard holds perDay / shards)",
    path: ["perDay"],
  })
  .describe("A daily budget for the coupons this journey issues, enforced atomically across every run.");

export const journeyPolicySchema = z
  .strictObject({
    whenCapped: heldBack("A message a frequency cap holds back").default("defer"),
    inQuietHours: heldBack("A message due in the user's quiet hours").default("defer"),
    caps: z
      .array(journeyCap)
      .refine((caps) => new Set(caps.map((cap) => cap.id)).size === caps.length, { error: "cap ids must be unique" })
      .default([]),
    couponBudget: couponBudget.optional(),
    whenResumed: whenResumedSchema.optional(),
  })
  .describe(
    "How this journey's messages and coupons meet the platform's policies (journeys/policy.json): consent, frequency caps, quiet hours, budgets.",
  );

export const DEFAULT_JOURNEY_POLICY = { whenCapped: "defer", inQuietHours: "defer", caps: [] } as const;

/** A send step may choose differently from its journey (a time-critical notice drops rather than waits). */
export const sendPolicyOverrides = {
  whenCapped: heldBack("This message, when a frequency cap holds it back (default: the journey's choice)").optional(),
  inQuietHours: heldBack("This message, when due in quiet hours (default: the journey's choice)").optional(),
};
