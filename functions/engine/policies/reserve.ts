import { durationMs } from "../../shared/time.ts";
import type { JourneyPolicy, PolicyConfig } from "./config.ts";

/**
 * How long a user's sends must be kept for every cap to count them: the longest window of the platform's
 * caps and of every journey's own. One retention for all journeys, as each reservation prunes the whole log.
 */
export function sendLogRetentionMs(config: PolicyConfig, journeys: readonly Pick<JourneyPolicy, "caps">[]): number {
  const windows = [...config.caps, ...journeys.flatMap((journey) => journey.caps)].map((cap) => durationMs(cap.per));
  return Math.max(0, ...windows);
}
