import { durationMs } from "../shared/time.ts";
import type { PolicyConfig } from "./policies/config.ts";

/**
 * Backfills and replays: an event whose time is far behind the platform's clock (`now`, the engine's only
 * clock) by more than the policy's `backfillAfter` (default 24 h). It still updates the profile as of its
 * own time (functions/engine/profile.ts), converts goals and ends runs by its time, but it starts no run,
 * and an inactivity clock it restarts counts from `now`: an order dated 1970 must not send a welcome, nor
 * a dormancy coupon at once because its 30 days ran out in 1970.
 */

const windows = new WeakMap<PolicyConfig, number>();

/** The backfill window of a configuration in ms, parsed once per configuration. */
function backfillWindowMs(config: PolicyConfig): number {
  let window = windows.get(config);
  if (window === undefined) {
    window = durationMs(config.backfillAfter);
    windows.set(config, window);
  }
  return window;
}

/** Whether an event of this time is a backfill at `now`. */
export function isBackfill(eventTime: number, now: number, config: PolicyConfig): boolean {
  return eventTime < now - backfillWindowMs(config);
}

/**
 * When an inactivity clock restarted by an event falls due. Live, it counts from the event's time (a late
 * event inside the window may find it due at once, as it is), and from `now` for a backfill. Imported
 * history (`nudge import`) counts from the real event's time, but a clock that ran out before the import
 * counts from `now`: importing never makes the platform send a burst.
 */
export function clockDueAt(clock: {
  eventTime: number;
  now: number;
  forMs: number;
  mode: "live" | "backfill" | "history";
}): number {
  const { eventTime, now, forMs, mode } = clock;
  if (mode === "backfill") return now + forMs;
  const due = eventTime + forMs;
  return mode === "history" && due <= now ? now + forMs : due;
}
