/**
 * Wall-clock time in a named IANA time zone, with nothing but `Intl.DateTimeFormat`: the offset of a
 * zone at an instant, and the instant a local wall-clock time falls on, across daylight-saving changes.
 * Policies need this for quiet hours, which are the user's own evening, not a fixed UTC window.
 */
import { civilDate, DAY_MS, isCivil } from "./time.ts";

/** A local calendar date and time of day; `month` is 1-12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter of a zone, built once: building one costs far more than using it. */
export function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone isTimeZone last answered true for (a zone once known stays known: formatters are kept). */
const lastKnown: { zone: string | undefined } = { zone: undefined };

/** Names Intl refused, so a profile with a made-up zone costs no exception per message; bounded. */
const refused = new Set<string>();

/** Whether the runtime knows an IANA zone name (`Asia/Shanghai`); unknown names make Intl throw. */
export function isTimeZone(zone: string): boolean {
  // The zone last known first: nearly every user of a shop is in one zone, and a string compare costs less
  // than a hash lookup (policies ask for every message).
  if (zone === lastKnown.zone || formatters.has(zone)) {
    lastKnown.zone = zone;
    return true;
  }
  if (refused.has(zone)) return false;
  try {
    formatterOf(zone);
    lastKnown.zone = zone;
    return true;
  } catch {
    if (refused.size >= 1_000) refused.clear();
    refused.add(zone);
    return false;
  }
}

/** The local wall-clock time of an instant (epoch ms) in a zone, to the second (seconds in `second`). */
export function wallTimeAt(ms: number, zone: string): UtcFields {
  // Offsets are whole seconds, so the shifted instant's UTC fields are the zone's clock, as Intl shows it.
  return utcFields(ms + offsetAt(ms, zone));
}

/** The UTC calendar fields of an instant, to the second, as a Date's getUTC* give them. */
export interface UtcFields extends WallTime {
  second: number;
}

/** utcFields: by integer arithmetic where it holds (civilTime), else a Date's. */
export function utcFields(ms: number): UtcFields {
  if (isCivil(ms)) return civilTime(ms);
  const local = new Date(ms);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

/** The UTC day of the week of an instant, 0 for Sunday, as Date.getUTCDay (1970-01-01 was a Thursday). */
export function utcWeekday(ms: number): number {
  return isCivil(ms) ? (Math.floor(ms / DAY_MS) + 4) % 7 : new Date(ms).getUTCDay();
}

/**
 * The UTC calendar fields of an instant by integer arithmetic (civilDate, as formatInstant), the same as
 * a Date's getUTC* would give for whole milliseconds in years 1970-9999: policies ask for every message,
 * and a Date each time costs more than this.
 */
function civilTime(ms: number): UtcFields {
  const days = Math.floor(ms / DAY);
  const seconds = Math.floor((ms - days * DAY) / 1000);
  const { year, month, day } = civilDate(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(seconds / 3600),
    minute: Math.floor(seconds / 60) % 60,
    second: seconds % 60,
  };
}

/** The zone's offset at an instant as Intl works it out (~5 µs): whole seconds, east positive. */
function offsetFromIntl(ms: number, zone: string): number {
  const field: Record<string, number> = {};
  for (const part of formatterOf(zone).formatToParts(ms)) {
    if (part.type !== "literal") field[part.type] = Number(part.value);
  }
  const wallAsUtc = Date.UTC(
    field.year ?? 0,
    (field.month ?? 1) - 1,
    field.day ?? 1,
    field.hour ?? 0,
    field.minute ?? 0,
    field.second ?? 0,
  );
  return wallAsUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

const HOUR = 3_600_000;
const DAY = DAY_MS;
/** Offsets at the start of each day and each hour since the epoch, by zone; at most this many in all. */
const MAX_CACHED_OFFSETS = 50_000;
const startOffsets = { [DAY]: new Map<string, Map<number, number>>(), [HOUR]: new Map<string, Map<number, number>>() };
let cachedOffsets = 0;

/** The zone's offset at the start of the `index`th span (a day or an hour) since the epoch. */
function offsetAtStart(span: typeof DAY | typeof HOUR, index: number, zone: string): number {
  let byIndex = startOffsets[span].get(zone);
  const known = byIndex?.get(index);
  if (known !== undefined) return known;
  const offset = offsetFromIntl(index * span, zone);
  if (cachedOffsets >= MAX_CACHED_OFFSETS) {
    startOffsets[DAY].clear();
    startOffsets[HOUR].clear();
    cachedOffsets = 0;
    byIndex = undefined;
  }
  if (byIndex === undefined) {
    byIndex = new Map();
    startOffsets[span].set(zone, byIndex);
  }
  byIndex.set(index, offset);
  cachedOffsets++;
  return offset;
}

/**
 * Days whose offset held all day, by zone, in slots by the day: a quiet-hours check asks about the same
 * day and the next several times, and a slot answers without the two lookups of offsetAtStart. What a
 * slot holds comes from Intl, so it stays true when the caches above are emptied.
 */
const STEADY_SLOTS = 64;
const steadyDays = new Float64Array(STEADY_SLOTS).fill(Number.NaN);
const steadyZones: string[] = new Array(STEADY_SLOTS).fill("");
const steadyOffsets = new Float64Array(STEADY_SLOTS);

/**
 * The zone's offset from UTC at an instant, in ms (east positive: Asia/Shanghai is +8 h). Asking Intl
 * costs microseconds and policies ask for every message, so offsets at the start of each day are kept:
 * when a day starts and ends on the same offset, no change fell inside it (a zone's changes are months
 * apart) and that offset holds. On a day with a change the same goes for its hours, and in the hour of
 * the change Intl answers for the instant itself.
 */
export function offsetAt(ms: number, zone: string): number {
  const day = Math.floor(ms / DAY);
  const slot = day & (STEADY_SLOTS - 1);
  if (steadyDays[slot] === day && steadyZones[slot] === zone) return steadyOffsets[slot] as number;
  const offset = offsetAtStart(DAY, day, zone);
  if (offset === offsetAtStart(DAY, day + 1, zone)) {
    steadyDays[slot] = day;
    steadyZones[slot] = zone;
    steadyOffsets[slot] = offset;
    return offset;
  }
  const hour = Math.floor(ms / HOUR);
  const hourly = offsetAtStart(HOUR, hour, zone);
  return hourly === offsetAtStart(HOUR, hour + 1, zone) ? hourly : offsetFromIntl(ms, zone);
}

/**
 * The first instant at which the zone's clocks show `wall` or later. Usually the one instant showing
 * `wall`; in an autumn overlap (the hour shown twice), the first of the two not before `notBefore`; in a
 * spring gap (a time the clocks skip), the instant of the jump, which is when that time of day is first
 * reached or passed. Dates out of range (day 32) roll over as in Date.UTC.
 */
export function instantOfWallTime(wall: WallTime, zone: string, notBefore = Number.NEGATIVE_INFINITY): number {
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // The offsets half a day either side cover any one change of offset (zones change at most twice a year).
  const offsetBefore = offsetAt(wallAsUtc - 12 * HOUR, zone);
  const offsetAfter = offsetAt(wallAsUtc + 12 * HOUR, zone);
  if (offsetBefore === offsetAfter) {
    // No change of offset near: the one instant showing `wall`, as the general search below finds it.
    const ms = wallAsUtc - offsetBefore;
    if (ms + offsetAt(ms, zone) === wallAsUtc) return ms;
  }
  const candidates = [wallAsUtc - offsetBefore, wallAsUtc - offsetAfter].filter(
    (ms) => ms + offsetAt(ms, zone) === wallAsUtc,
  );
  const inTime = candidates.filter((ms) => ms >= notBefore);
  if (inTime.length > 0) return Math.min(...inTime);
  if (candidates.length > 0) return Math.max(...candidates);
  // A gap: with the offset before the jump the time lands after it, with the one after, before it. The
  // jump lies between; find it to the millisecond (offsets change on whole seconds, so this is exact).
  let low = wallAsUtc - offsetAfter;
  let high = wallAsUtc - offsetBefore;
  if (low > high) [low, high] = [high, low];
  const offsetAtLow = offsetAt(low, zone);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle, zone) === offsetAtLow) low = middle;
    else high = middle;
  }
  return high;
}

/** The calendar date `days` after a local date, as a wall time at `hour:minute`. */
export function addDays(date: WallTime, days: number, hour: number, minute: number): WallTime {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour,
    minute,
  };
}

/** The wall time `localTime` (HH:MM) on the local date `days` after the one the zone's clocks show at `ms`. */
export function localWallTime(ms: number, at: { localTime: string; days: number }, zone: string): WallTime {
  const [hour = 0, minute = 0] = at.localTime.split(":").map(Number);
  return addDays(wallTimeAt(ms, zone), at.days, hour, minute);
}

/**
 * The instant the zone's clocks show `localTime` (HH:MM), `days` local dates after the date they show at
 * `ms`: "20:00 the next day" stays 20:00 on the wall across a daylight-saving change, where adding 24 h
 * would not. A time the clocks skip gives the moment of the jump; one they show twice, the first.
 */
export function atLocalTime(ms: number, at: { localTime: string; days: number }, zone: string): number {
  return instantOfWallTime(localWallTime(ms, at, zone), zone);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** An instant as the zone's clock shows it, `YYYY-MM-DD HH:MM:SS` (its first 10 characters: the local date). */
export function localDateTime(ms: number, zone: string): string {
  const t = wallTimeAt(ms, zone);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
}
