import type { Run, RunRecord, WakeUp } from "./model.ts";

/** A run record with no run yet. */
export function newRecord(journeyId: string, key: string): RunRecord {
  return { journeyId, key, entries: 0, recentEventIds: [] };
}

// Copies are a plain clone, then assignments: V8 clones `{ ...object }` fast, but a spread with fields
// added or overridden in the same literal takes a path several times slower. The event ids and the run's
// outputs are shared: a decision replaces them rather than changing them (rememberEvent, setOutput).
export function copyRecord(record: RunRecord): RunRecord {
  const copy = { ...record };
  if (record.run !== undefined) copy.run = copyRun(record.run);
  return copy;
}

function copyRun(run: Run): Run {
  const copy = { ...run };
  if (run.goal !== undefined) copy.goal = { ...run.goal };
  return copy;
}

/** Sets a step's output (`steps.<id>` in the run's context) on a copy of the outputs, which copies share. */
export function setOutput(run: Run, stepId: string, value: unknown): void {
  const outputs = { ...run.outputs };
  outputs[stepId] = value;
  run.outputs = outputs;
}

/**
 * The timers a record needs that its previous version did not already have: its run's wake-up and its
 * inactivity clock. Unchanged timers are not scheduled again, which saves a timer write per step.
 */
export function newWakeUpsOf(record: RunRecord, previous: RunRecord | undefined): WakeUp[] {
  const wakeUps: WakeUp[] = [];
  const run = record.run;
  const before = previous?.run;
  if (
    run?.status === "active" &&
    run.wake &&
    !(before?.runId === run.runId && before.wake?.seq === run.wake.seq && before.wake.at === run.wake.at)
  ) {
    wakeUps.push({ kind: "run", journeyId: record.journeyId, key: record.key, at: run.wake.at, seq: run.wake.seq });
  }
  const armedAt = armedAtOf(record.inactivity);
  if (armedAt !== undefined && armedAt !== armedAtOf(previous?.inactivity)) {
    wakeUps.push({ kind: "inactivity", journeyId: record.journeyId, key: record.key, at: armedAt });
  }
  return wakeUps;
}

/** When the inactivity clock's pending wake-up falls due (a record written before `armedAt`: `dueAt`). */
export function armedAtOf(clock: RunRecord["inactivity"]): string | undefined {
  return clock === undefined ? undefined : (clock.armedAt ?? clock.dueAt);
}
