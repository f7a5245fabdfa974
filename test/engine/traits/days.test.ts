import { describe, expect, it } from "vitest";
import {
  type DayRuns,
  dayNumber,
  daysBetween,
  hasDay,
  streakOn,
  withDay,
} from "../../../functions/engine/traits/days.ts";

const add = (days: number[]) => days.reduce<DayRuns>((runs, day) => withDay(runs, day).runs, []);

describe("day runs", () => {
  it("merges days into runs whatever order they arrive in, each day once", () => {
    // Prepare / Act: 1, 3 and 5, then 2 and 4 late, then 3 again.
    const runs = add([1, 3, 5, 2, 4, 3, 9]);
    // Assess
    expect(runs).toEqual([
      [1, 5],
      [9, 9],
    ]);
    expect([hasDay(runs, 4), hasDay(runs, 6)]).toEqual([true, false]);
  });

  it("counts a streak up to today, or yesterday while today is not done, and 0 after a missed day", () => {
    // Prepare: checked in on days 10 to 14.
    const runs = add([10, 11, 12, 13, 14]);
    // Act / Assess
    expect(streakOn(runs, 14)).toBe(5);
    expect(streakOn(runs, 15)).toBe(5);
    expect(streakOn(runs, 16)).toBe(0);
    expect(streakOn(runs, 12)).toBe(3);
    expect(daysBetween(runs, 12, 20)).toBe(3);
  });

  it("numbers days on the user's own calendar: 23:30 in Shanghai is the next day in UTC's terms", () => {
    // Prepare: 2026-11-20T15:30Z is 23:30 on the 20th in Shanghai, 10:30 on the 20th in New York.
    const at = Date.parse("2026-11-20T16:30:00Z");
    // Act / Assess: 00:30 on the 21st in Shanghai.
    expect(dayNumber(at, "Asia/Shanghai") - dayNumber(at, "America/New_York")).toBe(1);
  });

  it("keeps the latest runs and says how many days it dropped", () => {
    // Prepare / Act: 70 runs of one day, two days apart.
    let runs: DayRuns = [];
    let dropped = 0;
    for (let i = 0; i < 70; i++) {
      const next = withDay(runs, i * 2);
      runs = next.runs;
      dropped += next.dropped;
    }
    // Assess
    expect(runs).toHaveLength(64);
    expect(dropped).toBe(6);
    expect(runs[0]).toEqual([12, 12]);
  });
});
