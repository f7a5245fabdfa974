import { ConcurrencyError } from "../errors.ts";
import type { SendLog } from "../model.ts";
import type { SendLogStore } from "../store.ts";
import { durationMs, parseInstant } from "../time.ts";
import type { JourneyPolicy, PolicyConfig } from "./config.ts";
import { decideDelivery, type PolicyDecision, type PolicyInput } from "./decide.ts";

/** How often a reservation reads and decides again after losing the write to another before it gives up. */
const ATTEMPTS = 5;

/**
 * How long a user's sends must be kept for every cap to count them: the longest window of the platform's
 * caps and of every journey's own. One retention for all journeys, as each reservation prunes the whole log.
 */
export function sendLogRetentionMs(config: PolicyConfig, journeys: readonly Pick<JourneyPolicy, "caps">[]): number {
  const windows = [...config.caps, ...journeys.flatMap((journey) => journey.caps)].map((cap) => durationMs(cap.per));
  return Math.max(0, ...windows);
}

/**
 * Decides a message against the user's stored sends and, when it goes now, records the send in the same
 * step: read the log, decide, and write the log back with one conditional write on the revision read.
 * When another reservation for the user wrote first (two journeys firing at once), the write is refused;
 * this one reads again (consistently) and decides again, now counting the other's send. So two messages
 * can never both pass a cap of one. Deferrals and drops write nothing.
 *
 * The caller sends only on a `send` decision it got from here; a send that then fails stays counted,
 * which errs on the side of fewer messages.
 */
export async function reserveDelivery(
  store: SendLogStore,
  input: Omit<PolicyInput, "recentSends">,
  retentionMs: number,
): Promise<PolicyDecision> {
  const userId = input.profile.userId;
  let lastRace: ConcurrencyError | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = await store.getSendLog(userId, { consistent: attempt > 0 });
    const sends = stored?.value.sends ?? [];
    const decision = decideDelivery({ ...input, recentSends: sends });
    if (decision.action !== "send") return decision;
    const sentAt = parseInstant(decision.at) ?? 0;
    const { journeyId, channel, category } = input.message;
    const log: SendLog = {
      userId,
      sends: [
        ...sends.filter((sent) => (parseInstant(sent.at) ?? 0) > sentAt - retentionMs),
        { at: decision.at, journeyId, channel, category },
      ],
    };
    try {
      await store.putSendLog(log, stored?.revision);
      return decision;
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      lastRace = error;
    }
  }
  throw new ConcurrencyError(`sends of ${userId}: lost the write ${ATTEMPTS} times in a row`, { cause: lastRace });
}
