import type { CompiledJourney } from "./compile.ts";
import type { Profile, RunRecord } from "./model.ts";
import type { PolicyInputs } from "./policy-state.ts";
import type { TraitsSetting } from "./traits/profile.ts";

/** What every decision of the engine is given (decide.ts): the journey, the record, the user, the time, the policies. */
export interface EngineArgs {
  /** The journey's current version: it decides who enters. */
  current: CompiledJourney;
  /** The version the record's run entered with, when it differs from the current one. */
  runJourney?: CompiledJourney;
  record: RunRecord | undefined;
  key: string;
  profile: Profile | undefined;
  now: number;
  /** The platform's policies and the state read for them; the defaults with nothing read when absent. */
  policy?: PolicyInputs;
  /** The journey is paused (functions/runtime/control-cache.ts): a trigger starts no run, a run holds before a send or a coupon. */
  paused?: boolean;
  /**
   * The event is imported history (`nudge import`, functions/runtime/history.ts): it starts no run and
   * moves none on, and an inactivity clock it restarts counts from its own time (see backfill.ts clockDueAt).
   */
  history?: boolean;
  /** The platform's computed traits (journeys/traits.json) and the zone of a user whose profile names none. */
  traits?: TraitsSetting;
}
