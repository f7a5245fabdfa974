/** Time arithmetic of the engine: ISO-8601 instants as strings at the edges, epoch milliseconds inside. */

const durationPattern = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const durationCache = new Map<string, number | undefined>();

/** A day in milliseconds (UTC days: no daylight saving). */
export const DAY_MS = 86_400_000;

/**
 * Milliseconds of an ISO-8601 duration in weeks, days, hours, minutes and seconds ("P3D", "PT24H",
 * "-PT24H"), or undefined. Years and months are refused: their length depends on the calendar, and a
 * journey's waits must mean the same thing in every month. A day is 24 hours.
 */
export function parseDuration(text: string): number | undefined {
  if (durationCache.has(text)) return durationCache.get(text);
  const m = durationPattern.exec(text);
  let ms: number | undefined;
  if (m !== null && text !== "P" && text !== "-P" && !text.endsWith("T")) {
    const [, sign, w, d, h, min, s] = m;
    const total =
      Number(w ?? 0) * 604_800_000 +
      Number(d ?? 0) * DAY_MS +
      Number(h ?? 0) * 3_600_000 +
      Number(min ?? 0) * 60_000 +
      Math.round(Number(s ?? 0) * 1000);
    ms = sign === "-" ? -total : total;
  }
  durationCache.set(text, ms);
  return ms;
}

/** Like parseDuration, for durations already validated by the journey schema. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new RangeError(`not an ISO-8601 duration: ${JSON.stringify(text)}`);
  return ms;
}

// Parsing and formatting instants dominate a step's cost on slow machines (toISOString is ~0.75 µs
// here), and the same instants recur: a step's `now`, a run's entry time, an event's time. Parsing is
// memoized (a plain memo of a pure function, emptied when it grows large); formatting is done by hand.
const MEMO_LIMIT = 50_000;
const parsed = new Map<string, number>();

/** Epoch milliseconds of an ISO-8601 instant, or undefined when it is not one. */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  let ms = parsed.get(value);
  if (ms === undefined) {
    ms = Date.parse(value);
    if (parsed.size >= MEMO_LIMIT) parsed.clear();
    parsed.set(value, ms);
  }
  return Number.isNaN(ms) ? undefined : ms;
}

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * Returns the string flattened. Strings built by concatenation are trees of pieces in V8 (an ISO time
 * takes ~250 bytes so, ~50 flat); reading a character flattens one in place, and the collector then
 * keeps only the flat copy. For strings that are kept for long: times and ids in run records.
 */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
/**
 * Instants formatted lately, by epoch ms: the same instant recurs in a run's entry, its goal, the profile
 * and the send log, and one shared string is smaller than a copy in each (most of a large simulation's
 * strings are instants). A plain memo of a pure function, emptied when it grows large.
 */
const formatted = new Map<number, string>();

/**
 * The canonical form of an instant in all output: UTC, millisecond precision dropped when zero
 * (`2026-11-25T08:00:00Z`). Computed with integer arithmetic (Howard Hinnant's civil-from-days) for
 * years 1970-9999, the range of every time Nudge handles; other instants go through Date.
 */
export function formatInstant(ms: number): string {
  const known = formatted.get(ms);
  if (known !== undefined) return known;
  let text: string;
  if (ms >= 0 && ms < 253_402_300_800_000 && Number.isInteger(ms)) {
    const days = Math.floor(ms / DAY_MS);
    const inDay = ms - days * DAY_MS;
    const z = days + 719_468;
    const era = Math.floor(z / 146_097);
    const doe = z - era * 146_097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const month = mp < 10 ? mp + 3 : mp - 9;
    const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    const seconds = Math.floor(inDay / 1000);
    const millis = inDay - seconds * 1000;
    const time = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
    const fraction = millis === 0 ? "" : `.${millis < 10 ? "00" : millis < 100 ? "0" : ""}${millis}`;
    text = `${year}-${two(month)}-${two(day)}T${time}${fraction}Z`;
  } else {
    const iso = new Date(ms).toISOString();
    text = iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
  }
  if (formatted.size >= MEMO_LIMIT) formatted.clear();
  formatted.set(ms, flat(text));
  return text;
}

/** The UTC day (YYYY-MM-DD) of an instant: epoch ms, or an ISO 8601 UTC string (its date part). */
export function utcDay(instant: number | string): string {
  return (typeof instant === "string" ? instant : formatInstant(instant)).slice(0, 10);
}
