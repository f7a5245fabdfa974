import { addDays, instantOfWallTime, wallTimeAt } from "../../shared/local-time.ts";
import type { QuietHours } from "./config.ts";

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** The window's start and end in minutes of the day, worked out once per (parsed, unchanging) config. */
const windows = new WeakMap<QuietHours, { start: number; end: number }>();

function windowOf(hours: QuietHours): { start: number; end: number } {
  let window = windows.get(hours);
  if (window === undefined) {
    window = { start: minutesOf(hours.start), end: minutesOf(hours.end) };
    windows.set(hours, window);
  }
  return window;
}

/**
 * When quiet hours that hold `at` (epoch ms) end, in the zone's own clock time; undefined when `at` is
 * outside them. A window may run over midnight (21:00-09:00: from 21:00 to 09:00 the next morning) or not
 * (13:00-14:00). The end is found on the local calendar, so a night with a daylight-saving change is an
 * hour shorter or longer in UTC and the message still goes at 09:00 on the user's clock.
 */
export function quietHoursEnd(hours: QuietHours, at: number, zone: string): number | undefined {
  const { start, end } = windowOf(hours);
  const local = wallTimeAt(at, zone);
  const minute = local.hour * 60 + local.minute;
  const overnight = start > end;
  const inside = overnight ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return undefined;
  // Before midnight in an overnight window, the end is tomorrow's; otherwise today's.
  const days = overnight && minute >= start ? 1 : 0;
  // `at` itself as the bound: in an autumn overlap inside the window, the end's first showing may be past.
  return instantOfWallTime(addDays(local, days, Math.floor(end / 60), end % 60), zone, at + 1);
}
