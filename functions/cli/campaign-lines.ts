/**
 * What `nudge validate` says of each valid campaign (a journey with a schedule trigger) after its `ok:` line:
 * the next 5 occurrences of a schedule expression, or when an event-relative one falls.
 *   member-day: next 5: 2026-12-04 10:00, 2026-12-11 10:00, ... (each user's own time zone)
 *   presale-warmup: 7 days before promotion.scheduled's startsAt, at 10:00 (each user's own time zone)
 * In each user's own zone the times are the wall-clock times every user sees, worked out in the platform's
 * default zone (policy.json's defaultTimezone); in a fixed zone, that zone's.
 */
import { dirname, resolve } from "node:path";
import type { Schedule } from "../engine/schedule/cron.ts";
import { parseSchedule } from "../engine/schedule/cron.ts";
import { nextOccurrences } from "../engine/schedule/occurrences.ts";
import { relativeText, zoneText } from "../journey/campaign-text.ts";
import type { LoadedJourney } from "../journey/load.ts";
import { loadPolicyFile } from "../journey/policy-file.ts";
import type { ScheduleTrigger } from "../language/schema.ts";
import { localDateTime } from "../shared/local-time.ts";
import { UsageError } from "./args.ts";

/** How many occurrences a campaign's line shows. */
export const OCCURRENCES_SHOWN = 5;

/** `--now <ISO instant>`: the instant the occurrences are counted from; the real clock when not given. */
export function nowOption(values: Map<string, string>): number {
  const text = values.get("now");
  if (text === undefined) return Date.now();
  const now = Date.parse(text);
  if (Number.isNaN(now) || !/^\d{4}-\d{2}-\d{2}T/.test(text))
    throw new UsageError(`--now: expected an ISO-8601 instant such as "2026-12-01T00:00:00Z", got "${text}"`);
  return now;
}

/** An occurrence as its zone's clocks show it, to the minute (to the second when an at() says seconds). */
function wallText(at: number, zone: string): string {
  const local = localDateTime(at, zone);
  return local.endsWith(":00") ? local.slice(0, 16) : local;
}

/** A schedule expression's line: its next occurrences, where they are shown. */
function occurrencesLine(id: string, schedule: Schedule, zones: { zone: string; note: string }, now: number): string {
  const { zone, note } = zones;
  const occurrences = nextOccurrences(schedule, zone, now, OCCURRENCES_SHOWN);
  if (occurrences.length === 0) return `${id}: no occurrence after ${wallText(now, zone)} (${note})`;
  const times = occurrences.map((at) => wallText(at, zone)).join(", ");
  return `${id}: next ${occurrences.length}: ${times} (${note})`;
}

/** The zone a schedule's occurrences are worked out in, and how the line names it. */
function zonesOf(trigger: ScheduleTrigger, schedule: Schedule, defaultZone: string): { zone: string; note: string } {
  const fixed = trigger.timezone !== "user";
  // A rate is an interval, the same instants for every user whatever their zone: shown in UTC unless one is given.
  if (schedule.type === "rate" && !fixed)
    return { zone: "UTC", note: "UTC: a rate runs at the same instants for every user" };
  return fixed ? { zone: trigger.timezone, note: trigger.timezone } : { zone: defaultZone, note: zoneText("user") };
}

/** One line per campaign among the journeys, in their order; none for other journeys. */
export async function campaignLines(journeys: readonly LoadedJourney[], now: number, cwd: string): Promise<string[]> {
  const defaultZones = new Map<string, Promise<string>>();
  const defaultZoneOf = (file: string) => {
    const dir = dirname(resolve(cwd, file));
    let zone = defaultZones.get(dir);
    if (zone === undefined) {
      zone = loadPolicyFile(dir, cwd).then((policy) => policy.config.defaultTimezone);
      defaultZones.set(dir, zone);
    }
    return zone;
  };
  const lines: string[] = [];
  for (const { file, journey } of journeys) {
    const trigger = journey.trigger;
    if (trigger.type !== "schedule") continue;
    if (trigger.relativeTo !== undefined) {
      lines.push(`${journey.id}: ${relativeText(trigger.relativeTo)} (${zoneText(trigger.timezone)})`);
      continue;
    }
    const parsed = parseSchedule(trigger.schedule ?? "");
    // A journey that passed validation has a schedule that parses.
    if (!parsed.ok) continue;
    const zones = zonesOf(trigger, parsed.schedule, await defaultZoneOf(file));
    lines.push(occurrencesLine(journey.id, parsed.schedule, zones, now));
  }
  return lines;
}
