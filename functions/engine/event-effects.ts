import type { ShopEvent } from "../../events/catalog.ts";
import type { CompiledPattern } from "../language/pattern/index.ts";
import type { StepOf } from "../language/schema.ts";
import { parseInstant } from "../shared/time.ts";
import { isBackfill } from "./backfill.ts";
import type { CompiledJourney } from "./compile.ts";
import type { EngineArgs } from "./engine-args.ts";
import { DEFAULT_POLICY_CONFIG } from "./policy-state.ts";
import { waitArrival } from "./wait-arrival.ts";

/**
 * What an event means to one journey's record, read off the stored record before anything is copied (decide.ts
 * decideEvent): whether it converts the goal, exits the run, arrives at a wait, starts a run, restarts the clock.
 */

/** What an event does to one journey's record, worked out on the stored record (see decideEvent). */
export interface EventEffects {
  eventTime: number;
  runJourney: CompiledJourney;
  mode: "history" | "backfill" | "live";
  converts: boolean;
  exits: boolean;
  /** The wait-for-event step the event arrives at, if it does. */
  arrivesAt: StepOf<"wait-for-event"> | undefined;
  tombstone: boolean;
  triggers: boolean;
  pausedTrigger: boolean;
  restartsClock: boolean;
}

/** What the event does to the stored record; undefined when it does nothing (no copy made). */
export function eventEffects(args: EngineArgs & { event: ShopEvent }): EventEffects | undefined {
  const { event, current, record: stored } = args;
  const eventTime = parseInstant(event.time) ?? args.now;
  const history = args.history === true;
  // A backfill starts no run, and the inactivity clock it restarts counts from now (see backfill.ts).
  const backfill = !history && isBackfill(eventTime, args.now, args.policy?.config ?? DEFAULT_POLICY_CONFIG);
  const runJourney = args.runJourney ?? current;
  const storedRun = stored?.run;
  // Events from before the run entered belong to an earlier time: they neither convert nor exit it.
  const sinceEntry = !history && storedRun !== undefined && eventTime >= (parseInstant(storedRun.enteredAt) ?? 0);
  const goal = storedRun?.goal;
  const converts =
    sinceEntry &&
    goal !== undefined &&
    goal.convertedAt === undefined &&
    eventTime <= (parseInstant(goal.until) ?? 0) &&
    runJourney.goal?.pattern.matches(event) === true;
  const active = sinceEntry && storedRun.status === "active";
  const exits = active && matchesAny(runJourney.exitOn, event);
  const waitingStep =
    active && !exits && storedRun.stepId !== undefined ? runJourney.step(storedRun.stepId) : undefined;
  const arrivesAt = waitArrival({ journey: runJourney, run: storedRun, waitingStep, event, profile: args.profile });
  const isEventTrigger = current.journey.trigger.type === "event";
  // An exit event with no run active is remembered: a trigger older than it, arriving late, must not enter.
  const tombstone = isEventTrigger && storedRun?.status !== "active" && matchesAny(current.exitOn, event);
  const matchesTrigger = isEventTrigger && !history && !backfill && current.trigger.matches(event);
  const triggers = matchesTrigger && args.paused !== true;
  const pausedTrigger = matchesTrigger && args.paused === true;
  const since = parseInstant(stored?.inactivity?.since);
  const restartsClock =
    !isEventTrigger && (since === undefined || eventTime > since) && matchesAny(current.clockEvents, event);
  if (!converts && !exits && !arrivesAt && !tombstone && !triggers && !pausedTrigger && !restartsClock)
    return undefined;
  const mode: EventEffects["mode"] = history ? "history" : backfill ? "backfill" : "live";
  return { eventTime, runJourney, mode, converts, exits, arrivesAt, tombstone, triggers, pausedTrigger, restartsClock };
}

/** Whether any of the patterns matches: a loop, not `some` with a closure made for every event and journey. */
export function matchesAny(patterns: readonly CompiledPattern[], event: ShopEvent): boolean {
  for (const pattern of patterns) if (pattern.matches(event)) return true;
  return false;
}
