/**
 * When a schedule fires, as EventBridge Scheduler fires it: cron and at() expressions are wall-clock
 * times in a time zone, rate() is a fixed interval from its start in any zone.
 *
 * Daylight saving time, as AWS documents it (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time,
 * and https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst): "When the time shifts forward
 * in Spring, your schedule invocation gets skipped if the cron expression falls on a non-existent date and
 * time. When the time shifts back in the Fall, your schedule runs only once and doesn't repeat its
 * invocation." So a cron time inside a spring gap has no occurrence that day, and one shown twice in an
 * autumn overlap has one, the first time the clocks show it (AWS does not say which of the two; the first
 * keeps the occurrences in wall-clock order). For rate(), "days represents a 24-hour duration".
 * AWS is silent on an at() time inside a gap: a one-time send should not vanish, so it fires when the clocks
 * jump past it, as Nudge's other local times do (`instantOfWallTime`).
 *
 * Pure and bounded: the search skips by fields (a year, a month, a day, an hour at a time), never minute by
 * minute, and ends with the cron year field's last year (2199 at most).
 */
import { NudgeError } from "../../shared/errors.ts";
import { instantOfWallTime, isTimeZone, localDateTime, type WallTime, wallTimeAt } from "../../shared/local-time.ts";
import type { AtSchedule, CronSchedule, Schedule } from "./cron.ts";
import { daysPicked } from "./days.ts";

/** The first of ascending `values` at or above `from`. */
function firstAtOrAbove(values: readonly number[], from: number): number | undefined {
  for (const value of values) if (value >= from) return value;
  return undefined;
}

/**
 * The first wall-clock minute at or after `from` that the expression picks, field by field from the
 * year down: a field with no value left moves the one above it on and starts the fields below from their
 * lowest. Values past a field's end (minute 60, day 32, month 13) need no normalising: no field has them,
 * so they carry into the field above. Undefined after the last year the expression allows.
 */
export function nextCronWallTime(cron: CronSchedule, from: WallTime): WallTime | undefined {
  let { year, month, day, hour, minute } = from;
  for (;;) {
    const nextYear = firstAtOrAbove(cron.years, year);
    if (nextYear === undefined) return undefined;
    if (nextYear !== year) [year, month, day, hour, minute] = [nextYear, 1, 1, 0, 0];
    const nextMonth = firstAtOrAbove(cron.months, month);
    if (nextMonth === undefined) {
      [year, month, day, hour, minute] = [year + 1, 1, 1, 0, 0];
      continue;
    }
    if (nextMonth !== month) [month, day, hour, minute] = [nextMonth, 1, 0, 0];
    const nextDay = firstAtOrAbove(daysPicked(cron.days, year, month), day);
    if (nextDay === undefined) {
      [month, day, hour, minute] = [month + 1, 1, 0, 0];
      continue;
    }
    if (nextDay !== day) [day, hour, minute] = [nextDay, 0, 0];
    const nextHour = firstAtOrAbove(cron.hours, hour);
    if (nextHour === undefined) {
      [day, hour, minute] = [day + 1, 0, 0];
      continue;
    }
    if (nextHour !== hour) [hour, minute] = [nextHour, 0];
    const nextMinute = firstAtOrAbove(cron.minutes, minute);
    if (nextMinute === undefined) {
      [hour, minute] = [hour + 1, 0];
      continue;
    }
    return { year, month, day, hour, minute: nextMinute };
  }
}

/** Whether the zone's clocks show `wall` at `instant` (false in a spring gap, where they never do). */
function shows(instant: number, wall: WallTime, zone: string): boolean {
  const shown = wallTimeAt(instant, zone);
  return shown.day === wall.day && shown.hour === wall.hour && shown.minute === wall.minute;
}

/**
 * The cron's first occurrence strictly after `after` in the zone. Every occurrence after `after` is a
 * wall time at or after the one `after` shows (the first instant of a later wall time is later), so the
 * search starts there and steps past the wall times a gap skips or that fired before `after` (the
 * second pass of an overlap): a few steps at most.
 */
function nextCronOccurrence(cron: CronSchedule, zone: string, after: number): number | undefined {
  let from: WallTime = wallTimeAt(after, zone);
  for (;;) {
    const wall = nextCronWallTime(cron, from);
    if (wall === undefined) return undefined;
    const instant = instantOfWallTime(wall, zone);
    if (instant > after && shows(instant, wall, zone)) return instant;
    from = { ...wall, minute: wall.minute + 1 };
  }
}

/** The instant of an at() in a zone: the first showing of its time, or the moment the clocks jump past it. */
function atInstant(at: AtSchedule, zone: string): number {
  const instant = instantOfWallTime(at, zone);
  return shows(instant, at, zone) ? instant + at.second * 1000 : instant;
}

function checkZone(zone: string): void {
  if (!isTimeZone(zone)) throw new NudgeError(`"${zone}" is not an IANA time zone (such as "Asia/Shanghai")`);
}

/**
 * The schedule's first occurrence strictly after `after` (epoch ms), in `zone` (an IANA name); undefined
 * when it has none (an at() passed, a cron's last year passed, a date that never comes such as 30 FEB).
 * `rateStart` anchors a rate(): its first occurrence, as EventBridge Scheduler's StartDate; without one
 * it is `after`, as a schedule without StartDate starts when created, so the next is a period later.
 * A rate ignores the zone.
 */
export function nextOccurrence(schedule: Schedule, zone: string, after: number, rateStart = after): number | undefined {
  checkZone(zone);
  switch (schedule.type) {
    case "cron":
      return nextCronOccurrence(schedule, zone, after);
    case "at": {
      const instant = atInstant(schedule, zone);
      return instant > after ? instant : undefined;
    }
    case "rate": {
      if (after < rateStart) return rateStart;
      return rateStart + (Math.floor((after - rateStart) / schedule.periodMs) + 1) * schedule.periodMs;
    }
  }
}

/** Up to `count` occurrences strictly after `after`, in order (`nudge validate` shows the next 5). */
export function nextOccurrences(
  schedule: Schedule,
  zone: string,
  after: number,
  count: number,
  rateStart = after,
): number[] {
  const occurrences: number[] = [];
  let from = after;
  while (occurrences.length < count) {
    const next = nextOccurrence(schedule, zone, from, rateStart);
    if (next === undefined) break;
    occurrences.push(next);
    from = next;
  }
  return occurrences;
}

/** An occurrence in one zone, with the date and time its clocks show then (`2026-11-27`, `10:00`). */
export interface ZonedOccurrence {
  readonly at: number;
  readonly localDate: string;
  readonly localTime: string;
}

/**
 * The next occurrence for a user in their own time zone, with the local date it falls on: a campaign in
 * each user's own zone runs the schedule once per zone, and the local date keys "once per user per
 * Friday".
 */
export function occurrenceInZone(
  schedule: Schedule,
  zone: string,
  after: number,
  rateStart = after,
): ZonedOccurrence | undefined {
  const at = nextOccurrence(schedule, zone, after, rateStart);
  if (at === undefined) return undefined;
  const local = localDateTime(at, zone);
  return { at, localDate: local.slice(0, 10), localTime: local.slice(11, 16) };
}

/**
 * The instant a local date and time (`2026-11-27`, `10:00`) falls on in a zone, for one-off sends "at
 * 10:00 on the 27th in each user's own time zone": a time shown twice gives the first, a time the clocks
 * skip the moment they jump past it. Throws a NudgeError for a malformed date or time, or an unknown zone.
 */
export function localOccurrenceFor(localDate: string, localTime: string, zone: string): number {
  checkZone(zone);
  const date = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(localDate);
  const time = /^([0-9]{2}):([0-9]{2})$/.exec(localTime);
  const [year, month, day] = (date?.slice(1) ?? []).map(Number);
  const [hour, minute] = (time?.slice(1) ?? []).map(Number);
  if (year === undefined || month === undefined || day === undefined) {
    throw new NudgeError(`"${localDate}" is not a local date (YYYY-MM-DD)`);
  }
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw new NudgeError(`"${localDate}" is not a date`);
  }
  if (hour === undefined || minute === undefined || hour > 23 || minute > 59) {
    throw new NudgeError(`"${localTime}" is not a local time (HH:MM, 00:00 to 23:59)`);
  }
  return instantOfWallTime({ year, month, day, hour, minute }, zone);
}
