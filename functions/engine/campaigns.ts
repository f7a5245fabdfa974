/**
 * Campaigns: journeys entered at a schedule's occurrences (trigger `schedule`), by the members of a segment.
 * An occurrence in each user's own time zone is a wall time (`2026-12-04T10:00`), reached first where the
 * clocks run furthest ahead (UTC+14) and last where they run furthest behind (UTC-12): its fan-out, which
 * lists the audience, runs at the first of those instants, and each member enters at the instant their own
 * clocks show it. An occurrence in a fixed zone, or of a rate(), is one instant for everyone. Pure.
 */
import type { ShopEvent } from "../../events/catalog.ts";
import type { ScheduleTrigger } from "../language/schedule-trigger.ts";
import { atLocalTime, localDateTime, localWallTime, type WallTime, wallTimeAt } from "../shared/local-time.ts";
import { formatInstant, parseInstant } from "../shared/time.ts";
import type { WakeUp } from "./model.ts";
import { parseSchedule, type Schedule } from "./schedule/cron.ts";
import { localOccurrenceFor, nextOccurrence } from "./schedule/occurrences.ts";
import { NUDGE_SOURCE } from "./step-context.ts";

/** How far ahead of UTC any zone's clocks run (Pacific/Kiritimati, UTC+14). */
const FURTHEST_AHEAD_MS = 14 * 3_600_000;

/** The detail-type of the event a campaign's run is entered with (its `trigger` in templates). */
export const CAMPAIGN_OCCURRED = "campaign.occurred";

/** A campaign's occurrence: its id (a local wall time, or an instant) and when its audience is listed. */
export interface CampaignOccurrence {
  /** `2026-12-04T10:00` in each user's own zone; `2026-12-04T02:00:00Z` for a fixed zone or a rate(). */
  occurrence: string;
  /** When the fan-out lists the audience: the earliest instant any member's clocks show the occurrence. */
  fanOutAt: number;
}

/** A campaign's schedule, parsed (validation has refused any that does not parse). */
function scheduleOf(trigger: ScheduleTrigger): Schedule | undefined {
  if (trigger.schedule === undefined) return undefined;
  const parsed = parseSchedule(trigger.schedule);
  return parsed.ok ? parsed.schedule : undefined;
}

const two = (n: number) => String(n).padStart(2, "0");
const wallText = (wall: WallTime) =>
  `${wall.year}-${two(wall.month)}-${two(wall.day)}T${two(wall.hour)}:${two(wall.minute)}`;

/** Whether an occurrence is a wall time, shown at a different instant in each zone. */
const isWallTime = (occurrence: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(occurrence);

/**
 * The campaign's first occurrence whose fan-out comes after `after`; undefined when the schedule has no
 * more (an at() passed) or the trigger is relative to an event (its occurrences come with the events).
 */
export function nextCampaignOccurrence(trigger: ScheduleTrigger, after: number): CampaignOccurrence | undefined {
  const schedule = scheduleOf(trigger);
  if (schedule === undefined) return undefined;
  if (trigger.timezone !== "user" || schedule.type === "rate") {
    const zone = trigger.timezone === "user" ? "UTC" : trigger.timezone;
    const at = nextOccurrence(schedule, zone, after);
    return at === undefined ? undefined : { occurrence: formatInstant(at), fanOutAt: at };
  }
  // The wall times in UTC are the wall times anywhere: the one whose earliest showing is after `after`.
  const inUtc = nextOccurrence(schedule, "UTC", after + FURTHEST_AHEAD_MS);
  if (inUtc === undefined) return undefined;
  return { occurrence: wallText(wallTimeAt(inUtc, "UTC")), fanOutAt: inUtc - FURTHEST_AHEAD_MS };
}

/**
 * The occurrence a `relativeTo` campaign's event sets (the engine checks the event matches `relativeTo.event`):
 * `localTime` on the local date `days` from the date of the event's `field` instant. The date is read in the
 * campaign's zone, or for "each user's own zone" in the platform's default zone (the shop's: a sale starting
 * 18 June in Shanghai warms up from 11 June, wherever the user is), and the occurrence is then that wall time
 * in each user's zone. Undefined when the field holds no instant.
 */
export function relativeOccurrence(
  trigger: ScheduleTrigger,
  event: ShopEvent,
  defaultZone: string,
): CampaignOccurrence | undefined {
  const relative = trigger.relativeTo;
  if (relative === undefined) return undefined;
  const instant = parseInstant(event.detail[relative.field]);
  if (instant === undefined) return undefined;
  if (trigger.timezone !== "user") {
    const at = atLocalTime(instant, relative, trigger.timezone);
    return { occurrence: formatInstant(at), fanOutAt: at };
  }
  const wall = localWallTime(instant, relative, defaultZone);
  const inUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  return { occurrence: wallText(wall), fanOutAt: inUtc - FURTHEST_AHEAD_MS };
}

/** How far behind UTC any zone's clocks run (UTC-12). */
const FURTHEST_BEHIND_MS = 12 * 3_600_000;

/** Until when an occurrence's members enter: the last zone's showing of a wall time, or the instant itself. */
export function entriesUntil(occurrence: CampaignOccurrence): number {
  // From the first zone to show a wall time (UTC+14) to the last (UTC-12).
  const span = isWallTime(occurrence.occurrence) ? FURTHEST_AHEAD_MS + FURTHEST_BEHIND_MS : 0;
  return occurrence.fanOutAt + span;
}

/**
 * The campaign's latest occurrence whose fan-out came at or before `now`, looked for as far back as
 * `lookBackMs` (default 35 days); undefined when there was none then, and for a rate(), which counts from
 * when its schedule was made.
 */
export function lastCampaignOccurrence(
  trigger: ScheduleTrigger,
  now: number,
  lookBackMs = 35 * 86_400_000,
): CampaignOccurrence | undefined {
  const type = scheduleOf(trigger)?.type;
  if (type !== "cron" && type !== "at") return undefined;
  let last: CampaignOccurrence | undefined;
  let next = nextCampaignOccurrence(trigger, now - lookBackMs);
  // Bounded: a cron() of every minute over 35 days is 50,400 occurrences; each step moves on a minute at least.
  for (let steps = 0; next !== undefined && next.fanOutAt <= now && steps < 100_000; steps++) {
    last = next;
    next = nextCampaignOccurrence(trigger, next.fanOutAt);
  }
  return last;
}

/**
 * The occurrence that EventBridge Scheduler raised at `at` (its scheduled time), where a schedule per
 * campaign raises them (lib/campaigns.ts): the one whose fan-out falls at that instant. A rate() counts
 * from when its schedule was made, so its occurrence is that instant itself. Undefined when the campaign
 * has no occurrence then (a schedule that does not match its journey's trigger).
 */
export function occurrenceRaisedAt(trigger: ScheduleTrigger, at: number): CampaignOccurrence | undefined {
  const schedule = scheduleOf(trigger);
  if (schedule === undefined) return undefined;
  if (schedule.type === "rate") return { occurrence: formatInstant(at), fanOutAt: at };
  const next = nextCampaignOccurrence(trigger, at - 1);
  return next?.fanOutAt === at ? next : undefined;
}

/** The zone whose clocks show a user-zone campaign's occurrence first: its schedule's zone on AWS (lib/campaigns.ts). */
export const FURTHEST_AHEAD_ZONE = "Etc/GMT-14";

/**
 * When a member in `zone` enters at an occurrence: the instant their clocks show its wall time, or the
 * occurrence's instant. Undefined for a wall time the member's clocks skip (a spring-forward gap): as
 * EventBridge Scheduler skips a cron time that does not exist that day
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time).
 */
export function memberEntryAt(occurrence: string, zone: string): number | undefined {
  if (!isWallTime(occurrence)) return Date.parse(occurrence);
  const at = localOccurrenceFor(occurrence.slice(0, 10), occurrence.slice(11, 16), zone);
  // A time the clocks skip comes out as the moment they jump past it: not the occurrence's time.
  return localDateTime(at, zone).slice(0, 16) === occurrence.replace("T", " ") ? at : undefined;
}

/**
 * The event a member's run of a campaign is entered with: its id the same for the same occurrence. A campaign
 * relative to an event carries that event's detail too (a promotion's name and `startsAt` for the templates
 * and waits: `trigger.detail.name`).
 */
export function occurrenceEvent(wakeUp: Extract<WakeUp, { kind: "campaign" }>): ShopEvent {
  return {
    id: `${CAMPAIGN_OCCURRED}:${wakeUp.journeyId}:${wakeUp.occurrence}:${wakeUp.key}`,
    source: NUDGE_SOURCE,
    "detail-type": CAMPAIGN_OCCURRED,
    time: wakeUp.at,
    detail: { ...wakeUp.detail, userId: wakeUp.key, campaign: wakeUp.journeyId, occurrence: wakeUp.occurrence },
  };
}
