import type { ShopEvent } from "../../events/catalog.ts";
import type { Step } from "../language/schema.ts";
import { formatInstant } from "../shared/time.ts";
import type { CompiledJourney } from "./compile.ts";
import type { JourneyEffect, Profile, Run } from "./model.ts";
import type { PolicyState } from "./policy-state.ts";

/** The source of events Nudge itself puts on the bus (issued coupons, emit steps). */
export const NUDGE_SOURCE = "nudge";

/** What running steps produced: effects for the outside world and events to put on the bus. */
export interface StepOutput {
  effects: JourneyEffect[];
  events: ShopEvent[];
}

export interface StepContext {
  journey: CompiledJourney;
  /** The user's profile; never mutated in place (it may be the stored one): replaced by a copy on change. */
  profile: Profile;
  profileChanged: boolean;
  now: number;
  out: StepOutput;
  /** Journey steps taken for this input: nodes run, plus event-driven transitions (goal, exit, clock). */
  steps: number;
  /** The ids of the steps this input reached, in order, for the report's funnel (`step.<id>` counters). */
  visited: string[];
  /** The platform's policies, the cross-journey state read for them, and what this input reserved. */
  policy: PolicyState;
  /** The journey is paused: the run holds at a send or coupon step (a wake-up now, held until resumed). */
  paused?: boolean;
  /**
   * The id under which the message a send step tries again (its run waited there, deferred) held its place
   * in the user's send log; the step's first visit of this input takes it (functions/engine/policies/reserve.ts).
   */
  heldPlace: string | undefined;
}

/** A step's answer when the run waits at it (a deferred message, a held coupon) rather than moving on. */
export const WAITING = Symbol("waiting");

/**
 * The fields every effect starts with, in the output contract's order, then its deterministic id: the
 * run, the step visit (`seq`) and the kind — the same state and input always give the same id. Frequent
 * effects are built as literals from these fields: spreading this object into a bigger one is several
 * times slower in V8.
 */
export function effectBase<T extends JourneyEffect["type"]>(run: Run, now: number, suffix: string, type: T) {
  return {
    at: formatInstant(now),
    journey: run.journeyId,
    version: run.version,
    user: run.userId,
    run: run.runId,
    type,
    id: `${run.runId}:${run.seq}:${suffix}`,
  };
}

/** The run waits at the step until `at` (its wake-up; `seq` tells a stale one apart). */
export function waitAt(run: Run, step: Step, at: number): void {
  run.stepId = step.id;
  run.wake = { at: formatInstant(at), seq: run.seq };
}
