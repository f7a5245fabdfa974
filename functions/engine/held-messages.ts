import type { Journey } from "../language/schema.ts";
import { durationMs, parseInstant } from "../shared/time.ts";
import type { WakeUp } from "./model.ts";

/**
 * A run held by a pause goes on when its journey is resumed, from the wake-up that was held. The journey's
 * `policy.whenResumed` decides what happens to a message that was due during the pause: `send` (the
 * default) sends it late; `skip` suppresses it, reason `paused-too-long`, when it was due longer ago than
 * `skipOlderThan`. The run goes on either way. The runtime asks this before it decides and hands the answer
 * to the engine's send steps (PolicyInputs.skipLate), so the pure engine knows nothing of pauses beyond it.
 */
export function skipsLateMessages(journey: Journey, wakeUp: WakeUp, now: number): boolean {
  const policy = journey.policy.whenResumed;
  if (wakeUp.heldAt === undefined || policy?.lateMessages !== "skip") return false;
  const due = parseInstant(wakeUp.at) ?? now;
  return now - due > durationMs(policy.skipOlderThan);
}
