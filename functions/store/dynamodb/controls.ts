import { type WakeUp, wakeUpToken } from "../../engine/model.ts";
import type { JourneyControl } from "../../runtime/control-cache.ts";
import type { Versioned } from "../../runtime/ports.ts";
import { ConcurrencyError } from "../../shared/errors.ts";
import { hash53 } from "../../shared/hash.ts";
import { isConditionFailure } from "./errors.ts";
import { readVersioned, versionedItem } from "./records.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * Journey controls and held wake-ups (functions/runtime/control-cache.ts) on the table:
 *
 * - one item per journey in one partition, `CONTROL` / `JOURNEY#<journeyId>` (`rev`, `doc`): every
 *   runtime instance reads them all with one Query at most every 30 s (a few hundred bytes: 0.5 RCU);
 * - a held wake-up is one item, `HELD#<journeyId>#<shard>` / `<key>#<seq>#<at>`, spread over
 *   HELD_SHARDS partitions so that a paused journey's wake-ups, held as they fall due, make no hot key
 *   (a partition takes 1,000 writes a second:
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html).
 *   Held once per pause whatever its length; kept until resumed (no TTL).
 */

export const HELD_SHARDS = 8;

export async function getControls(table: TableClient, consistent: boolean): Promise<Versioned<JourneyControl>[]> {
  const controls: Versioned<JourneyControl>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const output = await table.query("getControls", {
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.controlPartition },
      ConsistentRead: consistent,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    for (const item of output.Items ?? []) {
      const control = readVersioned<JourneyControl>(item);
      if (control !== undefined) controls.push(control);
    }
    start = output.LastEvaluatedKey;
  } while (start !== undefined);
  return controls;
}

/** One conditional PutItem on the revision read (none: the item must not exist yet). */
export async function setControl(
  table: TableClient,
  control: JourneyControl,
  expected: number | undefined,
): Promise<number> {
  const revision = (expected ?? 0) + 1;
  try {
    await table.put("setControl", {
      Item: versionedItem(keys.control(control.journeyId), control, revision),
      ConditionExpression: expected === undefined ? "attribute_not_exists(pk)" : "rev = :expected",
      ...(expected === undefined ? {} : { ExpressionAttributeValues: { ":expected": expected } }),
    });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw new ConcurrencyError(`control of ${control.journeyId}: another write came first`, { cause: error });
  }
  return revision;
}

function heldKey(wakeUp: WakeUp) {
  const shard = hash53(wakeUp.key) % HELD_SHARDS;
  const seq = wakeUpToken(wakeUp);
  return { pk: keys.held(wakeUp.journeyId, shard), sk: `${wakeUp.key}#${seq}#${wakeUp.at}` };
}

/** One PutItem (unconditional: the same wake-up held twice writes the same item). */
export async function holdWakeUp(table: TableClient, wakeUp: WakeUp): Promise<void> {
  await table.put("holdWakeUp", { Item: { ...heldKey(wakeUp), doc: JSON.stringify(wakeUp) } });
}

/** Queries the shards in turn, `Limit` what is still wanted. */
export async function listHeldWakeUps(table: TableClient, journeyId: string, limit: number): Promise<WakeUp[]> {
  const found: WakeUp[] = [];
  for (let shard = 0; shard < HELD_SHARDS && found.length < limit; shard++) {
    let start: Record<string, unknown> | undefined;
    do {
      const output = await table.query("listHeldWakeUps", {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.held(journeyId, shard) },
        ConsistentRead: true,
        Limit: limit - found.length,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      for (const item of output.Items ?? []) found.push(JSON.parse(String(item.doc)) as WakeUp);
      start = output.LastEvaluatedKey;
    } while (start !== undefined && found.length < limit);
  }
  return found;
}

export async function releaseHeldWakeUps(table: TableClient, wakeUps: readonly WakeUp[]): Promise<void> {
  for (const wakeUp of wakeUps) await table.delete("releaseHeldWakeUps", { Key: heldKey(wakeUp) });
}
