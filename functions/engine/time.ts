/** Time arithmetic of the engine: ISO-8601 instants as strings at the edges, epoch milliseconds inside. */

const durationPattern = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const durationCache = new Map<string, number | undefined>();

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
      Number(d ?? 0) * 86_400_000 +
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

/** Epoch milliseconds of an ISO-8601 instant, or undefined when it is not one. */
export function parseInstant(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The canonical form of an instant in all output: UTC, millisecond precision dropped when zero. */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}
