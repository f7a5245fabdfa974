/**
 * `nudge status`'s campaigns: each campaign's latest occurrence and how far its sending is (members entered
 * and held out so far, from the statistics of the days its members enter on), the segment's members now,
 * and the next occurrence. The counts are the statistics': a batch lost in a crash undercounts, never twice.
 */
import { entriesUntil, lastCampaignOccurrence, nextCampaignOccurrence } from "../engine/campaigns.ts";
import { sumsByName } from "../engine/stats.ts";
import type { Journey } from "../language/schema.ts";
import type { SegmentIndex, StatsStore } from "../runtime/ports.ts";
import { formatInstant, utcDay } from "../shared/time.ts";

export interface CampaignStatus {
  journeyId: string;
  /** The latest occurrence, and what its entries came to so far; absent: none in the last 35 days. */
  last?: { occurrence: string; entered: number; holdout: number; until: string; done: boolean };
  next?: string;
  /** The segment's members now (the audience of the next occurrence, as it stands); absent: every user. */
  members?: number;
}

export async function campaignStatuses(
  journeys: readonly Journey[],
  store: StatsStore & Pick<SegmentIndex, "countSegmentMembers">,
  now: number,
): Promise<CampaignStatus[]> {
  const statuses: CampaignStatus[] = [];
  for (const journey of journeys) {
    const trigger = journey.trigger;
    if (trigger.type !== "schedule" || trigger.schedule === undefined) continue;
    const status: CampaignStatus = {
      journeyId: journey.id,
      ...(trigger.segment === undefined ? {} : { members: await store.countSegmentMembers(trigger.segment) }),
    };
    const next = nextCampaignOccurrence(trigger, now);
    if (next !== undefined) status.next = next.occurrence;
    const last = lastCampaignOccurrence(trigger, now);
    if (last !== undefined) {
      const until = entriesUntil(last);
      const sums = sumsByName(await store.readStats(journey.id, utcDay(last.fanOutAt), utcDay(until)));
      const done = now >= until;
      status.last = {
        occurrence: last.occurrence,
        entered: sums.get("entered") ?? 0,
        holdout: sums.get("holdout") ?? 0,
        until: formatInstant(until),
        done,
      };
    }
    statuses.push(status);
  }
  return statuses;
}

/** `member-day: last 2026-12-04T10:00: 936 entered, 64 in the holdout (done); 1,000 members now; next 2026-12-11T10:00`. */
export function formatCampaignStatus(status: CampaignStatus): string {
  const count = (n: number) => n.toLocaleString("en-US");
  const last =
    status.last === undefined
      ? "no occurrence in the last 35 days"
      : `last ${status.last.occurrence}: ${count(status.last.entered)} entered, ${count(status.last.holdout)} in the holdout ` +
        (status.last.done ? "(done)" : `(sending: entries go on until ${status.last.until})`);
  const next = status.next === undefined ? "no next occurrence" : `next ${status.next}`;
  const members = status.members === undefined ? "every user" : `${count(status.members)} members now`;
  return `${status.journeyId}: ${last}; ${members}; ${next}`;
}
