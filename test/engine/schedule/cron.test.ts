import { describe, expect, it } from "vitest";
import { type CronSchedule, parseSchedule, type Schedule } from "../../../functions/engine/schedule/cron.ts";

/** The schedule of an expression that must parse. */
function parsed(text: string): Schedule {
  const result = parseSchedule(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.problem}`);
  return result.schedule;
}

/** The cron schedule of an expression that must parse as one. */
function cron(text: string): CronSchedule {
  const schedule = parsed(text);
  if (schedule.type !== "cron") throw new Error(`expected a cron schedule: ${text}`);
  return schedule;
}

/** The problem of an expression that must not parse. */
function problemOf(text: string): string {
  const result = parseSchedule(text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  return result.problem;
}

describe("cron expressions", () => {
  it("parse member day, every Friday at 10:00, to the values of each field", () => {
    // Act
    const schedule = cron("cron(0 10 ? * FRI *)");
    // Assess: FRI is 6 (SUN is 1); month and year are every value
    expect(schedule.minutes).toEqual([0]);
    expect(schedule.hours).toEqual([10]);
    expect(schedule.days).toEqual({ kind: "days-of-week", weekdays: [6] });
    expect(schedule.months).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(schedule.years).toHaveLength(2199 - 1970 + 1);
    expect([schedule.years[0], schedule.years.at(-1)]).toEqual([1970, 2199]);
    expect(schedule.expression).toBe("cron(0 10 ? * FRI *)");
  });

  it("read lists, ranges, increments from a value, from a range and from *", () => {
    // Act
    const schedule = cron("cron(5,10-12,50/5 8-17/3 1/10 */5 ? 2026,2028-2030)");
    // Assess
    expect(schedule.minutes).toEqual([5, 10, 11, 12, 50, 55]);
    expect(schedule.hours).toEqual([8, 11, 14, 17]);
    expect(schedule.days).toEqual({ kind: "days-of-month", days: [1, 11, 21, 31] });
    expect(schedule.months).toEqual([1, 6, 11]);
    expect(schedule.years).toEqual([2026, 2028, 2029, 2030]);
  });

  it("read month names JAN-DEC and day names SUN-SAT, in any case, in lists and ranges", () => {
    // Act
    const months = cron("cron(0 9 1 JAN,mar-MAY,Dec ? *)").months;
    const weekdays = cron("cron(0 9 ? * SUN,tue-THU,SAT *)").days;
    const numbered = cron("cron(0 9 ? * 1,3-5,7 *)").days;
    // Assess: SUN is 1 and SAT is 7, as AWS numbers them
    expect(months).toEqual([1, 3, 4, 5, 12]);
    expect(weekdays).toEqual({ kind: "days-of-week", weekdays: [1, 3, 4, 5, 7] });
    expect(numbered).toEqual(weekdays);
  });

  it("read every day from * in day-of-month and from * in day-of-week", () => {
    // Act
    const byMonth = cron("cron(0 10 * * ? *)").days;
    const byWeek = cron("cron(0 10 ? * * *)").days;
    // Assess
    expect(byMonth).toEqual({ kind: "days-of-month", days: Array.from({ length: 31 }, (_, i) => i + 1) });
    expect(byWeek).toEqual({ kind: "days-of-week", weekdays: [1, 2, 3, 4, 5, 6, 7] });
  });

  it("read L, LW and W in day-of-month", () => {
    // Act / Assess
    expect(cron("cron(0 10 L * ? *)").days).toEqual({ kind: "last-day-of-month" });
    expect(cron("cron(0 10 LW * ? *)").days).toEqual({ kind: "last-weekday-of-month" });
    expect(cron("cron(0 10 15W * ? *)").days).toEqual({ kind: "nearest-weekday", day: 15 });
  });

  it("read L, nL and n#k in day-of-week", () => {
    // Act / Assess: L alone is the week's last day, SAT
    expect(cron("cron(0 10 ? * L *)").days).toEqual({ kind: "days-of-week", weekdays: [7] });
    expect(cron("cron(0 10 ? * 6L *)").days).toEqual({ kind: "last-of-weekday", weekday: 6 });
    expect(cron("cron(0 10 ? * FRIL *)").days).toEqual({ kind: "last-of-weekday", weekday: 6 });
    expect(cron("cron(0 9 ? * 2#1 *)").days).toEqual({ kind: "nth-of-weekday", weekday: 2, nth: 1 });
    expect(cron("cron(0 9 ? * MON#5 *)").days).toEqual({ kind: "nth-of-weekday", weekday: 2, nth: 5 });
  });

  it("take the year field's limits, 1970 and 2199, and spaces around the fields", () => {
    // Act
    const schedule = cron("cron(  0 10 1 1 ?   1970,2199 )");
    // Assess
    expect(schedule.years).toEqual([1970, 2199]);
  });
});

describe("cron expressions AWS rejects", () => {
  it.each([
    ["cron(0 10 * * FRI *)", 'cron(0 10 * * FRI *): day-of-month "*" and day-of-week "FRI": one of them must be "?"'],
    ["cron(0 10 1 * FRI *)", 'cron(0 10 1 * FRI *): day-of-month "1" and day-of-week "FRI": one of them must be "?"'],
    ["cron(0 10 ? * ? *)", 'cron(0 10 ? * ? *): day-of-month "?" and day-of-week "?": only one of them may be "?"'],
    [
      "cron(0 10 ? * FRI)",
      "cron(0 10 ? * FRI): a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), found 5",
    ],
    [
      "cron(0 0 10 ? * FRI *)",
      "cron(0 0 10 ? * FRI *): a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), found 7",
    ],
    ["cron(60 10 ? * FRI *)", 'cron(60 10 ? * FRI *): minutes "60": 60 is outside 0-59'],
    ["cron(0 24 ? * FRI *)", 'cron(0 24 ? * FRI *): hours "24": 24 is outside 0-23'],
    ["cron(0 10 0 * ? *)", 'cron(0 10 0 * ? *): day-of-month "0": 0 is outside 1-31'],
    ["cron(0 10 32 * ? *)", 'cron(0 10 32 * ? *): day-of-month "32": 32 is outside 1-31'],
    ["cron(0 10 1 13 ? *)", 'cron(0 10 1 13 ? *): month "13": 13 is outside 1-12 or JAN-DEC'],
    ["cron(0 10 ? * 0 *)", 'cron(0 10 ? * 0 *): day-of-week "0": 0 is outside 1-7 or SUN-SAT'],
    ["cron(0 10 ? * 8 *)", 'cron(0 10 ? * 8 *): day-of-week "8": 8 is outside 1-7 or SUN-SAT'],
    [
      "cron(0 10 ? * FRY *)",
      'cron(0 10 ? * FRY *): day-of-week "FRY": "FRY" is not a value of day-of-week (expected 1-7 or SUN-SAT)',
    ],
    ["cron(0 10 1 JANUARY ? *)", 'cron(0 10 1 JANUARY ? *): month "JANUARY": "JANUARY" is not a value of month'],
    ["cron(0 10 * * ? 1969)", 'cron(0 10 * * ? 1969): year "1969": 1969 is outside 1970-2199'],
    ["cron(0 10 * * ? 2200)", 'cron(0 10 * * ? 2200): year "2200": 2200 is outside 1970-2199'],
    ["cron(0 10 * * ? 2026-2200)", 'cron(0 10 * * ? 2026-2200): year "2026-2200": 2200 is outside 1970-2199'],
  ])("%s", (expression, problem) => {
    // Act / Assess
    expect(problemOf(expression)).toContain(problem);
  });

  it.each([
    ["cron(0 10 ? * 3#1,6#3 *)", '"#" allows one expression only'],
    ["cron(0 10 ? * 6#6 *)", '"#6" must count from 1 to 5'],
    ["cron(0 10 ? * 6#0 *)", '"#0" must count from 1 to 5'],
    ["cron(0 10 ? * 2,6L *)", '"L" stands alone in day-of-week'],
    ["cron(0 10 ? * MON-FRI/2 *)", '"/" (increments) is not allowed in day-of-week'],
    ["cron(0 10 1,L * ? *)", '"L" and "W" stand alone in day-of-month'],
    ["cron(0 10 1-15W * ? *)", '"L" and "W" stand alone in day-of-month'],
    ["cron(0 10 32W * ? *)", "32 is outside 1-31"],
    ["cron(0 ? * * ? *)", 'hours "?": "?" is allowed only in day-of-month or day-of-week'],
    ["cron(0 10 1,? * ? *)", 'day-of-month "1,?": "?" stands alone, not in a list'],
    ["cron(0/0 10 * * ? *)", 'the increment "0" must be a whole number from 1'],
    ["cron(0/x 10 * * ? *)", 'the increment "x" must be a whole number from 1'],
    ["cron(0/5/2 10 * * ? *)", 'has more than one "/"'],
    ["cron(50-10 * * * ? *)", 'the range "50-10" runs backwards'],
    ["cron(1-2-3 * * * ? *)", '"1-2-3" is not a range'],
    ["cron(1,,2 * * * ? *)", "has an empty item in its list"],
    ["cron(-5 * * * ? *)", "a value is missing"],
  ])("%s: %s", (expression, problem) => {
    // Act / Assess
    expect(problemOf(expression)).toContain(problem);
  });

  it("are not taken for another kind of expression", () => {
    // Act / Assess
    expect(problemOf("0 10 ? * FRI *")).toBe(
      '"0 10 ? * FRI *" is not a schedule expression: expected cron(...), at(...) or rate(...)',
    );
    expect(problemOf("CRON(0 10 ? * FRI *)")).toContain("is not a schedule expression");
  });
});

describe("one-time expressions", () => {
  it("parse at(yyyy-mm-ddThh:mm:ss) to a wall-clock date and time", () => {
    // Act
    const schedule = parsed("at(2026-11-11T10:00:30)");
    // Assess
    expect(schedule).toEqual({
      type: "at",
      expression: "at(2026-11-11T10:00:30)",
      year: 2026,
      month: 11,
      day: 11,
      hour: 10,
      minute: 0,
      second: 30,
    });
  });

  it.each([
    ["at(2027-02-29T10:00:00)", "at(2027-02-29T10:00:00): 2027-02-29 is not a date"],
    ["at(2026-13-01T10:00:00)", "at(2026-13-01T10:00:00): 2026-13-01 is not a date"],
    ["at(2026-11-11T24:00:00)", "at(2026-11-11T24:00:00): 24:00:00 is not a time of day"],
    ["at(2026-11-11T10:60:00)", "at(2026-11-11T10:60:00): 10:60:00 is not a time of day"],
    ["at(2026-11-11 10:00:00)", "at(2026-11-11 10:00:00): a one-time schedule is at(yyyy-mm-ddThh:mm:ss)"],
    ["at(2026-11-11T10:00)", "at(2026-11-11T10:00): a one-time schedule is at(yyyy-mm-ddThh:mm:ss)"],
    ["at(2026-11-11T10:00:00Z)", "at(2026-11-11T10:00:00Z): a one-time schedule is at(yyyy-mm-ddThh:mm:ss)"],
  ])("refuse %s", (expression, problem) => {
    // Act / Assess
    expect(problemOf(expression)).toContain(problem);
  });

  it("take a leap day in a leap year", () => {
    // Act / Assess
    expect(parsed("at(2028-02-29T10:00:00)").type).toBe("at");
  });
});

describe("rate expressions", () => {
  it.each([
    ["rate(1 minute)", "minute", 60_000],
    ["rate(5 minutes)", "minute", 300_000],
    ["rate(1 hour)", "hour", 3_600_000],
    ["rate(12 hours)", "hour", 43_200_000],
    ["rate(1 day)", "day", 86_400_000],
    ["rate(7 days)", "day", 604_800_000],
  ])("parse %s to a fixed period", (expression, unit, periodMs) => {
    // Act
    const schedule = parsed(expression);
    // Assess
    expect(schedule.type === "rate" && [schedule.unit, schedule.periodMs]).toEqual([unit, periodMs]);
  });

  it.each([
    ["rate(1 hours)", "rate(1 hours): a value of 1 takes the singular: rate(1 hour)"],
    ["rate(5 hour)", "rate(5 hour): a value above 1 takes the plural: rate(5 hours)"],
    ["rate(0 minutes)", "rate(0 minutes): the value must be a whole number from 1"],
    ["rate(-5 minutes)", "rate(-5 minutes): a rate is rate(value unit)"],
    ["rate(1.5 hours)", "rate(1.5 hours): a rate is rate(value unit)"],
    ["rate(2 weeks)", 'rate(2 weeks): "weeks" is not a unit (minute(s), hour(s) or day(s))'],
    ["rate(1 second)", 'rate(1 second): "second" is not a unit'],
    ["rate(5minutes)", "rate(5minutes): a rate is rate(value unit)"],
  ])("refuse %s", (expression, problem) => {
    // Act / Assess
    expect(problemOf(expression)).toContain(problem);
  });
});
