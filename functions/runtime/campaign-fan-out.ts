/**
 * A campaign's occurrence, fanned out: the members of its segment listed, page by page, and given
 * `entries` wake-ups, a hundred members a wake-up, at the instant their own clocks show the occurrence
 * (engine/campaigns.ts); then the next occurrence armed. Members are read from the segment's index, so an occurrence costs in proportion
 * to its audience, not to every profile. The same code serves a page of one part of the listing on AWS
 * (a message of the wake-up queue) and a whole audience locally.
 */

import type { ShopEvent } from "../../events/catalog.ts";
import {
  entriesUntil,
  memberEntryAt,
  nextCampaignOccurrence,
  occurrenceRaisedAt,
  relativeOccurrence,
} from "../engine/campaigns.ts";
import type { CompiledJourney } from "../engine/compile.ts";
import { CAMPAIGN_WAKE_UP, ENTRIES_PER_WAKE_UP, type WakeUp } from "../engine/model.ts";
import { formatInstant } from "../shared/time.ts";
import type { ProfilesReader, SegmentIndex, TimerStore } from "./ports.ts";

/** Members listed a page at a time: on AWS, one page per message of a part's chain (see fanOutOccurrence). */
export const FAN_OUT_PAGE = 1000;

/** Members whose profiles are read at once (one BatchGetItem on DynamoDB: its limit is 100 keys), within a page. */
const MEMBERS_IN_FLIGHT = 100;

export type OccurrenceWakeUp = Extract<WakeUp, { kind: "occurrence" }>;

/** What an occurrence's fan-out did: how many members its segment had, and who was given a wake-up. */
export interface FanOutReport {
  journeyId: string;
  occurrence: string;
  /** The segment's members listed here (one page of one part, where the listing was handed on in parts). */
  audience: number;
  /** Those given a wake-up (a member whose clocks skip the occurrence's time, in a spring gap, is not). */
  scheduled: string[];
  /** The campaign was paused at the occurrence: no one listed. */
  paused?: boolean;
  /** The parts and pages handed on to run apart. */
  handedOn?: number;
}

/** How a platform runs its campaigns' fan-outs: whole, in one process, or in parts through a queue. */
export interface FanOutSetting {
  /**
   * Hands on parts of a listing to run apart (on AWS: to the wake-up queue, one message per part, then one
   * per page of it). Absent: an occurrence's audience is listed here, whole (the simulator, the local platform).
   */
  handOnParts?: (parts: OccurrenceWakeUp[]) => Promise<void>;
  /**
   * Whether a fan-out arms the campaign's next occurrence as a timer (default true). False where EventBridge
   * Scheduler raises every occurrence (a schedule per campaign: lib/campaigns.ts).
   */
  armsNext?: boolean;
  /** Members a page (default FAN_OUT_PAGE). */
  pageSize?: number;
}

export interface FanOutRequest extends FanOutSetting {
  store: SegmentIndex & ProfilesReader & Pick<TimerStore, "scheduleWakeUp">;
  journey: CompiledJourney;
  wakeUp: OccurrenceWakeUp;
  now: number;
  /** The zone of a member whose profile names none. */
  defaultZone: string;
}

export type EntriesWakeUp = Extract<WakeUp, { kind: "entries" }>;

/** An `entries` wake-up as each member's own `campaign` wake-up, in order. */
export function memberEntries(wakeUp: EntriesWakeUp): Extract<WakeUp, { kind: "campaign" }>[] {
  const { journeyId, at, occurrence, detail } = wakeUp;
  return wakeUp.members.map((key) => ({ kind: "campaign", journeyId, key, at, occurrence, ...(detail && { detail }) }));
}

/** The wake-up that fans an occurrence out. */
export function occurrenceWakeUp(journeyId: string, occurrence: { occurrence: string; fanOutAt: number }) {
  const { occurrence: id, fanOutAt } = occurrence;
  return { kind: "occurrence", journeyId, key: CAMPAIGN_WAKE_UP, at: formatInstant(fanOutAt), occurrence: id } as const;
}

/**
 * The wake-up of the occurrence EventBridge Scheduler raised at `at` (its scheduled time); undefined when
 * the journey is not a campaign or has no occurrence then.
 */
export function raisedOccurrenceWakeUp(journey: CompiledJourney, at: number): OccurrenceWakeUp | undefined {
  const trigger = journey.journey.trigger;
  const occurrence = trigger.type === "schedule" ? occurrenceRaisedAt(trigger, at) : undefined;
  return occurrence === undefined ? undefined : occurrenceWakeUp(journey.id, occurrence);
}

/**
 * The occurrence a `relativeTo` campaign's event sets (engine/campaigns.ts), armed as its fan-out's wake-up
 * (at once when its first zone's time has passed); false when the event sets none, or one whose last zone's
 * time has passed too. A redelivered event arms the same wake-up.
 */
export async function armRelativeOccurrence(
  request: Pick<FanOutRequest, "store" | "journey" | "now" | "defaultZone"> & { event: ShopEvent },
): Promise<boolean> {
  const { store, journey, now, defaultZone, event } = request;
  const trigger = journey.journey.trigger;
  if (trigger.type !== "schedule" || !journey.journey.enabled) return false;
  const occurrence = relativeOccurrence(trigger, event, defaultZone);
  if (occurrence === undefined || entriesUntil(occurrence) < now) return false;
  const wakeUp = occurrenceWakeUp(journey.id, { ...occurrence, fanOutAt: Math.max(occurrence.fanOutAt, now) });
  await store.scheduleWakeUp({ ...wakeUp, detail: event.detail });
  return true;
}

/** The campaign's next occurrence after `after`, armed; false when its schedule has none left. */
export async function armNextOccurrence(
  store: Pick<TimerStore, "scheduleWakeUp">,
  journey: CompiledJourney,
  after: number,
): Promise<boolean> {
  const trigger = journey.journey.trigger;
  if (trigger.type !== "schedule") return false;
  const next = nextCampaignOccurrence(trigger, after);
  if (next === undefined) return false;
  await store.scheduleWakeUp(occurrenceWakeUp(journey.id, next));
  return true;
}

/**
 * Lists the occurrence's audience and schedules each member's entry, then arms the next occurrence. With
 * `handOnParts`, the occurrence hands on one wake-up per part of the segment's index instead, and each part
 * lists one page and hands on the wake-up of its next page: the parts run in parallel, each page in an
 * invocation of its own, so no function loops over millions. A repeat (a wake-up redelivered) schedules
 * the same wake-ups again: each is one timer, and an entry already made is not made twice (the record's
 * lastOccurrence).
 */
export async function fanOutOccurrence(request: FanOutRequest): Promise<FanOutReport> {
  const { store, journey, wakeUp, handOnParts } = request;
  const trigger = journey.journey.trigger;
  const report: FanOutReport = { journeyId: journey.id, occurrence: wakeUp.occurrence, audience: 0, scheduled: [] };
  if (trigger.type !== "schedule") return report;
  if (handOnParts !== undefined && wakeUp.part === undefined) {
    const parts = Array.from({ length: store.segmentParts() }, (_, part) => ({ ...wakeUp, part }));
    await handOnParts(parts);
    report.handedOn = parts.length;
    await armNextUnlessRaised(request);
    return report;
  }
  let after = wakeUp.after;
  do {
    const page = await audiencePage(store, trigger.segment, {
      limit: request.pageSize ?? FAN_OUT_PAGE,
      ...(after === undefined ? {} : { after }),
      ...(wakeUp.part === undefined ? {} : { part: wakeUp.part }),
    });
    await scheduleEntries(request, page.members, report);
    after = page.next;
    if (handOnParts !== undefined && after !== undefined) {
      await handOnParts([{ ...wakeUp, after }]);
      report.handedOn = 1;
      return report;
    }
  } while (after !== undefined);
  if (wakeUp.part === undefined) await armNextUnlessRaised(request);
  return report;
}

/** A page of a campaign's audience: its segment's members, or every user (a campaign with no segment). */
export function audiencePage(
  store: SegmentIndex,
  segment: string | undefined,
  page: { limit: number; after?: string; part?: number },
) {
  return segment === undefined ? store.everyUser(page) : store.segmentMembers(segment, page);
}

/**
 * The page's members' entries: grouped by the instant their clocks show the occurrence, a wake-up for
 * each group of up to ENTRIES_PER_WAKE_UP (the profiles read a hundred at a time, to learn the zones).
 */
async function scheduleEntries(
  request: FanOutRequest,
  members: readonly { userId: string }[],
  report: FanOutReport,
): Promise<void> {
  const { store, journey, wakeUp, now } = request;
  const byInstant = new Map<number, string[]>();
  for (let from = 0; from < members.length; from += MEMBERS_IN_FLIGHT) {
    const chunk = members.slice(from, from + MEMBERS_IN_FLIGHT);
    report.audience += chunk.length;
    const zones = await zonesOf(request, chunk);
    for (const [index, { userId }] of chunk.entries()) {
      const at = memberEntryAt(wakeUp.occurrence, zones[index] as string);
      if (at === undefined) continue;
      report.scheduled.push(userId);
      const instant = Math.max(at, now);
      const group = byInstant.get(instant);
      if (group === undefined) byInstant.set(instant, [userId]);
      else group.push(userId);
    }
  }
  const { occurrence, detail } = wakeUp;
  const wakeUps: WakeUp[] = [];
  for (const [instant, userIds] of byInstant) {
    const at = formatInstant(instant);
    for (let from = 0; from < userIds.length; from += ENTRIES_PER_WAKE_UP) {
      const members = userIds.slice(from, from + ENTRIES_PER_WAKE_UP);
      const key = `${CAMPAIGN_WAKE_UP}:${members[0]}`;
      wakeUps.push({ kind: "entries", journeyId: journey.id, key, at, occurrence, members, ...(detail && { detail }) });
    }
  }
  await Promise.all(wakeUps.map((entries) => store.scheduleWakeUp(entries)));
}

/** The members' zones: their profiles' (the default for none) in a campaign in each user's zone, else its own. */
async function zonesOf(request: FanOutRequest, members: readonly { userId: string }[]): Promise<string[]> {
  const { store, journey, defaultZone } = request;
  const trigger = journey.journey.trigger;
  if (trigger.type === "schedule" && trigger.timezone !== "user") return members.map(() => trigger.timezone);
  const profiles = await store.getProfiles(members.map(({ userId }) => userId));
  return profiles.map((profile) => profile?.timezone ?? defaultZone);
}

async function armNextUnlessRaised(request: FanOutRequest): Promise<void> {
  if (request.armsNext === false) return;
  await armNextOccurrence(request.store, request.journey, Date.parse(request.wakeUp.at));
}

/**
 * fanOutOccurrence, or for a paused campaign only the next occurrence armed: it lists and enters no one
 * (a part of a paused campaign's listing stops there: no further entries).
 */
export async function fanOutUnlessPaused(request: FanOutRequest, paused: boolean): Promise<FanOutReport> {
  const { journey, wakeUp } = request;
  if (!paused) return fanOutOccurrence(request);
  if (wakeUp.part === undefined) await armNextUnlessRaised(request);
  return { journeyId: journey.id, occurrence: wakeUp.occurrence, audience: 0, scheduled: [], paused: true };
}
