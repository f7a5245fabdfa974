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
// here), and the same instants recur: a step's `now`, a run's entry time, an event's time. Both are
// memoized in a fixed table of slots, each holding the instant last seen there: a Map emptied when it grew
// large allocated its tables over and over (all of them kept to the next full collection), a table of slots
// allocates nothing.
const SLOTS = 1 << 16;
// In front of each table, the instant last asked for: nearly half the calls repeat it (a decision's `now`,
// formatted for each effect and record field), and the tables' slots are far apart in memory, a cache miss each.
const lastParsed = { text: "", ms: Number.NaN };
const lastFormatted = { ms: Number.NaN, text: "" };
const parsedTexts: (string | undefined)[] = new Array(SLOTS).fill(undefined);
const parsedMs = new Float64Array(SLOTS);

/** A text's slot: a hash of its last 16 characters, an ISO instant's month, day and time of day. */
function textSlot(text: string): number {
  let hash = text.length;
  for (let i = Math.max(0, text.length - 16); i < text.length; i++)
    hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return (hash ^ (hash >>> 16)) & (SLOTS - 1);
}

/** A text and what Date.parse makes of it, kept in the text's slot (textSlot) of the parse memo. */
function rememberParsed(slot: number, text: string, ms: number): void {
  parsedTexts[slot] = text;
  parsedMs[slot] = ms;
}

/** Epoch milliseconds of an ISO-8601 instant, or undefined when it is not one. */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  let ms: number;
  if (value === lastParsed.text) {
    ms = lastParsed.ms;
  } else {
    const slot = textSlot(value);
    if (parsedTexts[slot] === value) {
      ms = parsedMs[slot] as number;
    } else {
      ms = Date.parse(value);
      rememberParsed(slot, value, ms);
    }
    lastParsed.text = value;
    lastParsed.ms = ms;
  }
  return Number.isNaN(ms) ? undefined : ms;
}

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
 * Instants formatted lately, in slots by the epoch second: the same instant recurs in a run's entry, its
 * goal, the profile and the send log, and one shared string is smaller than a copy in each (most of a
 * large simulation's strings are instants).
 */
const formattedMs = new Float64Array(SLOTS).fill(Number.NaN);
const formattedTexts: string[] = new Array(SLOTS).fill("");

/** The end of year 9999 UTC: the instants the integer calendar arithmetic below covers (from 1970). */
const LAST_CIVIL_MS = 253_402_300_800_000;

/** Whether an instant is whole milliseconds from 1970 to the end of 9999: the range of the integer calendar arithmetic. */
export function isCivil(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms < LAST_CIVIL_MS;
}

/**
 * The UTC calendar date of a day number (days since 1970-01-01), by integer arithmetic (Howard Hinnant's
 * civil-from-days): what a Date's getUTC* would give, without making a Date.
 */
export function civilDate(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

/**
 * The canonical form of an instant in all output: UTC, millisecond precision dropped when zero
 * (`2026-11-25T08:00:00Z`). Whole seconds in years 1970-9999, nearly every time Nudge handles, are computed
 * with integer arithmetic (Howard Hinnant's civil-from-days); other instants go through Date.
 */
export function formatInstant(ms: number): string {
  if (ms === lastFormatted.ms) return lastFormatted.text;
  const slot = Math.floor(ms / 1000) & (SLOTS - 1);
  const text = formattedMs[slot] === ms ? (formattedTexts[slot] as string) : formatted(ms, slot);
  lastFormatted.ms = ms;
  lastFormatted.text = text;
  return text;
}

/** formatInstant's work when its memo does not hold the instant: the text, kept in the instant's slot. */
function formatted(ms: number, slot: number): string {
  let text: string;
  if (isCivil(ms) && ms % 1000 === 0) {
    const days = Math.floor(ms / DAY_MS);
    const { year, month, day } = civilDate(days);
    text = isoText(year, month, day, (ms - days * DAY_MS) / 1000);
    // Instants formatted are parsed back (a wake-up's time when it is scheduled, a run's entry time): the parse
    // memo learns this one now. Exact here: a whole second's text parses to its own instant.
    rememberParsed(textSlot(text), text, ms);
  } else {
    const iso = new Date(ms).toISOString();
    text = iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
  }
  formattedMs[slot] = ms;
  formattedTexts[slot] = flat(text);
  return text;
}

/** The char codes of `YYYY-MM-DDTHH:MM:SSZ`, its digits written in place for each instant formatted. */
const isoCodes = Array.from("0000-00-00T00:00:00Z", (char) => char.charCodeAt(0));

/** Writes `value`'s last `digits` decimal digits as char codes from index `at` of isoCodes. */
function putDigits(at: number, value: number, digits: number): void {
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    isoCodes[i] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ` of a civil date (years 1970-9999) and a whole second of its day, made in one
 * allocation: String.fromCharCode writes a flat string, where concatenating the fields built a tree of
 * pieces and then a flat copy of it (most instants are formatted once, so this is the common path).
 */
function isoText(year: number, month: number, day: number, second: number): string {
  putDigits(0, year, 4);
  putDigits(5, month, 2);
  putDigits(8, day, 2);
  putDigits(11, Math.floor(second / 3600), 2);
  putDigits(14, Math.floor(second / 60) % 60, 2);
  putDigits(17, second % 60, 2);
  return String.fromCharCode.apply(null, isoCodes);
}

/** The UTC day (YYYY-MM-DD) of an instant: epoch ms, or an ISO 8601 UTC string (its date part). */
export function utcDay(instant: number | string): string {
  return (typeof instant === "string" ? instant : formatInstant(instant)).slice(0, 10);
}

/** The UTC hour of an instant (as formatInstant writes it, or epoch ms), "00" to "23". */
export function utcHour(instant: number | string): string {
  return (typeof instant === "string" ? instant : formatInstant(instant)).slice(11, 13);
}
