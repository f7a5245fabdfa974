import type { JourneyCatalog } from "../engine/catalog.ts";
import type { CompiledJourney } from "../engine/compile.ts";
import { type Decision, decideEvent, decideWakeUp } from "../engine/decide.ts";
import { skipsLateMessages } from "../engine/held-messages.ts";
import type { EngineInput, Profile, RunRecord, SentMessage } from "../engine/model.ts";
import type { PolicyInputs } from "../engine/policy-state.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import type { Versioned } from "./ports.ts";
import type { DecideRequest, PolicyReservations } from "./reservations.ts";
import type { UserInput } from "./user-input.ts";

/** The attempt an InputDecider decides for: the input applied to one journey's record (ApplyRequest). */
export interface DeciderAttempt {
  current: CompiledJourney;
  key: string;
  now: number;
  input: EngineInput;
  /** 1 for the first try; a retry after a lost race reads consistently. */
  attempt: number;
  paused?: boolean | undefined;
}

/** What the attempt read: the record, and the user (their profile and recent sends). */
export interface DeciderRead {
  stored: Versioned<RunRecord> | undefined;
  user: Pick<UserInput, "profile" | "sends"> | undefined;
}

/** What every attempt shares: the catalog (a run of an older version), the counts, the platform's traits. */
export interface DeciderParts {
  catalog: JourneyCatalog;
  /** Where each call is counted (JourneyRuntime.stats). */
  stats: { decideCalls: number };
  traits: TraitsSetting | undefined;
}

/**
 * The engine's decision of one input with the policy inputs given (PolicyReservations.decide calls it
 * again when they change), counted, and what the policies read for it: the DecideRequest of one attempt.
 * It keeps the attempt and the shared parts it is given, not a copy of their fields in a request object
 * made for it: one small object an attempt. A class method, not a function in an object literal, which
 * esbuild's keepNames (the CLI's and tsx's) would name with Object.defineProperty for every input.
 */
export class InputDecider implements DecideRequest {
  private readonly record: RunRecord | undefined;
  /** The journey version the run is on, when not the current one. */
  private readonly runJourney: CompiledJourney | undefined;
  private readonly profile: Profile | undefined;
  readonly sends: readonly SentMessage[] | undefined;
  readonly consistent: boolean;
  readonly skipLate: boolean;

  constructor(
    private readonly parts: DeciderParts,
    private readonly attempt: DeciderAttempt,
    read: DeciderRead,
  ) {
    const { current, input, now } = attempt;
    const record = read.stored?.value;
    const run = record?.run;
    this.record = record;
    this.runJourney = run && run.version !== current.version ? parts.catalog.get(current.id, run.version) : undefined;
    this.profile = read.user?.profile;
    this.sends = read.user?.sends;
    this.consistent = attempt.attempt > 1;
    this.skipLate =
      input.type === "wake-up" && skipsLateMessages((this.runJourney ?? current).journey, input.wakeUp, now);
  }

  decide(policy: PolicyInputs): Decision | undefined {
    const { parts, attempt, runJourney, record, profile } = this;
    parts.stats.decideCalls++;
    const { current, key, now, input } = attempt;
    const traits = parts.traits;
    // Literal arguments, not spreads: this runs for every journey an input concerns.
    if (input.type === "wake-up")
      return decideWakeUp({ current, runJourney, record, key, profile, now, policy, traits, wakeUp: input.wakeUp });
    const paused = attempt.paused ?? false;
    return decideEvent({ current, runJourney, record, key, profile, now, policy, paused, traits, event: input.event });
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
