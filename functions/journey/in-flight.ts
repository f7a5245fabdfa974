import { type Journey, MIGRATE_EXIT } from "../language/schema.ts";
import { canWaitAt } from "./migration.ts";

/**
 * What a deploy does to one run in flight, as the engine will do it (`nudge plan`): the newest version's migration
 * map moves it when it names its version and step (functions/engine/migration.ts); else it keeps the version it
 * entered with while that version is still shipped (a `<id>.v<n>.json` file kept beside the journey); else it goes
 * on at the step of the same id in the newest version. A run at a step the newest version removed, its version
 * gone and no map naming it, is stranded: no wake-up or event can move it on again. (A kept version's steps the
 * newest removes without a map are refused as a rule of their own, by the CDK app and the plan alike:
 * migration.ts.)
 */

export type RunOutcome =
  | { kind: "finish"; version: number }
  | { kind: "move"; to: string }
  | { kind: "exit" }
  | { kind: "continue"; changed: boolean }
  | { kind: "stranded" };

/**
 * What becomes of a run of `version` waiting at `stepId` once `shipped` (every version of the journey the deploy
 * keeps, the newest among them the current one) is deployed; `old` is that version's definition when known.
 */
export function outcomeOf(args: {
  version: number;
  stepId: string;
  shipped: readonly Journey[];
  old?: Journey | undefined;
}): RunOutcome {
  const { version, stepId, shipped } = args;
  const newest = shipped.reduce<Journey | undefined>(
    (a, b) => (a === undefined || b.version > a.version ? b : a),
    undefined,
  );
  if (newest === undefined) return { kind: "stranded" };
  const map = newest.migrate?.from === version ? newest.migrate.steps : {};
  const target = Object.hasOwn(map, stepId) ? map[stepId] : undefined;
  if (target === MIGRATE_EXIT) return { kind: "exit" };
  if (target !== undefined) return { kind: "move", to: target };
  if (shipped.some((journey) => journey.version === version)) return { kind: "finish", version };
  const same = newest.steps.find((step) => step.id === stepId);
  if (same === undefined) return { kind: "stranded" };
  const before = args.old?.steps.find((step) => step.id === stepId);
  return { kind: "continue", changed: before !== undefined && JSON.stringify(before) !== JSON.stringify(same) };
}

/** The steps of `old` where runs may wait that `shipped` would strand them at, were any waiting there. */
export function strandableSteps(old: Journey, shipped: readonly Journey[]): string[] {
  // Only where a run can wait (the CDK app's rule, migration.ts): no run is ever found at a branch.
  return old.steps
    .filter(canWaitAt)
    .map((step) => step.id)
    .filter((stepId) => outcomeOf({ version: old.version, stepId, shipped, old }).kind === "stranded");
}

export function describeOutcome(outcome: RunOutcome, newestVersion: number): string {
  switch (outcome.kind) {
    case "finish":
      return `finish on v${outcome.version} (its file is kept)`;
    case "move":
      return `move to ${outcome.to} on v${newestVersion} (migrate)`;
    case "exit":
      return "exit (migrate)";
    case "continue":
      return `go on at the same step on v${newestVersion}${outcome.changed ? " (the step changed)" : ""}`;
    case "stranded":
      return `STRANDED: the step is gone from v${newestVersion} and no migrate map moves them`;
  }
}
