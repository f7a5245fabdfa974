/**
 * One field of an EventBridge cron expression, parsed to the values it allows. The grammar, per field:
 *
 * | Field        | Values          | Wildcards     |
 * | ------------ | --------------- | ------------- |
 * | Minutes      | 0-59            | , - * /       |
 * | Hours        | 0-23            | , - * /       |
 * | Day-of-month | 1-31            | , - * ? / L W |
 * | Month        | 1-12 or JAN-DEC | , - * /       |
 * | Day-of-week  | 1-7 or SUN-SAT  | , - * ? L #   |
 * | Year         | 1970-2199       | , - * /       |
 *
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html (the same
 * expressions as EventBridge Scheduler's https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based).
 * Names and the letters L and W are read in any case, as Quartz (whose syntax this is) reads them.
 * A parse returns the values, or the problem as a message that the caller prefixes with where it is.
 */
import type { DayRule } from "./days.ts";

export interface FieldSpec {
  /** As AWS's table names it, for messages. */
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names of the values from `min` up (JAN is 1, SUN is 1). */
  readonly names?: readonly string[];
  /** Whether `/` (increments) is allowed: not in day-of-week, whose wildcards have none. */
  readonly steps: boolean;
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export const FIELDS = {
  minutes: { name: "minutes", min: 0, max: 59, steps: true },
  hours: { name: "hours", min: 0, max: 23, steps: true },
  dayOfMonth: { name: "day-of-month", min: 1, max: 31, steps: true },
  month: { name: "month", min: 1, max: 12, names: MONTH_NAMES, steps: true },
  dayOfWeek: { name: "day-of-week", min: 1, max: 7, names: WEEKDAY_NAMES, steps: false },
  year: { name: "year", min: 1970, max: 2199, steps: true },
} as const satisfies Record<string, FieldSpec>;

/** The allowed range of a field in words: `1-7 or SUN-SAT`. */
function rangeInWords(spec: FieldSpec): string {
  const names = spec.names === undefined ? "" : ` or ${spec.names[0]}-${spec.names.at(-1)}`;
  return `${spec.min}-${spec.max}${names}`;
}

/** One value: a number in the field's range, or one of its names. */
function parseValue(token: string, spec: FieldSpec): number | string {
  if (/^[0-9]+$/.test(token)) {
    const value = Number(token);
    if (value < spec.min || value > spec.max) return `${token} is outside ${rangeInWords(spec)}`;
    return value;
  }
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return spec.min + named;
  if (token === "") return `a value is missing (expected ${rangeInWords(spec)})`;
  return `"${token}" is not a value of ${spec.name} (expected ${rangeInWords(spec)})`;
}

/** The increment after `/`: a whole number of at least 1. */
function parseStep(text: string, spec: FieldSpec): number | string {
  if (!spec.steps) return `"/" (increments) is not allowed in ${spec.name}`;
  if (!/^[0-9]+$/.test(text) || Number(text) === 0) return `the increment "${text}" must be a whole number from 1`;
  return Number(text);
}

/**
 * The values of one list item into `into`: `*`, `5`, `MON`, `1-5`, and with an increment `*\/15`,
 * `0/15` (from 0 to the field's end) or `10-50/20`. A range must go up: `FRI-MON` is refused rather
 * than guessed at (AWS documents ranges only as low-high).
 */
function addItem(item: string, spec: FieldSpec, into: Set<number>): string | undefined {
  const [range = "", stepText, ...extra] = item.split("/");
  if (extra.length > 0) return `"${item}" has more than one "/"`;
  let step = 1;
  if (stepText !== undefined) {
    const parsed = parseStep(stepText, spec);
    if (typeof parsed === "string") return parsed;
    step = parsed;
  }
  let from = spec.min;
  let to = spec.max;
  if (range !== "*") {
    const bounds = range.split("-");
    if (bounds.length > 2) return `"${range}" is not a range (expected low-high)`;
    const low = parseValue(bounds[0] ?? "", spec);
    if (typeof low === "string") return low;
    const high = bounds.length === 2 ? parseValue(bounds[1] ?? "", spec) : stepText === undefined ? low : spec.max;
    if (typeof high === "string") return high;
    if (low > high) return `the range "${range}" runs backwards (write it from the lower value up)`;
    from = low;
    to = high;
  }
  for (let value = from; value <= to; value += step) into.add(value);
  return undefined;
}

/** A comma-separated list of items, to its values ascending; or the problem. */
export function parseValues(text: string, spec: FieldSpec): number[] | string {
  if (text === "") return "is empty";
  const values = new Set<number>();
  for (const item of text.split(",")) {
    if (item === "") return `has an empty item in its list`;
    const problem = addItem(item, spec, values);
    if (problem !== undefined) return problem;
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * Day-of-month other than `?`: `L` (the last day), `LW` (the last Monday-to-Friday), `nW` (the
 * Monday-to-Friday nearest day n), or a list of days. L and W stand alone: Quartz defines `W` only on a
 * single day, and a list with them would leave it unclear what is meant.
 */
export function parseDayOfMonth(text: string): DayRule | string {
  const upper = text.toUpperCase();
  if (upper === "L") return { kind: "last-day-of-month" };
  if (upper === "LW") return { kind: "last-weekday-of-month" };
  const nearest = /^([0-9]+)W$/.exec(upper);
  if (nearest !== null) {
    const day = parseValue(nearest[1] ?? "", FIELDS.dayOfMonth);
    return typeof day === "string" ? day : { kind: "nearest-weekday", day };
  }
  if (/[LW]/.test(upper)) return `"L" and "W" stand alone in day-of-month ("L", "LW" or a day such as "15W")`;
  const days = parseValues(text, FIELDS.dayOfMonth);
  return typeof days === "string" ? days : { kind: "days-of-month", days };
}

/**
 * Day-of-week other than `?`: `L` alone (the week's last day, SAT), `nL` (the month's last weekday n),
 * `n#k` (its k-th weekday n, k from 1 to 5), or a list of weekdays. AWS allows one expression only
 * with `#` ("3#1,6#3" is invalid); `L` is held to the same.
 */
export function parseDayOfWeek(text: string): DayRule | string {
  const upper = text.toUpperCase();
  if (upper === "L") return { kind: "days-of-week", weekdays: [FIELDS.dayOfWeek.max] };
  const last = /^([0-9A-Z]+)L$/.exec(upper);
  if (last !== null) {
    const weekday = parseValue(last[1] ?? "", FIELDS.dayOfWeek);
    return typeof weekday === "string" ? weekday : { kind: "last-of-weekday", weekday };
  }
  const nth = /^([0-9A-Z]+)#([0-9]+)$/.exec(upper);
  if (nth !== null) {
    const weekday = parseValue(nth[1] ?? "", FIELDS.dayOfWeek);
    if (typeof weekday === "string") return weekday;
    const count = Number(nth[2]);
    if (count < 1 || count > 5) return `"#${nth[2]}" must count from 1 to 5 (a month has at most five of a weekday)`;
    return { kind: "nth-of-weekday", weekday, nth: count };
  }
  if (upper.includes("#")) return `"#" allows one expression only, such as "6#3" (AWS rejects "3#1,6#3")`;
  if (upper.includes("L")) return `"L" stands alone in day-of-week ("L" or a weekday such as "6L")`;
  const weekdays = parseValues(text, FIELDS.dayOfWeek);
  return typeof weekdays === "string" ? weekdays : { kind: "days-of-week", weekdays };
}
