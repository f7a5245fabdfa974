/**
 * The days of a month a cron expression's day fields pick. Day-of-month and day-of-week are one rule
 * between them (EventBridge wants `?` in one of the two), so the rule is a single value: a list of
 * days or weekdays, or one of the special forms `L`, `LW`, `nW`, `nL` and `n#k`.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 */

/** Day-of-week numbers as EventBridge counts them: SUN is 1, SAT is 7. */
export const SUNDAY = 1;
export const SATURDAY = 7;

/** Which days of a month fire. Weekdays are 1 (SUN) to 7 (SAT). */
export type DayRule =
  /** Day-of-month values (`1,15`, `1-7`, `*`, `1/10`); a 31 in a 30-day month picks nothing. */
  | { kind: "days-of-month"; days: readonly number[] }
  /** `L` in day-of-month. */
  | { kind: "last-day-of-month" }
  /** `LW` in day-of-month: the last Monday-to-Friday of the month. */
  | { kind: "last-weekday-of-month" }
  /** `nW` in day-of-month: the Monday-to-Friday nearest day n, within the month. */
  | { kind: "nearest-weekday"; day: number }
  /** Day-of-week values (`MON-FRI`, `2,4`, `*`, and `L` alone, which is SAT, the week's last day). */
  | { kind: "days-of-week"; weekdays: readonly number[] }
  /** `nL` in day-of-week: the month's last weekday n (`6L`, the last Friday). */
  | { kind: "last-of-weekday"; weekday: number }
  /** `n#k` in day-of-week: the month's k-th weekday n (`2#1`, the first Monday); none when there is no k-th. */
  | { kind: "nth-of-weekday"; weekday: number; nth: number };

/** The number of days of a month (`month` 1-12) in the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The day of the week of a date, 1 (SUN) to 7 (SAT). */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/**
 * The Monday-to-Friday nearest `day`, never leaving the month (as Quartz, which EventBridge's `W`
 * follows): a Saturday the 1st gives Monday the 3rd, a Sunday on the last day the Friday before.
 */
function nearestWeekday(year: number, month: number, day: number): number | undefined {
  const last = daysInMonth(year, month);
  if (day > last) return undefined;
  const weekday = weekdayOf(year, month, day);
  if (weekday === SATURDAY) return day === 1 ? 3 : day - 1;
  if (weekday === SUNDAY) return day === last ? day - 2 : day + 1;
  return day;
}

/** The last day of the month falling on `weekday`. */
function lastOfWeekday(year: number, month: number, weekday: number): number {
  const last = daysInMonth(year, month);
  return last - ((weekdayOf(year, month, last) - weekday + 7) % 7);
}

/** The `nth` day of the month falling on `weekday`, if the month has one. */
function nthOfWeekday(year: number, month: number, weekday: number, nth: number): number | undefined {
  const first = 1 + ((weekday - weekdayOf(year, month, 1) + 7) % 7);
  const day = first + (nth - 1) * 7;
  return day <= daysInMonth(year, month) ? day : undefined;
}

/** The days of the month (`month` 1-12) the rule picks, ascending. */
export function daysPicked(rule: DayRule, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  switch (rule.kind) {
    case "days-of-month":
      return rule.days.filter((day) => day <= last);
    case "last-day-of-month":
      return [last];
    case "last-weekday-of-month": {
      const weekday = weekdayOf(year, month, last);
      return [weekday === SATURDAY ? last - 1 : weekday === SUNDAY ? last - 2 : last];
    }
    case "nearest-weekday": {
      const day = nearestWeekday(year, month, rule.day);
      return day === undefined ? [] : [day];
    }
    case "days-of-week": {
      const days: number[] = [];
      for (let day = 1, weekday = weekdayOf(year, month, 1); day <= last; day++, weekday = (weekday % 7) + 1) {
        if (rule.weekdays.includes(weekday)) days.push(day);
      }
      return days;
    }
    case "last-of-weekday":
      return [lastOfWeekday(year, month, rule.weekday)];
    case "nth-of-weekday": {
      const day = nthOfWeekday(year, month, rule.weekday, rule.nth);
      return day === undefined ? [] : [day];
    }
  }
}
