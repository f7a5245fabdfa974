import { type Journey, MIGRATE_EXIT } from "../../language/schema.ts";
import type { JourneyProblem } from "../load.ts";
import { canMoveTo, canWaitAt } from "../migration.ts";
import { type CheckInput, didYouMean, listOf, problemAt, quote } from "./common.ts";

/**
 * A journey's migration map (`migrate`): `from` names an earlier version of the same journey among the files
 * checked; each step it maps is a step of that version where runs wait; each target is a step of this version
 * a moved run can wait at or end at (or "exit", which no step of this version may then be named).
 */
export function checkMigration(entry: CheckInput, versions: ReadonlyMap<number, Journey>): JourneyProblem[] {
  const { file, journey } = entry;
  const migrate = journey.migrate;
  if (migrate === undefined) return [];
  if (migrate.from >= journey.version)
    return [
      problemAt(
        file,
        ["migrate", "from"],
        `expected an earlier version than this one (${journey.version}), got ${migrate.from}`,
      ),
    ];
  const older = versions.get(migrate.from);
  if (older === undefined) {
    const known = [...versions.keys()].filter((version) => version < journey.version).map(String);
    return [
      problemAt(
        file,
        ["migrate", "from"],
        `journey ${quote(journey.id)} has no version ${migrate.from} among the journey files (earlier versions found: ${listOf(known)}); keep that version's file beside this one while its runs are in flight`,
      ),
    ];
  }
  const problems: JourneyProblem[] = [];
  const olderSteps = new Map(older.steps.map((step) => [step.id, step]));
  const newSteps = new Map(journey.steps.map((step) => [step.id, step]));
  for (const [from, to] of Object.entries(migrate.steps)) {
    const path = ["migrate", "steps", from];
    const fromStep = olderSteps.get(from);
    if (fromStep === undefined)
      problems.push(
        problemAt(
          file,
          path,
          `version ${older.version} has no step ${quote(from)}${didYouMean(from, olderSteps.keys())}; its steps: ${listOf(olderSteps.keys())}`,
        ),
      );
    else if (!canWaitAt(fromStep))
      problems.push(
        problemAt(
          file,
          path,
          `no run waits at step ${quote(from)} of version ${older.version} (a ${fromStep.type} step): map only the steps where runs wait`,
        ),
      );
    problems.push(...targetProblems({ file, path, to, newSteps }));
  }
  return problems;
}

function targetProblems(target: {
  file: string;
  path: (string | number)[];
  to: string;
  newSteps: ReadonlyMap<string, Journey["steps"][number]>;
}): JourneyProblem[] {
  const { file, path, to, newSteps } = target;
  const step = newSteps.get(to);
  if (to === MIGRATE_EXIT)
    return step === undefined
      ? []
      : [
          problemAt(
            file,
            path,
            `${quote(MIGRATE_EXIT)} ends the moved runs, but this version also has a step ${quote(MIGRATE_EXIT)}: rename that step`,
          ),
        ];
  if (step === undefined)
    return [
      problemAt(
        file,
        path,
        `this version has no step ${quote(to)}${didYouMean(to, newSteps.keys())}; map to one of its steps, or to ${quote(MIGRATE_EXIT)}`,
      ),
    ];
  if (!canMoveTo(step))
    return [
      problemAt(
        file,
        path,
        `a moved run cannot continue at step ${quote(to)} (a ${step.type} step): map it to a step where a run waits (wait, wait-until, wait-for-event, send, issue-coupon), an exit step, or ${quote(MIGRATE_EXIT)}`,
      ),
    ];
  return [];
}
