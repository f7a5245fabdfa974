import type { ShopEvent } from "../../events/catalog.ts";
import type { Step, StepOf } from "../language/schema.ts";
import type { CompiledJourney } from "./compile.ts";
import { emptyProfile, sharesWithRun } from "./context.ts";
import type { Profile, Run } from "./model.ts";

/**
 * The wait-for-event step an event moves a run on from: the step the run waits at, when the event matches its
 * pattern and shares its `match` fields with the run (the promotion a deposit is for), and is not the event
 * that last moved it (replayed, it does not move it again).
 */
export function waitArrival(args: {
  journey: CompiledJourney;
  run: Run | undefined;
  waitingStep: Step | undefined;
  event: ShopEvent;
  profile: Profile | undefined;
}): StepOf<"wait-for-event"> | undefined {
  const { journey, run, waitingStep: step, event } = args;
  if (run === undefined || step?.type !== "wait-for-event" || run.event?.id === event.id) return undefined;
  if (!journey.pattern(step).matches(event)) return undefined;
  if (step.match === undefined) return step;
  const profile = args.profile ?? emptyProfile(run.userId);
  return sharesWithRun(step.match, event, { journey, run, profile }) ? step : undefined;
}
