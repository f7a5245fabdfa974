import * as z from "zod";
import { eventPattern, quote } from "./fields.ts";

/** A time of day `HH:MM`, for a campaign's relative occurrence. */
const occurrenceTime = z
  .string({ error: (issue) => `expected a time of day HH:MM such as "10:00", got ${quote(issue.input)}` })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
    error: (issue) => `expected a time of day HH:MM such as "10:00", got ${quote(issue.input)}`,
  });

const relativeTo = z
  .strictObject({
    event: eventPattern("The event that sets the time, e.g. promotion.scheduled"),
    field: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
        error: (issue) => `expected the name of a detail field such as "startsAt", got ${quote(issue.input)}`,
      })
      .describe("The event's detail field holding an ISO-8601 instant, e.g. startsAt."),
    days: z
      .number()
      .int()
      .min(-366)
      .max(366)
      .describe("Local dates before (negative) or after the date of that instant: -7 is a week before, 0 that day."),
    localTime: occurrenceTime.describe("The time of day on that local date, HH:MM, in the trigger's `timezone`."),
  })
  .describe(
    "An occurrence per event: at `localTime` on the local date `days` from the date of the event's `field` (an instant).",
  );

/**
 * A campaign's trigger (issue 16): entry at a schedule's occurrences, or relative to an event's instant, in each
 * user's zone or a fixed one, for a segment's members. What the schema cannot check (the expression as EventBridge
 * Scheduler parses it, the zone, the segment, the event's field) `nudge validate` does: journey/checks/schedule.ts.
 */
export const scheduleTrigger = z
  .strictObject({
    type: z.literal("schedule"),
    schedule: z
      .string()
      .min(1)
      .optional()
      .describe(
        'An EventBridge Scheduler expression: "cron(0 10 ? * FRI *)" (minutes hours day-of-month month day-of-week year), "at(2026-11-11T10:00:00)" once, or "rate(1 day)". Checked by `nudge validate`.',
      ),
    relativeTo: relativeTo.optional(),
    timezone: z
      .string()
      .min(1)
      .default("user")
      .describe(
        '"user" (default): each user\'s own time zone (profile.timezone, else policy.json\'s defaultTimezone); or an IANA zone name such as "Asia/Shanghai" for one moment for everyone.',
      ),
    segment: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The id of a segment, journeys/segments/<id>.json, whose members are the audience; the journey's `audience` still applies, at the occurrence. With neither a segment nor an `audience`: every known user.",
      ),
  })
  .refine((trigger) => (trigger.schedule === undefined) !== (trigger.relativeTo === undefined), {
    error: (issue) => {
      const given = issue.input as { schedule?: unknown; relativeTo?: unknown } | undefined;
      const both = given?.schedule !== undefined && given?.relativeTo !== undefined;
      return `expected exactly one of "schedule" (a cron(...), at(...) or rate(...) expression) and "relativeTo" (an event's time), got ${both ? "both" : "neither"}`;
    },
  })
  .describe(
    "A campaign: runs start at a schedule's occurrences (or relative to an event's time), one per member of the audience. The journey's key must be userId.",
  )
  // For editors: the refinement above, as JSON Schema says it.
  .meta({ oneOf: [{ required: ["schedule"] }, { required: ["relativeTo"] }] });

export type ScheduleTrigger = z.output<typeof scheduleTrigger>;
