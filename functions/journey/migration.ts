import { type Journey, MIGRATE_EXIT, type Step, type StepType } from "../language/schema.ts";
import { listOf, quote } from "./suggestions.ts";

/**
 * What a new journey version does to the runs in flight of an older one (docs/journey-language.md, Migrating
 * runs in flight), as data for `nudge plan` and the CDK app: which steps' runs move where (the new version's
 * `migrate` map, when it is from that version), which stay on their version, and which would be stranded — a
 * step the new version removed, where runs may wait, that the map does not name. Pure: the journeys in, a plan out.
 */

/** The step types a run can be found waiting at: its waits, a deferred message, a held coupon (or either, paused). */
const WAITING_TYPES: ReadonlySet<StepType> = new Set(["wait", "wait-until", "wait-for-event", "send", "issue-coupon"]);

/** Whether a run can be found waiting at the step (so has to be moved, kept or stranded by a new version). */
export function canWaitAt(step: Step): boolean {
  return WAITING_TYPES.has(step.type);
}

/** Whether a migration map may move runs to the step: one a run can wait at, or an exit step. */
export function canMoveTo(step: Step): boolean {
  return canWaitAt(step) || step.type === "exit";
}

/** One step of the older version where runs may wait, and how many do, when counted. */
export interface StepRuns {
  step: string;
  type: StepType;
  /** The runs of the older version waiting there, when the caller counted them (`nudge plan`). */
  runs?: number;
}

export interface MigrationPlan {
  journeyId: string;
  /** The older version, whose runs are in flight. */
  from: number;
  /** The newer version, being deployed. */
  to: number;
  /** Whether the newer version's `migrate` map is from this version (else no run of it moves). */
  mapped: boolean;
  /** Runs that move at their next wake-up or event: to a step of the newer version, or `exit`. */
  moves: (StepRuns & { to: string })[];
  /** Runs that stay on the older version (its file stays): the newer version keeps their step, and no map names it. */
  stays: StepRuns[];
  /**
   * Runs the change would strand: their step is gone from the newer version and the map does not name it.
   * A step counted with no run waiting strands none, and is not listed.
   */
  stranded: StepRuns[];
  /** Every step of the older version the newer one no longer has, mapped or not. */
  removed: string[];
}

/** The older version's runs under the newer one; `waiting` counts the older version's runs by step, when known. */
export function planMigration(options: {
  from: Journey;
  to: Journey;
  waiting?: Readonly<Record<string, number>>;
}): MigrationPlan {
  const { from, to, waiting } = options;
  const map = to.migrate?.from === from.version ? to.migrate.steps : {};
  const kept = new Set(to.steps.map((step) => step.id));
  const plan: MigrationPlan = {
    journeyId: to.id,
    from: from.version,
    to: to.version,
    mapped: to.migrate?.from === from.version,
    moves: [],
    stays: [],
    stranded: [],
    removed: from.steps.filter((step) => !kept.has(step.id)).map((step) => step.id),
  };
  for (const step of from.steps.filter(canWaitAt)) {
    const runs = waiting?.[step.id];
    const counted: StepRuns =
      runs === undefined ? { step: step.id, type: step.type } : { step: step.id, type: step.type, runs };
    const target = Object.hasOwn(map, step.id) ? map[step.id] : undefined;
    if (target !== undefined) plan.moves.push({ ...counted, to: target });
    else if (kept.has(step.id)) plan.stays.push(counted);
    else if (runs === undefined || runs > 0) plan.stranded.push(counted);
  }
  return plan;
}

/** The runs of a journey version waiting at each of its steps, by step id; undefined when not counted. */
export type WaitingRuns = (journeyId: string, version: number) => Readonly<Record<string, number>> | undefined;

/**
 * The plans of each journey's newest version against every older version given (the files kept beside it
 * for their runs in flight), in the order the journeys come; `waiting` counts the older versions' runs, when
 * the caller can (`nudge plan`, from the table).
 */
export function migrationPlans(journeys: readonly Journey[], waiting?: WaitingRuns): MigrationPlan[] {
  const byId = new Map<string, Journey[]>();
  for (const journey of journeys) byId.set(journey.id, [...(byId.get(journey.id) ?? []), journey]);
  return [...byId.values()].flatMap((versions) => {
    const newest = versions.reduce((a, b) => (b.version > a.version ? b : a));
    return versions
      .filter((older) => older.version < newest.version)
      .sort((a, b) => a.version - b.version)
      .map((older) => {
        const counted = waiting?.(older.id, older.version);
        return planMigration(
          counted === undefined ? { from: older, to: newest } : { from: older, to: newest, waiting: counted },
        );
      });
  });
}

/** What is wrong with a plan that strands runs, naming the journey, the versions and the steps; undefined when none are. */
export function strandedMessage(plan: MigrationPlan): string | undefined {
  if (plan.stranded.length === 0) return undefined;
  const steps = plan.stranded.map(
    (fate) => `${quote(fate.step)}${fate.runs === undefined ? "" : ` (${fate.runs} runs)`}`,
  );
  const example = `{"from": ${plan.from}, "steps": {${quote(plan.stranded[0]?.step ?? "")}: "<step of version ${plan.to}>" or ${quote(MIGRATE_EXIT)}}}`;
  return (
    `journey ${quote(plan.journeyId)} version ${plan.to} removes steps of version ${plan.from} where its runs wait, and maps them nowhere: ${listOf(steps)}; ` +
    `map them in "migrate" (${example}), keep them, or remove version ${plan.from}'s file once no run waits there`
  );
}
