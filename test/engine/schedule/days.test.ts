import { describe, expect, it } from "vitest";
import { daysInMonth, daysPicked, weekdayOf } from "../../../functions/engine/schedule/days.ts";

describe("the days a cron's day fields pick", () => {
  it("count weekdays as AWS does, SUN 1 to SAT 7, and know month lengths and leap years", () => {
    // Act / Assess: 2026-11-27 is a Friday, 2026-11-29 a Sunday, 2026-11-28 a Saturday
    expect([weekdayOf(2026, 11, 27), weekdayOf(2026, 11, 29), weekdayOf(2026, 11, 28)]).toEqual([6, 1, 7]);
    expect([daysInMonth(2026, 2), daysInMonth(2028, 2), daysInMonth(2100, 2), daysInMonth(2026, 4)]).toEqual([
      28, 29, 28, 30,
    ]);
  });

  it("give day 31 only in the months that have one", () => {
    // Prepare
    const rule = { kind: "days-of-month", days: [1, 15, 31] } as const;
    // Act / Assess
    expect(daysPicked(rule, 2026, 1)).toEqual([1, 15, 31]);
    expect(daysPicked(rule, 2026, 4)).toEqual([1, 15]);
  });

  it("give the last day of the month for L, leap years included", () => {
    // Prepare
    const rule = { kind: "last-day-of-month" } as const;
    // Act / Assess
    expect([daysPicked(rule, 2026, 2), daysPicked(rule, 2028, 2), daysPicked(rule, 2026, 11)]).toEqual([
      [28],
      [29],
      [30],
    ]);
  });

  it("give the last Monday-to-Friday for LW", () => {
    // Prepare
    const rule = { kind: "last-weekday-of-month" } as const;
    // Act / Assess: 2026-01-31 is a Saturday, 2026-05-31 a Sunday, 2026-03-31 a Tuesday
    expect([daysPicked(rule, 2026, 1), daysPicked(rule, 2026, 5), daysPicked(rule, 2026, 3)]).toEqual([
      [30],
      [29],
      [31],
    ]);
  });

  it("give the Monday-to-Friday nearest the day for W, never leaving the month", () => {
    // Prepare
    const nearest = (day: number) => ({ kind: "nearest-weekday", day }) as const;
    // Act / Assess
    // 2026-11-15 is a Sunday: Monday the 16th; 2026-11-14 a Saturday: Friday the 13th.
    expect(daysPicked(nearest(15), 2026, 11)).toEqual([16]);
    expect(daysPicked(nearest(14), 2026, 11)).toEqual([13]);
    // 2026-08-01 is a Saturday: not Friday 31 July but Monday the 3rd.
    expect(daysPicked(nearest(1), 2026, 8)).toEqual([3]);
    // 2026-05-31 is a Sunday: not Monday 1 June but Friday the 29th.
    expect(daysPicked(nearest(31), 2026, 5)).toEqual([29]);
    // A Wednesday stays; day 31 in a 30-day month picks nothing.
    expect(daysPicked(nearest(11), 2026, 11)).toEqual([11]);
    expect(daysPicked(nearest(31), 2026, 11)).toEqual([]);
  });

  it("give the month's last weekday n for nL", () => {
    // Act / Assess: the last Friday of November 2026 is the 27th, of January 2027 the 29th
    expect(daysPicked({ kind: "last-of-weekday", weekday: 6 }, 2026, 11)).toEqual([27]);
    expect(daysPicked({ kind: "last-of-weekday", weekday: 6 }, 2027, 1)).toEqual([29]);
    // 2026-11-30 is a Monday, the month's last day
    expect(daysPicked({ kind: "last-of-weekday", weekday: 2 }, 2026, 11)).toEqual([30]);
  });

  it("give the k-th weekday n for n#k, and nothing in a month without a fifth", () => {
    // Act / Assess: Mondays of November 2026 are the 2nd, 9th, 16th, 23rd and 30th
    expect(daysPicked({ kind: "nth-of-weekday", weekday: 2, nth: 1 }, 2026, 11)).toEqual([2]);
    expect(daysPicked({ kind: "nth-of-weekday", weekday: 2, nth: 5 }, 2026, 11)).toEqual([30]);
    expect(daysPicked({ kind: "nth-of-weekday", weekday: 2, nth: 5 }, 2026, 12)).toEqual([]);
    // 2026-11-01 is a Sunday, itself the first Sunday
    expect(daysPicked({ kind: "nth-of-weekday", weekday: 1, nth: 1 }, 2026, 11)).toEqual([1]);
  });

  it("give every matching weekday of the month for a list of weekdays", () => {
    // Act / Assess: Fridays and Saturdays of November 2026
    expect(daysPicked({ kind: "days-of-week", weekdays: [6, 7] }, 2026, 11)).toEqual([6, 7, 13, 14, 20, 21, 27, 28]);
  });
});
