/**
 * EventBridge Scheduler's schedule expressions, parsed and checked as AWS defines them, so a campaign's
 * schedule that Nudge accepts is one the CDK app can hand to EventBridge Scheduler unchanged:
 * - `cron(minutes hours day-of-month month day-of-week year)`, evaluated in a time zone;
 * - `at(yyyy-mm-ddThh:mm:ss)`, one time, a wall-clock time in a time zone;
 * - `rate(value unit)`, every `value` minutes, hours or days from the schedule's start.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 * A parse never throws: it returns the schedule, or a problem naming the expression, the field and why.
 */

import { FIELDS, type FieldSpec, parseDayOfMonth, parseDayOfWeek, parseValues } from "./cron-fields.ts";
import type { DayRule } from "./days.ts";

/** A cron expression's allowed values per field, ascending; the two day fields are one rule. */
export interface CronSchedule {
  readonly type: "cron";
  readonly expression: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: readonly number[];
  readonly years: readonly number[];
  readonly days: DayRule;
}

/** A one-time schedule: a wall-clock date and time, meaning an instant only once a zone is given. */
export interface AtSchedule {
  readonly type: "at";
  readonly expression: string;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export type RateUnit = "minute" | "hour" | "day";

/** A fixed interval: a day is 24 hours, whatever the clocks do (AWS: "days represents a 24-hour duration"). */
export interface RateSchedule {
  readonly type: "rate";
  readonly expression: string;
  readonly value: number;
  readonly unit: RateUnit;
  readonly periodMs: number;
}

export type Schedule = CronSchedule | AtSchedule | RateSchedule;

export type ParsedSchedule = { ok: true; schedule: Schedule } | { ok: false; problem: string };

const fail = (problem: string): ParsedSchedule => ({ ok: false, problem });

/** Parses any of the three expressions; the problem names the expression and what is wrong where. */
export function parseSchedule(text: string): ParsedSchedule {
  const shape = /^(cron|at|rate)\((.*)\)$/s.exec(text);
  if (shape === null) {
    return fail(`"${text}" is not a schedule expression: expected cron(...), at(...) or rate(...)`);
  }
  const [, kind, body = ""] = shape;
  if (kind === "cron") return parseCron(text, body);
  if (kind === "at") return parseAt(text, body);
  return parseRate(text, body);
}

/** The six fields of a cron expression, and the rule that exactly one day field is `?`. */
function parseCron(text: string, body: string): ParsedSchedule {
  const fields = body
    .trim()
    .split(/\s+/)
    .filter((field) => field !== "");
  if (fields.length !== 6) {
    return fail(
      `${text}: a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), found ${fields.length}`,
    );
  }
  const [minutesText = "", hoursText = "", domText = "", monthText = "", dowText = "", yearText = ""] = fields;
  const minutes = listField(text, FIELDS.minutes, minutesText);
  const hours = listField(text, FIELDS.hours, hoursText);
  const months = listField(text, FIELDS.month, monthText);
  const years = listField(text, FIELDS.year, yearText);
  if (!Array.isArray(minutes)) return minutes;
  if (!Array.isArray(hours)) return hours;
  if (!Array.isArray(months)) return months;
  if (!Array.isArray(years)) return years;
  const days = parseDays(domText, dowText);
  if (typeof days === "string") return fail(`${text}: ${days}`);
  return {
    ok: true,
    schedule: { type: "cron", expression: text, minutes, hours, months, years, days },
  };
}

/** A field other than the two day fields: its values, or the failed parse naming it. */
function listField(text: string, spec: FieldSpec, fieldText: string): number[] | ParsedSchedule {
  const values = fieldText.includes("?")
    ? `"?" is allowed only in day-of-month or day-of-week`
    : parseValues(fieldText, spec);
  return typeof values === "string" ? fail(`${text}: ${spec.name} "${fieldText}": ${values}`) : values;
}

/**
 * Day-of-month and day-of-week: exactly one is `?` ("You can't specify the Day-of-month and Day-of-week
 * fields in the same cron expression. If you specify a value or a * in one of the fields, you must use a ?
 * in the other"), and the other gives the rule.
 */
function parseDays(domText: string, dowText: string): DayRule | string {
  const both = `day-of-month "${domText}" and day-of-week "${dowText}"`;
  if (domText === "?" && dowText === "?") return `${both}: only one of them may be "?"`;
  if (domText !== "?" && dowText !== "?") return `${both}: one of them must be "?"`;
  const [name, fieldText, parse] =
    domText === "?"
      ? (["day-of-week", dowText, parseDayOfWeek] as const)
      : (["day-of-month", domText, parseDayOfMonth] as const);
  if (fieldText.includes("?")) return `${name} "${fieldText}": "?" stands alone, not in a list`;
  const rule = parse(fieldText);
  return typeof rule === "string" ? `${name} "${fieldText}": ${rule}` : rule;
}

/** `at(yyyy-mm-ddThh:mm:ss)`: a real calendar date and a time of day, to the second. */
function parseAt(text: string, body: string): ParsedSchedule {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})$/.exec(body);
  if (match === null)
    return fail(`${text}: a one-time schedule is at(yyyy-mm-ddThh:mm:ss), such as at(2026-11-11T10:00:00)`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) {
    return fail(`${text}: ${body.slice(0, 10)} is not a date`);
  }
  if (hour > 23 || minute > 59 || second > 59) return fail(`${text}: ${body.slice(11)} is not a time of day`);
  return { ok: true, schedule: { type: "at", expression: text, year, month, day, hour, minute, second } };
}

const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * `rate(value unit)`: a positive whole number and minute(s), hour(s) or day(s), singular for 1 and
 * plural above ("rate(1 hours) and rate(5 hour) are not valid"):
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
 */
function parseRate(text: string, body: string): ParsedSchedule {
  const match = /^([0-9]+) ([a-z]+)$/.exec(body.trim());
  if (match === null) return fail(`${text}: a rate is rate(value unit), such as rate(5 minutes) or rate(1 day)`);
  const value = Number(match[1]);
  const unitText = match[2] ?? "";
  if (!Number.isSafeInteger(value) || value < 1) return fail(`${text}: the value must be a whole number from 1`);
  const unit = unitText.replace(/s$/, "") as RateUnit;
  if (!Object.hasOwn(UNIT_MS, unit)) return fail(`${text}: "${unitText}" is not a unit (minute(s), hour(s) or day(s))`);
  const plural = unitText.endsWith("s");
  if (value === 1 && plural) return fail(`${text}: a value of 1 takes the singular: rate(1 ${unit})`);
  if (value > 1 && !plural) return fail(`${text}: a value above 1 takes the plural: rate(${value} ${unit}s)`);
  return { ok: true, schedule: { type: "rate", expression: text, value, unit, periodMs: value * UNIT_MS[unit] } };
}
