import { type WakeUp, wakeUpToken } from "../../engine/model.ts";
import { hash53 } from "../../shared/hash.ts";
import { StoreError } from "./errors.ts";
import { keys } from "./table.ts";

/**
 * Timer keys. A wake-up lives in the bucket of the time it falls due (a UTC minute, or `width` minutes
 * for a table made so: the local platform walks virtual days, see DynamoDbStoreConfig.timerBucketMinutes),
 * in one of N shards chosen by a stable hash of its (journey, key): pk `TIMER#<YYYY-MM-DDTHH:MM>#<shard>`
 * (the bucket's first minute), sk `<at>#<journey>#<key>#<seq or "inactivity">` with `at` in the
 * fixed-width ISO form (milliseconds always written) so that the sort key orders by due time. Buckets are
 * numbered by their width since the epoch.
 */

export const MINUTE_MS = 60_000;

/** The bucket of an instant, for buckets `widthMs` wide. */
export const bucketOf = (ms: number, widthMs: number) => Math.floor(ms / widthMs);

/** `2026-11-25T08:00` for the bucket number: its first minute. */
export const bucketText = (bucket: number, widthMs: number) => new Date(bucket * widthMs).toISOString().slice(0, 16);

export function parseBucket(text: string, widthMs: number): number {
  const ms = Date.parse(`${text}:00Z`);
  if (Number.isNaN(ms)) throw new StoreError(`not a timer bucket: ${JSON.stringify(text)}`);
  return bucketOf(ms, widthMs);
}

/** The fixed-width sort form of an instant: `2026-11-25T08:00:00.000Z`. */
export const sortableInstant = (ms: number) => new Date(ms).toISOString();

export function dueTime(wakeUp: WakeUp): number {
  const ms = Date.parse(wakeUp.at);
  if (Number.isNaN(ms)) throw new StoreError(`wake-up ${wakeUp.journeyId}/${wakeUp.key}: not an instant: ${wakeUp.at}`);
  return ms;
}

export const timerShard = (wakeUp: WakeUp, shards: number) => hash53(`${wakeUp.journeyId}\u0000${wakeUp.key}`) % shards;

export const timerSortKey = (wakeUp: WakeUp, at: number) =>
  `${sortableInstant(at)}#${wakeUp.journeyId}#${wakeUp.key}#${wakeUpToken(wakeUp)}`;

export const timerPartition = (bucket: number, shard: number, widthMs: number) =>
  keys.timerBucket(bucketText(bucket, widthMs), shard);
