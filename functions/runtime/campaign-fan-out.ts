/**
 * A campaign's occurrence, fanned out: the members of its segment listed, page by page, and each given a
 * `campaign` wake-up at the instant their own clocks show the occurrence (engine/campaigns.ts); then the
 * next occurrence armed. Members are read from the segment's index, so an occurrence costs in proportion
 * to its audience, not to every profile. The same code serves a page of members on AWS (one item of the
 * fan-out's map) and a whole audience locally.
 */

import { memberEntryAt, nextCampaignOccurrence } from "../engine/campaigns.ts";
import type { CompiledJourney } from "../engine/compile.ts";
import { CAMPAIGN_WAKE_UP, type WakeUp } from "../engine/model.ts";
import { formatInstant } from "../shared/time.ts";
import type { ProfileReader, SegmentIndex, TimerStore } from "./ports.ts";

/** Members listed a page at a time. */
export const FAN_OUT_PAGE = 1000;

export type OccurrenceWakeUp = Extract<WakeUp, { kind: "occurrence" }>;

/** What an occurrence's fan-out did: how many members its segment had, and who was given a wake-up. */
export interface FanOutReport {
  journeyId: string;
  occurrence: string;
  /** The segment's members when listed. */
  audience: number;
  /** Those given a wake-up (a member whose clocks skip the occurrence's time, in a spring gap, is not). */
  scheduled: string[];
  /** The campaign was paused at the occurrence: no one listed. */
  paused?: boolean;
}

export interface FanOutRequest {
  store: SegmentIndex & ProfileReader & Pick<TimerStore, "scheduleWakeUp">;
  journey: CompiledJourney;
  wakeUp: OccurrenceWakeUp;
  now: number;
  /** The zone of a member whose profile names none. */
  defaultZone: string;
}

/** The wake-up that fans an occurrence out. */
export function occurrenceWakeUp(journeyId: string, occurrence: { occurrence: string; fanOutAt: number }) {
  const { occurrence: id, fanOutAt } = occurrence;
  return { kind: "occurrence", journeyId, key: CAMPAIGN_WAKE_UP, at: formatInstant(fanOutAt), occurrence: id } as const;
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
 * Lists the occurrence's audience and schedules each member's entry, then arms the next occurrence. A
 * repeat (the wake-up redelivered) schedules the same wake-ups again: each is one timer, and an entry
 * already made is not made twice (the record's lastOccurrence).
 */
export async function fanOutOccurrence(request: FanOutRequest): Promise<FanOutReport> {
  const { store, journey, wakeUp, now, defaultZone } = request;
  const trigger = journey.journey.trigger;
  const report: FanOutReport = { journeyId: journey.id, occurrence: wakeUp.occurrence, audience: 0, scheduled: [] };
  if (trigger.type !== "schedule" || trigger.segment === undefined) return report;
  let after: string | undefined;
  do {
    const page = await store.segmentMembers(trigger.segment, { limit: FAN_OUT_PAGE, ...(after ? { after } : {}) });
    for (const { userId } of page.members) {
      report.audience++;
      const profile = await store.getProfile(userId);
      const zone = trigger.timezone === "user" ? (profile?.value.timezone ?? defaultZone) : trigger.timezone;
      const at = memberEntryAt(wakeUp.occurrence, zone);
      if (at === undefined) continue;
      const entry = { kind: "campaign", journeyId: journey.id, key: userId, occurrence: wakeUp.occurrence } as const;
      await store.scheduleWakeUp({ ...entry, at: formatInstant(Math.max(at, now)) });
      report.scheduled.push(userId);
    }
    after = page.next;
  } while (after !== undefined);
  await armNextOccurrence(store, journey, Date.parse(wakeUp.at));
  return report;
}

/** fanOutOccurrence, or for a paused campaign only the next occurrence armed: it lists and enters no one. */
export async function fanOutUnlessPaused(request: FanOutRequest, paused: boolean): Promise<FanOutReport> {
  const { store, journey, wakeUp } = request;
  if (!paused) return fanOutOccurrence(request);
  await armNextOccurrence(store, journey, Date.parse(wakeUp.at));
  return { journeyId: journey.id, occurrence: wakeUp.occurrence, audience: 0, scheduled: [], paused: true };
}
