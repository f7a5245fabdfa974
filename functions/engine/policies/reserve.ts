import { durationMs, parseInstant } from "../../shared/time.ts";
import type { SentMessage } from "../model.ts";
import type { JourneyPolicy, PolicyConfig } from "./config.ts";

/**
 * How long a user's sends must be kept for every cap to count them: the longest window of the platform's
 * caps and of every journey's own. One retention for all journeys, as each reservation prunes the whole log.
 */
export function sendLogRetentionMs(config: PolicyConfig, journeys: readonly Pick<JourneyPolicy, "caps">[]): number {
  const windows = [...config.caps, ...journeys.flatMap((journey) => journey.caps)].map((cap) => durationMs(cap.per));
  return Math.max(0, ...windows);
}

/** A message's id: its run and the step visit (`seq`) that decided it. */
export const messageId = (runId: string, seq: number) => `${runId}:${seq}:message`;

/**
 * How far from its held place a deferred message may go and still be counted there: a wake-up handed on a
 * little late does not cost a write to move its place. Later than that (held by a pause, say), it moves.
 */
export const PLACE_TOLERANCE_MS = 60_000;

/**
 * Whether a deferred message, going now, is counted at the place it held (`place`, from the log): then
 * the decision need not write the log at all.
 */
export function goesAtItsPlace(place: SentMessage | undefined, now: number): boolean {
  const at = parseInstant(place?.at);
  return at !== undefined && Math.abs(now - at) <= PLACE_TOLERANCE_MS;
}

/** What a decision changes in the user's send log (PolicyOutcome's `reserved` and `released`). */
export interface SendLogChange {
  reserved: readonly SentMessage[];
  released: readonly string[];
}

/**
 * The user's send log after a decision: its released places taken off, its sends and held places added
 * (those already there, by id, are this decision's, retried: not added again), and the sends logged before
 * that no cap counts any more (`retentionMs` before `now`) pruned. Undefined when nothing changes: then
 * nothing is written.
 */
const NOTHING_RELEASED: ReadonlySet<string> = new Set();

export function sendLogAfter(
  logged: readonly SentMessage[],
  change: SendLogChange,
  clock: { now: number; retentionMs: number },
): SentMessage[] | undefined {
  // No set to build when the decision gives no place back, as most do not.
  const released = change.released.length === 0 ? NOTHING_RELEASED : new Set(change.released);
  const fresh = change.reserved.filter((sent) => !(sent.id !== undefined && logged.some((old) => old.id === sent.id)));
  if (fresh.length === 0 && !logged.some((sent) => sent.id !== undefined && released.has(sent.id))) return undefined;
  const oldest = clock.now - clock.retentionMs;
  const kept = logged.filter(
    (sent) => !(sent.id !== undefined && released.has(sent.id)) && (parseInstant(sent.at) ?? 0) > oldest,
  );
  // By concat: an array exactly as long as its sends, which a store keeps as it is (a spread leaves room to spare).
  return kept.concat(fresh);
}
