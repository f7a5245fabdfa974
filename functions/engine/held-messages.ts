import type { Journey } from "../journey/schema.ts";
import type { Decision } from "./engine.ts";
import type { WakeUp } from "./model.ts";
import { durationMs, parseInstant } from "./time.ts";

/**
 * A run held by a pause goes on when its journey is resumed, from the wake-up that was held. The journey's
 * `policy.whenResumed` decides what happens to a message that was due during the pause: `send` (the
 * default) sends it late; `skip` suppresses it, reason `paused-too-long`, when it was due longer ago than
 * `skipOlderThan`. The run goes on either way. Done by the runtime on the engine's decision, before
 * anything is reserved or saved, so the pure engine knows nothing of pauses beyond holding runs.
 */
export function skipLateMessages(decision: Decision, journey: Journey, wakeUp: WakeUp, now: number): void {
  const policy = journey.policy.whenResumed;
  if (wakeUp.heldAt === undefined || policy?.lateMessages !== "skip") return;
  const due = parseInstant(wakeUp.at) ?? now;
  if (now - due <= durationMs(policy.skipOlderThan)) return;
  const skipped = new Set<string>();
  decision.effects = decision.effects.map((effect) => {
    if (effect.type !== "message.sent") return effect;
    skipped.add(effect.id);
    const { at, journey: journeyId, version, user, run, id, channel, template } = effect;
    return {
      at,
      journey: journeyId,
      version,
      user,
      run,
      type: "message.suppressed",
      id,
      channel,
      template,
      reason: "paused-too-long",
      rule: "when-resumed",
    };
  });
  decision.policy.reserved = decision.policy.reserved.filter((sent) => sent.id === undefined || !skipped.has(sent.id));
}
