import { deflateRawSync, inflateRawSync } from "node:zlib";
import { MODEL_VERSION, type RunRecord } from "../../engine/model.ts";
import type { Versioned } from "../../runtime/ports.ts";
import { parseInstant } from "../../shared/time.ts";
import { StoreError } from "./errors.ts";
import { CURRENT_DICTIONARY, JSON_DICTIONARIES } from "./json-dictionary.ts";

/**
 * Run records and profiles are stored alike: `rev` (the optimistic-concurrency revision), `mv` (the model
 * version of the shapes), and the value as compact JSON, in `doc` (S) or, when that is longer than
 * COMPRESS_FROM characters, raw-deflated against preset dictionary 1 in `z1doc` (B; json-dictionary.ts), or,
 * as written before the dictionary, without one in `zdoc`. Only the store reads it, whole, so nothing is
 * gained by spreading it over attributes, and a write is billed per KB of item: a run record with its
 * trigger event and outbox is 1-3 KB of JSON and about a third of that deflated, one write unit.
 * The outbox (`pending`) is deflated with the rest of the record, in one stream: its message texts repeat
 * the record's names and ids: kept apart (as `out`, which the store still reads), the seed journeys' 1,849
 * saves cost 2,281 write units; in one stream, 1,904 (`npm run bench -- --only dynamodb`).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-use-s3-too.html#bp-compress-large-attributes
 */
export type VersionedItem = { pk: string; sk: string; rev: number; mv: number; ttl?: number } & Record<string, unknown>;

/** JSON shorter than this is stored as it is: deflate saves nothing worth its CPU on it. */
export const COMPRESS_FROM = 200;

/** `{ [name]: json }` or `{ [`z1${name}`]: deflated json }`, whichever is smaller to store. */
export function encodeJson(name: string, value: unknown): Record<string, string | Uint8Array> {
  const [attribute, encoded] = encodedAttribute(name, value);
  return { [attribute]: encoded };
}

/** The attribute name (`name`, or `z<dictionary><name>` deflated) and value that encodeJson writes. */
export function encodedAttribute(name: string, value: unknown): [string, string | Uint8Array] {
  const json = JSON.stringify(value);
  if (json.length < COMPRESS_FROM) return [name, json];
  const dictionary = JSON_DICTIONARIES[CURRENT_DICTIONARY];
  return [`z${CURRENT_DICTIONARY}${name}`, deflateRawSync(json, { dictionary })];
}

/** Every attribute a value named `name` may be in: plain, deflated alone (`z<name>`), against each dictionary. */
export function storedForms(name: string): string[] {
  return [name, `z${name}`, ...Object.keys(JSON_DICTIONARIES).map((number) => `z${number}${name}`)];
}

/** The value of `name` written by encodeJson (in any form it has had), or undefined when the item has none. */
export function decodeJson(item: Record<string, unknown>, name: string): unknown {
  const plain = item[name];
  if (typeof plain === "string") return JSON.parse(plain);
  for (const [number, dictionary] of Object.entries(JSON_DICTIONARIES)) {
    const packed = item[`z${number}${name}`];
    if (packed instanceof Uint8Array) return JSON.parse(inflateRawSync(packed, { dictionary }).toString("utf8"));
  }
  const alone = item[`z${name}`];
  if (alone instanceof Uint8Array) return JSON.parse(inflateRawSync(alone).toString("utf8"));
  return undefined;
}

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
    ...encodeJson("doc", value),
    ...(ttl === undefined ? {} : { ttl }),
  };
}

/** A run record's item: the record, its outbox (if any) included, in `doc`. */
export function runRecordItem(key: { pk: string; sk: string }, record: RunRecord, revision: number, ttl?: number) {
  return versionedItem(key, record, revision, ttl);
}

export function readVersioned<T>(
  item: Record<string, unknown> | undefined,
): { value: T; revision: number } | undefined {
  if (item === undefined) return undefined;
  const value = decodeJson(item, "doc");
  if (value === undefined || typeof item.rev !== "number") {
    throw new StoreError(`item ${String(item.pk)}/${String(item.sk)} has no doc/rev`);
  }
  return { value: value as T, revision: item.rev };
}

/** A run record read back, with its outbox when one is still on it (in `doc`, or apart in `out` as saved before). */
export function readRunRecord(item: Record<string, unknown> | undefined): Versioned<RunRecord> | undefined {
  const stored = readVersioned<RunRecord>(item);
  const pending = item === undefined ? undefined : decodeJson(item, "out");
  if (stored !== undefined && pending !== undefined) stored.value.pending = pending as RunRecord["pending"];
  return stored;
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
