/**
 * `nudge report`: per journey, the funnel, messages, coupons, exits, conversions and the uplift against
 * the holdout group over a range of UTC days, from the statistics counters in the local platform's store
 * or an AWS table (see store-source.ts). Text, JSON (`--format json`), or a self-contained HTML page
 * with charts (`--html <file>`); `--by hour` adds the hours of the journeys that keep them.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PolicyConfig } from "../engine/policies/config.ts";
import { currentVersions } from "../journey/load.ts";
import type { Journey } from "../language/schema.ts";
import { readSavedClock } from "../local/clock.ts";
import { hoursOf } from "../reports/hourly.ts";
import { type JourneyReport, journeyReport } from "../reports/journey-report.ts";
import type { StatsStore } from "../runtime/ports.ts";
import { isTimeZone } from "../shared/local-time.ts";
import { DAY_MS, utcDay } from "../shared/time.ts";
import { formatOption, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { loadJourneys } from "./journey-folder.ts";
import { reportHtml } from "./report-html.ts";
import { formatReport } from "./report-text.ts";
import { openStoreSource } from "./store-source.ts";
import { parseCommandArgs } from "./usage.ts";

/** The default range: this many days up to `--until`. */
const DEFAULT_DAYS = 30;
/** Each day costs a read per shard and journey: a year is plenty for a report. */
const MAX_DAYS = 366;

function parseDay(values: Map<string, string>, name: string): string | undefined {
  const text = values.get(name);
  if (text === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || utcDay(Date.parse(`${text}T00:00:00Z`) || 0) !== text)
    throw new UsageError(`--${name}: expected a UTC day as YYYY-MM-DD, got "${text}"`);
  return text;
}

/**
 * The range of days: as given, else up to the local platform's virtual "now" (its clock.json) or today,
 * and from the platform's first day or 30 days before.
 */
export function dayRange(values: Map<string, string>, dir: string | undefined, now: number) {
  const saved = dir === undefined ? {} : readSavedClock(join(dir, "clock.json"));
  const to = parseDay(values, "until") ?? utcDay(saved.now ?? now);
  const from =
    parseDay(values, "since") ??
    (saved.firstDay !== undefined && saved.firstDay <= to
      ? saved.firstDay
      : utcDay(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_DAYS - 1) * DAY_MS));
  if (from > to) throw new UsageError(`--since ${from} is after --until ${to}`);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days > MAX_DAYS) throw new UsageError(`${days} days from ${from} to ${to}: at most ${MAX_DAYS} a report`);
  return { from, to };
}

/**
 * The reports of the journeys (or of one, by id, also one no longer in the files) over the range: one a journey,
 * its steps those of its current version, though the files keep an earlier version for its runs.
 */
export async function buildReports(
  store: Pick<StatsStore, "readStats" | "readHourlyStats">,
  journeys: readonly Journey[],
  range: { from: string; to: string; byHour?: boolean },
  journeyId?: string,
): Promise<JourneyReport[]> {
  const current = currentVersions(journeys);
  const ids = journeyId === undefined ? current.map((journey) => journey.id).sort() : [journeyId];
  const reports: JourneyReport[] = [];
  for (const id of ids) {
    const journey = current.find((j) => j.id === id);
    const counters = await store.readStats(id, range.from, range.to);
    const report = journeyReport({
      journeyId: id,
      ...(journey ? { journey } : {}),
      counters,
      from: range.from,
      to: range.to,
    });
    if (range.byHour === true) {
      const hours = hoursOf(await store.readHourlyStats(id, range.from, range.to));
      report.byHour = { keepsHours: journey?.report.byHour === true, hours };
    }
    reports.push(report);
  }
  return reports;
}

/** `--by day` (the default) or `--by hour`. */
function byHourOption(values: Map<string, string>): boolean {
  const by = values.get("by") ?? "day";
  if (by !== "day" && by !== "hour") throw new UsageError(`--by: expected "day" or "hour", got "${by}"`);
  return by === "hour";
}

/** The zone hours are shown in: `--timezone`, else policy.json's defaultTimezone. */
function zoneOption(values: Map<string, string>, policies: PolicyConfig): string {
  const zone = values.get("timezone") ?? policies.defaultTimezone;
  if (!isTimeZone(zone))
    throw new UsageError(`--timezone: expected an IANA time zone such as "Asia/Shanghai", got "${zone}"`);
  return zone;
}

/** Writes the HTML page; returns its absolute path. */
export function writeHtmlReport(
  path: string,
  reports: readonly JourneyReport[],
  range: { from: string; to: string; zone?: string },
  where: string,
): string {
  writeFileSync(path, reportHtml(reports, { ...range, where }));
  return path;
}

export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("report", args);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const format = formatOption(values);
  const loaded = await loadJourneys(resolve(io.cwd, values.get("journeys") ?? "journeys"), io);
  if (loaded === undefined) return ExitCode.failed;
  const source = await openStoreSource(values, io.cwd);
  try {
    const range = dayRange(values, source.dir, Date.now());
    const byHour = byHourOption(values);
    const zone = zoneOption(values, loaded.policies);
    const reports = await buildReports(source.store, loaded.journeys, { ...range, byHour }, values.get("journey"));
    if (format === "json") io.stdout(JSON.stringify({ ...range, source: source.where, journeys: reports }));
    else for (const line of formatReport(reports, { ...range, where: source.where, zone })) io.stdout(line);
    const html = values.get("html");
    if (html !== undefined) {
      const path = writeHtmlReport(resolve(io.cwd, html), reports, { ...range, zone }, source.where);
      // With JSON on stdout, the path goes to stderr so the output stays one JSON document.
      (format === "json" ? io.stderr : io.stdout)(`The report page: ${path}`);
    }
    return ExitCode.ok;
  } finally {
    await source.close();
  }
}
