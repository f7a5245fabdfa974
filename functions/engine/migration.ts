import { MIGRATE_EXIT } from "../language/migrate-exit.ts";
import type { CompiledJourney } from "./compile.ts";
import type { Run, RunRecord } from "./model.ts";
import { effectBase, endRun, leaveWaitingStep, runFrom, type StepContext } from "./steps.ts";

/**
 * Runs in flight moved onto a journey's newest version by its migration map (`migrate`, docs/journey-language.md):
 * a run of version `migrate.from` waiting at a mapped step moves when an input next reaches its record (its
 * own wake-up, or an event of the journey's), before that input is applied. Idempotent by state: a moved run
 * has the newest version, which no map moves from, so a redelivered or repeated input moves nothing.
 */

/** Where a run moves: from its version and the step it waits at, to a step of the newest version, or `exit`. */
export interface RunMove {
  fromVersion: number;
  fromStep: string;
  to: string;
}

/** The move the newest version's map asks of the stored record's run; undefined when the run stays as it is. */
export function dueMove(current: CompiledJourney, record: RunRecord | undefined): RunMove | undefined {
  const run = record?.run;
  const migrate = current.journey.migrate;
  if (migrate === undefined || run === undefined || run.status !== "active" || run.stepId === undefined)
    return undefined;
  if (run.version !== migrate.from || run.version === current.version) return undefined;
  const to = Object.hasOwn(migrate.steps, run.stepId) ? migrate.steps[run.stepId] : undefined;
  return to === undefined ? undefined : { fromVersion: run.version, fromStep: run.stepId, to };
}

/**
 * Moves the run (a fresh copy) onto `ctx.journey`, the newest version: a `journey.migrated` effect (the line
 * in the user's journal), then the run continues at the mapped step as if it had just arrived there (a wait
 * there starts now, and its wake-up replaces the old step's), or ends with reason `migrated`.
 */
export function moveRun(run: Run, move: RunMove, ctx: StepContext): void {
  leaveWaitingStep(run, ctx);
  run.version = ctx.journey.version;
  const base = effectBase(run, ctx.now, "migrated", "journey.migrated");
  ctx.out.effects.push({ ...base, from: { version: move.fromVersion, step: move.fromStep }, to: move.to });
  ctx.steps++;
  if (move.to === MIGRATE_EXIT) endRun(run, ctx, "migrated");
  else runFrom(run, move.to, ctx);
}
