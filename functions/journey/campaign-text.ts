import { patternDetailTypes } from "../engine/compile.ts";
import type { ScheduleTrigger } from "../language/schema.ts";

/**
 * A campaign's schedule in words, for `nudge validate`'s summary lines and `nudge graph`'s trigger node:
 * `7 days before promotion.scheduled's startsAt, at 10:00`, `(each user's own time zone)`.
 */

/** Where a campaign's times are: `each user's own time zone`, or the fixed zone's name. */
export function zoneText(timezone: string): string {
  return timezone === "user" ? "each user's own time zone" : timezone;
}

/** `7 days before promotion.scheduled's startsAt, at 10:00`; `on the day of ...` for 0 days. */
export function relativeText(relativeTo: NonNullable<ScheduleTrigger["relativeTo"]>): string {
  const { days, field, localTime } = relativeTo;
  const types = patternDetailTypes(relativeTo.event)?.join(" or ") ?? "an event";
  const count = Math.abs(days);
  const when = days === 0 ? "on the day of" : `${count} day${count === 1 ? "" : "s"} ${days < 0 ? "before" : "after"}`;
  return `${when} ${types}'s ${field}, at ${localTime}`;
}

/** The trigger's lines for a diagram: when, in which zone, and the segment. */
export function scheduleLines(trigger: ScheduleTrigger): string[] {
  const when =
    trigger.relativeTo === undefined ? `on schedule ${trigger.schedule ?? ""}` : relativeText(trigger.relativeTo);
  return [
    when,
    trigger.timezone === "user" ? "in each user's own time zone" : `in ${trigger.timezone}`,
    ...(trigger.segment === undefined ? [] : [`segment: ${trigger.segment}`]),
  ];
}
