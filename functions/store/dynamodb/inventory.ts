import type { WakeUp } from "../../engine/model.ts";
import { readRunRecord } from "./records.ts";
import type { TableClient } from "./table-client.ts";

/** What `nudge status` shows of each journey from the table. */
export interface JourneyInventory {
  runsActive: number;
  /** Wake-ups the journey's records wait for: runs' waits and inactivity clocks (the held ones among them). */
  timersPending: number;
  /** The earliest due time among them (ISO-8601). */
  oldestPending?: string;
  /** Wake-ups held while the journey is paused. */
  held: number;
}

/**
 * Every journey's runs and timers, by one Scan of the run records and held wake-ups (not in the port:
 * an operator's command). A Scan reads the whole table, 0.5 RCU per 4 KB eventually consistent: about
 * 125 RCU per million small items, and minutes on a table of millions; fine for a local platform or a
 * young table, see docs/operations.md (Operating journeys). The timers pending are read off the run records (the
 * wake-up each waits for), so the timer wheel's spent items, kept for 30 days, are not counted.
 */
export async function scanInventory(table: TableClient): Promise<Map<string, JourneyInventory>> {
  const byJourney = new Map<string, JourneyInventory>();
  const of = (journeyId: string) => {
    let entry = byJourney.get(journeyId);
    if (entry === undefined) {
      entry = { runsActive: 0, timersPending: 0, held: 0 };
      byJourney.set(journeyId, entry);
    }
    return entry;
  };
  const pending = (entry: JourneyInventory, at: string) => {
    entry.timersPending++;
    if (entry.oldestPending === undefined || at < entry.oldestPending) entry.oldestPending = at;
  };
  let start: Record<string, unknown> | undefined;
  do {
    const output = await table.scan("scanInventory", {
      FilterExpression: "begins_with(pk, :run) OR begins_with(pk, :held)",
      ExpressionAttributeValues: { ":run": "RUN#", ":held": "HELD#" },
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    for (const item of output.Items ?? []) {
      if (String(item.pk).startsWith("HELD#")) {
        of((JSON.parse(String(item.doc)) as WakeUp).journeyId).held++;
        continue;
      }
      const record = readRunRecord(item)?.value;
      if (record === undefined) continue;
      const entry = of(record.journeyId);
      if (record.run?.status === "active") {
        entry.runsActive++;
        if (record.run.wake !== undefined) pending(entry, record.run.wake.at);
      }
      const clock = record.inactivity;
      if (clock !== undefined) pending(entry, clock.armedAt ?? clock.dueAt);
    }
    start = output.LastEvaluatedKey;
  } while (start !== undefined);
  return byJourney;
}

/** Runs active in one version of a journey, waiting at one step: what a new version would touch. */
export interface RunsAtStep {
  journeyId: string;
  version: number;
  stepId: string;
  runs: number;
}

/**
 * The runs in flight of the given journeys, by version and the step each waits at (`nudge plan`), and the
 * inactivity clocks running (users counting toward an inactivity trigger), by one Scan of their run records,
 * at the cost scanInventory states.
 */
export async function scanRunsInFlight(
  table: TableClient,
  journeyIds: readonly string[],
): Promise<{ runs: RunsAtStep[]; clocks: Map<string, number> }> {
  const wanted = new Set(journeyIds);
  const counts = new Map<string, RunsAtStep>();
  const clocks = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const output = await table.scan("scanRunsInFlight", {
      FilterExpression: "begins_with(pk, :run) AND sk = :record",
      ExpressionAttributeValues: { ":run": "RUN#", ":record": "RUN" },
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    for (const item of output.Items ?? []) {
      const record = readRunRecord(item)?.value;
      if (record === undefined || !wanted.has(record.journeyId)) continue;
      if (record.inactivity !== undefined && record.run?.status !== "active")
        clocks.set(record.journeyId, (clocks.get(record.journeyId) ?? 0) + 1);
      const run = record.run;
      if (run?.status !== "active" || run.stepId === undefined) continue;
      const key = `${run.journeyId}\u0000${run.version}\u0000${run.stepId}`;
      const entry = counts.get(key) ?? { journeyId: run.journeyId, version: run.version, stepId: run.stepId, runs: 0 };
      entry.runs++;
      counts.set(key, entry);
    }
    start = output.LastEvaluatedKey;
  } while (start !== undefined);
  return { runs: [...counts.values()], clocks };
}
