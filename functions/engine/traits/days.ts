/**
 * Calendar days with an event, in the user's own time zone, kept as runs of consecutive days: `[first,
 * last]` day numbers (days since 1970-01-01 on the user's calendar), oldest first. A late or repeated
 * event merges into them, so a streak is exact whatever order its check-ins arrive in.
 */
import { wallTimeAt } from "../../shared/local-time.ts";

export type DayRuns = [number, number][];

/** The runs kept: a streak longer than the oldest run kept is unaffected (it is the newest run). */
export const MAX_DAY_RUNS = 64;

/** The day number of an instant on the zone's calendar. */
export function dayNumber(ms: number, zone: string): number {
  const wall = wallTimeAt(ms, zone);
  return Math.floor(Date.UTC(wall.year, wall.month - 1, wall.day) / 86_400_000);
}

/**
 * The runs with `day` added (a copy; the same runs when it was there already), and how many days the
 * oldest runs dropped past MAX_DAY_RUNS held.
 */
export function withDay(runs: DayRuns, day: number): { runs: DayRuns; dropped: number } {
  const next: DayRuns = runs.map(([first, last]) => [first, last]);
  let index = next.findIndex(([, last]) => last >= day - 1);
  if (index === -1) index = next.length;
  const at = next[index];
  if (at !== undefined && at[0] <= day && day <= at[1]) return { runs, dropped: 0 };
  if (at !== undefined && at[0] === day + 1) at[0] = day;
  else if (at !== undefined && at[1] === day - 1) at[1] = day;
  else next.splice(at !== undefined && at[0] > day ? index : index + (at === undefined ? 0 : 1), 0, [day, day]);
  // Two runs a day apart became one.
  for (let i = 1; i < next.length; i++) {
    const before = next[i - 1];
    const run = next[i];
    if (before !== undefined && run !== undefined && before[1] + 1 >= run[0]) {
      before[1] = Math.max(before[1], run[1]);
      next.splice(i, 1);
      i--;
    }
  }
  let dropped = 0;
  while (next.length > MAX_DAY_RUNS) {
    const oldest = next.shift();
    if (oldest) dropped += oldest[1] - oldest[0] + 1;
  }
  return { runs: next, dropped };
}

/** Whether `day` has an event. */
export function hasDay(runs: DayRuns, day: number): boolean {
  return runs.some(([first, last]) => first <= day && day <= last);
}

/**
 * The streak on `today`: the run ending today, or (today not yet done) the one ending yesterday, counted
 * up to that day; 0 once a whole day passed without an event (at the user's midnight).
 */
export function streakOn(runs: DayRuns, today: number): number {
  for (const [first, last] of runs) {
    if (first > today) continue;
    const end = Math.min(last, today);
    if (end === today || end === today - 1) return end - first + 1;
  }
  return 0;
}

/** The days with an event from `fromDay` to `toDay`, inclusive. */
export function daysBetween(runs: DayRuns, fromDay: number, toDay: number): number {
  let days = 0;
  for (const [first, last] of runs) {
    const from = Math.max(first, fromDay);
    const to = Math.min(last, toDay);
    if (to >= from) days += to - from + 1;
  }
  return days;
}
