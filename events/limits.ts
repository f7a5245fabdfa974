/**
 * The limits an event must keep to be processed, in one place: the endpoint refuses an entry over them
 * (per entry, with the reason), and the ingest function dead-letters an event over them with the reason
 * (on AWS the bus cannot refuse for Nudge). docs/dead-letters.md lists them for the shop's developers.
 */

/**
 * EventBridge's PutEvents entry size, computed as AWS documents it (the UTF-8 bytes of Source, DetailType,
 * Detail and each resource, plus 14 when Time is given).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export const EVENTBRIDGE_MAX_ENTRY_BYTES = 256 * 1024;

/**
 * Nudge's own limit on an event (its JSON, as the ingest queue's message body holds it): a run record keeps
 * its trigger event, and a DynamoDB item holds at most 400 KB. MAX_EVENT_BYTES may raise it up to
 * EVENTBRIDGE_MAX_ENTRY_BYTES.
 */
export const NUDGE_MAX_EVENT_BYTES = 32 * 1024;

/**
 * DynamoDB's key sizes: a partition key at most 2048 bytes, a sort key at most 1024 bytes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
 */
export const DYNAMODB_MAX_PARTITION_KEY_BYTES = 2048;
export const DYNAMODB_MAX_SORT_KEY_BYTES = 1024;

/**
 * The longest id (UTF-8 bytes) Nudge stores: ids become parts of keys, the longest being a timer's sort key
 * (`<instant>#<journey id>#<run key>#<sequence>`, functions/store/dynamodb/timers.ts). Half the sort key
 * leaves room for the other parts (a journey id is at most 63 characters).
 */
export const MAX_ID_BYTES = DYNAMODB_MAX_SORT_KEY_BYTES / 2;

/**
 * How deep a detail may nest objects and arrays. Deeper input overflows recursive code (JSON.stringify of
 * ~5,000 levels throws); no shop event needs more than a few levels.
 */
export const MAX_DETAIL_DEPTH = 32;

/** The UTF-8 size of a text, without encoding it when it is clearly small. */
export function utf8Bytes(text: string): number {
  // A UTF-16 code unit is at most 3 UTF-8 bytes.
  return text.length * 3 <= MAX_ID_BYTES ? text.length : Buffer.byteLength(text, "utf8");
}

/**
 * Whether `value` nests objects and arrays deeper than `limit` (a scalar is depth 0, `{}` depth 1). It stops
 * descending at the limit, so the recursion stays shallow however deep the input.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== "object") return false;
  if (limit <= 0) return true;
  if (Array.isArray(value)) return value.some((item) => nestsDeeperThan(item, limit - 1));
  for (const key in value) {
    if (nestsDeeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  }
  return false;
}

/** An entry's size as EventBridge computes it (see EVENTBRIDGE_MAX_ENTRY_BYTES). */
export function putEventsEntrySize(entry: {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  Time?: unknown;
}): number {
  const bytes = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0);
  let size = entry.Time === undefined || entry.Time === null ? 0 : 14;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const resource of entry.Resources) size += bytes(resource);
  return size;
}
