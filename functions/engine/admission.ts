import type { ShopEvent } from "../../events/catalog.ts";
import { durationMs, parseInstant } from "../shared/time.ts";
import type { CompiledJourney } from "./compile.ts";
import type { Profile, RunRecord } from "./model.ts";

/**
 * Who a journey admits: its re-entry rule, the order of exit and trigger events, and its audience. The
 * engine asks before it starts a run, and when a paused journey's trigger matches, to tell whether the
 * pause is what kept the user out (RunRecord.skippedWhilePaused, for `nudge why`).
 */

/** Whether the journey's re-entry rule lets the record's key in again. */
function mayEnter(journey: CompiledJourney, record: RunRecord, now: number): boolean {
  if (record.entries === 0) return true;
  if (record.run?.status === "active") return false;
  const rule = journey.journey.reentry;
  switch (rule.type) {
    case "never":
      return false;
    case "after-exit":
      return true;
    case "after-cooldown":
      return now >= (parseInstant(record.lastEnteredAt) ?? 0) + durationMs(rule.cooldown);
  }
}

/** Whether a trigger event starts a run for the record: re-entry, event order and audience allow it. */
export function admits(
  journey: CompiledJourney,
  record: RunRecord,
  trigger: ShopEvent,
  at: { now: number; profile: Profile },
): boolean {
  if (!mayEnter(journey, record, at.now)) return false;
  const triggeredAt = parseInstant(trigger.time) ?? at.now;
  const exitedAt = parseInstant(record.lastExitEventAt);
  if (exitedAt !== undefined && triggeredAt <= exitedAt) return false;
  // A trigger no later than the one that started the latest run is that one replayed, or older history.
  const lastTriggerAt = parseInstant(record.lastTriggerAt);
  if (lastTriggerAt !== undefined && triggeredAt <= lastTriggerAt) return false;
  return !journey.audience || journey.audience.matches({ profile: at.profile, trigger });
}
