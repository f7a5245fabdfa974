import type { CompiledJourney } from "../engine/compile.ts";
import { type Decision, decideEvent, decideWakeUp } from "../engine/decide.ts";
import type { EngineInput, Profile, RunRecord, SentMessage } from "../engine/model.ts";
import type { PolicyInputs } from "../engine/policy-state.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import type { DecideRequest, PolicyReservations } from "./reservations.ts";
import type { UserInput } from "./user-input.ts";

/** What the engine decides on for one input and journey, and how the policies read for it (see InputDecider). */
export interface DeciderRequest {
  current: CompiledJourney;
  runJourney: CompiledJourney | undefined;
  record: RunRecord | undefined;
  key: string;
  profile: Profile | undefined;
  now: number;
  paused: boolean;
  input: EngineInput;
  traits: TraitsSetting | undefined;
  /** Where each call is counted (JourneyRuntime.stats). */
  stats: { decideCalls: number };
  /** The user's recent sends (see DecideRequest). */
  sends: readonly SentMessage[] | undefined;
  consistent: boolean;
  skipLate: boolean;
}

/**
 * The engine's decision of one input with the policy inputs given (PolicyReservations.decide calls it
 * again when they change), counted, and what the policies read for it: the DecideRequest of one attempt.
 * One object an attempt, where a request, a closure over it and the policies' request were three; a class
 * method, not a function in an object literal, which esbuild's keepNames (the CLI's and tsx's) would name
 * with Object.defineProperty for every input.
 */
export class InputDecider implements DecideRequest {
  private readonly current: CompiledJourney;
  private readonly runJourney: CompiledJourney | undefined;
  private readonly record: RunRecord | undefined;
  private readonly key: string;
  private readonly profile: Profile | undefined;
  private readonly now: number;
  private readonly paused: boolean;
  private readonly input: EngineInput;
  private readonly traits: TraitsSetting | undefined;
  private readonly stats: { decideCalls: number };
  readonly sends: readonly SentMessage[] | undefined;
  readonly consistent: boolean;
  readonly skipLate: boolean;

  constructor(request: DeciderRequest) {
    this.current = request.current;
    this.runJourney = request.runJourney;
    this.record = request.record;
    this.key = request.key;
    this.profile = request.profile;
    this.now = request.now;
    this.paused = request.paused;
    this.input = request.input;
    this.traits = request.traits;
    this.stats = request.stats;
    this.sends = request.sends;
    this.consistent = request.consistent;
    this.skipLate = request.skipLate;
  }

  decide(policy: PolicyInputs): Decision | undefined {
    this.stats.decideCalls++;
    const { current, runJourney, record, key, profile, now, paused, traits, input } = this;
    // Literal arguments, not spreads: this runs for every journey an input concerns.
    return input.type === "event"
      ? decideEvent({ current, runJourney, record, key, profile, now, policy, paused, traits, event: input.event })
      : decideWakeUp({ current, runJourney, record, key, profile, now, policy, traits, wakeUp: input.wakeUp });
  }
}

/**
 * Before the save: the decision's sends, to reserve in the user's log, with the profile's unsaved change in
 * the same write (UserInput.save); undefined when the decision has nothing to write to the user. A save that
 * then loses its race finds them when it retries. A decision with something to hand on writes the change too
 * even when it sends nothing: the channels and the journeys its events reach read the profile.
 */
export function sendsToSave(
  user: UserInput,
  request: { policies: PolicyReservations; decision: Decision; now: number; handsOn: boolean },
): { sends: SentMessage[] | undefined } | undefined {
  const { policies, decision, now, handsOn } = request;
  if (decision.profile) user.setAttributes(decision.profile);
  const grants = decision.policy.grantsUsed;
  if (grants.length > 0) user.useGrants(grants);
  const sends = policies.sendsAfter(decision, user.sends, now);
  const saves =
    sends !== undefined ||
    decision.profile !== undefined ||
    grants.length > 0 ||
    (handsOn && user.changed) ||
    user.indexPending;
  return saves ? { sends } : undefined;
}

/**
 * The user a wake-up or record names, for an input that names none: a campaign's new member (no record yet:
 * the wake-up names them), else the run's user, or (a wake-up) the inactivity clock's last event's.
 */
export function runUserOf(input: EngineInput, record: RunRecord | undefined): string | undefined {
  if (input.type === "event") return record?.run?.userId;
  if (input.wakeUp.kind === "campaign") return input.wakeUp.key;
  const userId = record?.run?.userId ?? record?.inactivity?.lastEvent.detail.userId;
  return typeof userId === "string" ? userId : undefined;
}
