import type { ShopEvent } from "../../../events/catalog.ts";
import type { SegmentMember } from "../../runtime/ports.ts";
import { hash53 } from "../../shared/hash.ts";
import { StoreError } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * The segments' members: an item per member, pk `SEGMENT#<segment>#<shard>`, sk the user id, `since` the
 * entry's time. The shard is a stable hash of the user (SEGMENT_SHARDS of them), so a million users
 * entering a segment at once spread over partitions, and listing or counting a segment queries its shards:
 * read in proportion to its members, never a scan of every profile.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-sharding.html
 */
export const SEGMENT_SHARDS = 16;

const shardOf = (userId: string) => hash53(userId) % SEGMENT_SHARDS;

/** One PutItem per entry, one DeleteItem per exit: unconditional, so a hand-on repeated writes the same. */
export async function indexSegmentChanges(table: TableClient, events: readonly ShopEvent[]): Promise<void> {
  for (const event of events) {
    const type = event["detail-type"];
    if (type !== "segment.entered" && type !== "segment.exited") continue;
    const { userId, segment } = event.detail;
    if (typeof userId !== "string" || typeof segment !== "string") continue;
    const key = { pk: keys.segmentShard(segment, shardOf(userId)), sk: userId };
    if (type === "segment.entered") await table.put("indexSegment", { Item: { ...key, since: event.time } });
    else await table.delete("indexSegment", { Key: key });
  }
}

/**
 * A page of members: the shards in turn (with `part`, that shard alone), `after` (`<shard>:<user id>`)
 * where the previous page stopped. At most `limit` members a page; `next` is absent after the last.
 */
export async function segmentMembers(
  table: TableClient,
  request: { segment: string; limit: number; after?: string; part?: number },
): Promise<{ members: SegmentMember[]; next?: string }> {
  const { segment, limit, part } = request;
  if (part !== undefined && !(Number.isInteger(part) && part >= 0 && part < SEGMENT_SHARDS))
    throw new StoreError(`not a part of a segment's listing: ${part} (0 to ${SEGMENT_SHARDS - 1})`);
  const [shardText, ...rest] = request.after?.split(":") ?? [String(part ?? 0)];
  let shard = Number(shardText);
  const end = part === undefined ? SEGMENT_SHARDS : part + 1;
  if (!Number.isInteger(shard) || shard < (part ?? 0) || shard >= end)
    throw new StoreError(`not a page of segment members: ${JSON.stringify(request.after)}`);
  let start: Record<string, unknown> | undefined =
    rest.length > 0 ? { pk: keys.segmentShard(segment, shard), sk: rest.join(":") } : undefined;
  const members: SegmentMember[] = [];
  while (shard < end && members.length < limit) {
    const output = await table.query("segmentMembers", {
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.segmentShard(segment, shard) },
      Limit: limit - members.length,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    for (const item of output.Items ?? []) members.push({ userId: String(item.sk), since: String(item.since) });
    start = output.LastEvaluatedKey;
    if (start === undefined) shard++;
  }
  const last = members.at(-1);
  if (shard >= end || last === undefined) return { members };
  return { members, next: start === undefined ? `${shard}` : `${shard}:${last.userId}` };
}

/** Counts the members: a COUNT Query of each shard, paged (1 MB a page), reading only the index's items. */
export async function countSegmentMembers(table: TableClient, segment: string): Promise<number> {
  let count = 0;
  for (let shard = 0; shard < SEGMENT_SHARDS; shard++) {
    let start: Record<string, unknown> | undefined;
    do {
      const output = await table.query("countSegment", {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.segmentShard(segment, shard) },
        Select: "COUNT",
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      count += output.Count ?? 0;
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
  }
  return count;
}

/**
 * A page of every user with a profile: a parallel Scan of the table in SEGMENT_SHARDS segments (with `part`,
 * that segment alone), keeping the profile items (`sk` PROFILE); `after` is `<segment>[:<the last key read>]`.
 * A Scan reads every item of the table, not only profiles: a campaign to every user costs in proportion to the
 * table. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan
 */
export async function everyUser(
  table: TableClient,
  request: { limit: number; after?: string; part?: number },
): Promise<{ members: SegmentMember[]; next?: string }> {
  const { limit, part } = request;
  const after = request.after ?? String(part ?? 0);
  const cut = after.indexOf(":");
  let segment = Number(cut < 0 ? after : after.slice(0, cut));
  let start = cut < 0 ? undefined : (JSON.parse(after.slice(cut + 1)) as Record<string, unknown>);
  const end = part === undefined ? SEGMENT_SHARDS : part + 1;
  if (!Number.isInteger(segment) || segment < (part ?? 0) || segment >= end)
    throw new StoreError(`not a page of every user: ${JSON.stringify(request.after)}`);
  const members: SegmentMember[] = [];
  while (segment < end && members.length < limit) {
    const output = await table.scan("everyUser", {
      Segment: segment,
      TotalSegments: SEGMENT_SHARDS,
      FilterExpression: "sk = :profile",
      ExpressionAttributeValues: { ":profile": "PROFILE" },
      ProjectionExpression: "pk",
      Limit: limit - members.length,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    for (const item of output.Items ?? []) members.push({ userId: String(item.pk).slice("USER#".length), since: "" });
    start = output.LastEvaluatedKey;
    if (start === undefined) segment++;
  }
  if (segment >= end) return { members };
  return { members, next: start === undefined ? `${segment}` : `${segment}:${JSON.stringify(start)}` };
}
