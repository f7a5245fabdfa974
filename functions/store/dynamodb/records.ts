import { MODEL_VERSION, type RunRecord } from "../../engine/model.ts";
import { parseInstant } from "../../engine/time.ts";
import { StoreError } from "./errors.ts";

/**
 * Run records and profiles are stored alike: `rev` (the optimistic-concurrency revision), `mv` (the model
 * version of the shapes), and `doc`, the value as compact JSON. Only the store reads `doc`, whole, so
 * nothing is gained by spreading it over attributes; one string keeps the item small.
 */
export type VersionedItem = { pk: string; sk: string; rev: number; mv: number; doc: string; ttl?: number };

export function versionedItem(
  key: { pk: string; sk: string },
  value: unknown,
  revision: number,
  ttl?: number,
): VersionedItem {
  return {
    ...key,
    rev: revision,
    mv: MODEL_VERSION,
    doc: JSON.stringify(value),
    ...(ttl === undefined ? {} : { ttl }),
  };
}

export function readVersioned<T>(
  item: Record<string, unknown> | undefined,
): { value: T; revision: number } | undefined {
  if (item === undefined) return undefined;
  if (typeof item.doc !== "string" || typeof item.rev !== "number") {
    throw new StoreError(`item ${String(item.pk)}/${String(item.sk)} has no doc/rev`);
  }
  return { value: JSON.parse(item.doc) as T, revision: item.rev };
}

/**
 * When a run record may be forgotten (TTL, epoch seconds), or undefined while it still has a use: a run
 * active, an inactivity clock running. The retention counts from the latest of the record's own times
 * (the run's end, the end of an unconverted goal's window, the last exit event) and the wall clock, so a
 * run that ended with its goal window open is kept until the window closed, plus the retention.
 * Pending effects do not hold the record: they are carried out right after the write and again by any
 * redelivery (SQS keeps a message 14 days at most), long before a retention of months runs out.
 */
export function recordExpiry(record: RunRecord, retentionMs: number, now: number): number | undefined {
  const run = record.run;
  if (run?.status === "active" || record.inactivity !== undefined) return undefined;
  const goalUntil = run?.goal !== undefined && run.goal.convertedAt === undefined ? run.goal.until : undefined;
  let base = now;
  for (const time of [run?.endedAt, goalUntil, record.lastExitEventAt, record.lastEnteredAt]) {
    const ms = parseInstant(time);
    if (ms !== undefined && ms > base) base = ms;
  }
  return Math.ceil((base + retentionMs) / 1000);
}
