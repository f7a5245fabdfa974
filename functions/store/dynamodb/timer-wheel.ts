import type { WakeUp } from "../../engine/model.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";
import {
  dueTime,
  type IndexEntry,
  LocalTimerIndex,
  MINUTE_MS,
  minuteOf,
  minuteText,
  parseMinute,
  sortableInstant,
  timerPartition,
  timerShard,
  timerSortKey,
  wakeUpId,
} from "./timers.ts";

export interface TimerWheelConfig {
  shards: number;
  retentionMs: number;
  privateTable: boolean;
  settleMs: number | undefined;
  horizonMinutes: number;
  clock: () => number;
}

type Candidate = IndexEntry & { wakeUp: WakeUp; pk: string; sk: string };

const byDueTime = (a: WakeUp, b: WakeUp) => {
  const [x, y] = [wakeUpId(a), wakeUpId(b)];
  return dueTime(a) - dueTime(b) || (x < y ? -1 : x > y ? 1 : 0);
};

/** Deletes run this many at a time. */
const CLAIM_CONCURRENCY = 32;

/**
 * The timer wheel on the table: wake-ups in sharded minute buckets, and a cursor item (`TICK`/`CURSOR`)
 * naming the earliest bucket not yet drained. Taking what is due walks the buckets from the cursor to the
 * minute of `until`, one Query per shard and bucket, and claims each due wake-up by deleting it; the
 * cursor moves past a bucket only once every shard of it is drained (and, with `settleMs`, the minute
 * ended that long ago). What it costs depends on what is due and on the minutes walked, never on how
 * many wake-ups are pending later.
 */
export class TimerWheel {
  /**
   * The wake-ups this process scheduled and has not seen taken. Kept only with a private table (the
   * simulator): a platform process that schedules for days would otherwise hold every timer it wrote.
   */
  readonly index: LocalTimerIndex;
  /** The cursor (a minute number) as this process last read or wrote it: it was at or before this then. */
  private knownCursor: number | undefined;

  constructor(
    private readonly table: TableClient,
    private readonly config: TimerWheelConfig,
  ) {
    this.index = new LocalTimerIndex(config.privateTable ? 2_000_000 : 0);
  }

  async schedule(wakeUp: WakeUp): Promise<void> {
    const { item, entry } = this.itemOf(wakeUp);
    await this.table.put("scheduleWakeUp", { Item: item });
    this.index.add(entry);
    await this.keepCursorAtOrBefore(entry.bucket);
  }

  /** Schedules many wake-ups with batched writes (25 a request); the same cost in write units. */
  async scheduleAll(wakeUps: readonly WakeUp[]): Promise<void> {
    if (wakeUps.length === 0) return;
    const written = wakeUps.map((wakeUp) => this.itemOf(wakeUp));
    await this.table.putAll(
      "scheduleWakeUp",
      written.map((w) => w.item),
    );
    for (const { entry } of written) this.index.add(entry);
    await this.keepCursorAtOrBefore(
      written.reduce((min, w) => Math.min(min, w.entry.bucket), Number.POSITIVE_INFINITY),
    );
  }

  async take(until: number, limit: number): Promise<WakeUp[]> {
    if (limit <= 0) return [];
    const last = minuteOf(until);
    // A bucket is closed (the cursor may pass it) once it ended `settleMs` before `until`, and never past
    // the clock: with a lookahead (a tick handing on what falls due in the next minutes, with a delivery
    // delay), minutes ahead of the clock can still receive wake-ups scheduled elsewhere, so the cursor
    // stays behind them and they are queried again by the next tick.
    const settle = this.config.settleMs ?? 0;
    const closedBelow = minuteOf(Math.min(until, this.config.clock()) - settle);
    const stored = await this.readCursor("takeDueWakeUps");
    const start = stored ?? Math.min(this.index.first()?.bucket ?? last, last);
    let cursor = start;
    let advancing = true;
    let drainedToUntil = true;
    const taken: WakeUp[] = [];
    for (let bucket = start; bucket <= last; bucket++) {
      if (taken.length >= limit) {
        drainedToUntil = false;
        break;
      }
      if (this.skipsKnownEmpty()) {
        const next = this.index.first()?.bucket;
        const jump = next === undefined || next > last ? last + 1 : Math.max(next, bucket);
        if (advancing) cursor = Math.min(jump, closedBelow);
        if (jump > last) break;
        if (cursor < jump) advancing = false;
        bucket = jump;
      }
      const { wakeUps, drained } = await this.drainBucket(bucket, until, limit - taken.length);
      taken.push(...wakeUps);
      if (!drained) {
        drainedToUntil = false;
        break;
      }
      if (advancing && bucket < closedBelow) cursor = bucket + 1;
      else advancing = false;
    }
    if (cursor !== stored) await this.writeCursor(stored, cursor);
    if (drainedToUntil) this.index.dropUpTo(until);
    // A wake-up written into a later bucket than its due minute (see itemOf) is overdue: it goes first.
    return taken.sort((a, b) => byDueTime(a, b));
  }

  /**
   * The due time of the earliest pending wake-up. With a private table, the in-process index answers at
   * no cost. Otherwise it reads the cursor and walks at most `horizonMinutes` buckets on from it (a Query
   * with `Limit` 1 per shard and bucket): undefined when nothing falls due within the horizon.
   */
  async next(): Promise<number | undefined> {
    if (this.skipsKnownEmpty()) return this.index.first()?.at;
    const start = (await this.readCursor("nextWakeUpAt")) ?? minuteOf(this.config.clock());
    for (let bucket = start; bucket <= start + this.config.horizonMinutes; bucket++) {
      const firsts = await Promise.all(
        this.shards().map(async (shard) => {
          const output = await this.table.query("nextWakeUpAt", {
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": timerPartition(bucket, shard) },
            ConsistentRead: true,
            Limit: 1,
          });
          const item = output.Items?.[0];
          return item === undefined ? Number.POSITIVE_INFINITY : dueTime(JSON.parse(String(item.doc)) as WakeUp);
        }),
      );
      const earliest = Math.min(...firsts);
      if (earliest !== Number.POSITIVE_INFINITY) return earliest;
    }
    return undefined;
  }

  private skipsKnownEmpty(): boolean {
    return this.config.privateTable && this.index.complete;
  }

  private shards(): number[] {
    return Array.from({ length: this.config.shards }, (_, shard) => shard);
  }

  private itemOf(wakeUp: WakeUp) {
    const at = dueTime(wakeUp);
    let bucket = minuteOf(at);
    // With a tick that lags `settleMs` behind the clock, the cursor is never past the minute of
    // `clock() - settleMs`: a wake-up due earlier goes into that bucket, where its sort key (its real due
    // time) puts it first, due at once.
    if (this.config.settleMs !== undefined)
      bucket = Math.max(bucket, minuteOf(this.config.clock() - this.config.settleMs));
    const item = {
      pk: timerPartition(bucket, timerShard(wakeUp, this.config.shards)),
      sk: timerSortKey(wakeUp, at),
      doc: JSON.stringify(wakeUp),
      ttl: Math.ceil(((bucket + 1) * MINUTE_MS + this.config.retentionMs) / 1000),
    };
    return { item, entry: { bucket, at, id: wakeUpId(wakeUp) } };
  }

  /** Queries every shard of a bucket for what is due by `until`, and claims up to `limit`, earliest first. */
  private async drainBucket(bucket: number, until: number, limit: number) {
    const bound = sortableInstant(until + 1);
    const shards = await Promise.all(
      this.shards().map((shard) =>
        this.table.query("takeDueWakeUps", {
          KeyConditionExpression: "pk = :pk AND sk < :bound",
          ExpressionAttributeValues: { ":pk": timerPartition(bucket, shard), ":bound": bound },
          ConsistentRead: true,
          Limit: limit,
        }),
      ),
    );
    const candidates: Candidate[] = shards
      .flatMap((output) => output.Items ?? [])
      .map((item) => {
        const wakeUp = JSON.parse(String(item.doc)) as WakeUp;
        return { wakeUp, pk: String(item.pk), sk: String(item.sk), bucket, at: dueTime(wakeUp), id: wakeUpId(wakeUp) };
      })
      .sort((a, b) => byDueTime(a.wakeUp, b.wakeUp));
    const chosen = candidates.slice(0, limit);
    const claimed = await this.claim(chosen);
    for (const candidate of chosen) this.index.remove(candidate.id);
    const drained =
      chosen.length === candidates.length && shards.every((output) => output.LastEvaluatedKey === undefined);
    return { wakeUps: claimed, drained };
  }

  /** Deletes each wake-up; only a delete that found the item hands it out, so two ticks never both do. */
  private async claim(chosen: readonly Candidate[]): Promise<WakeUp[]> {
    const claimed: (WakeUp | undefined)[] = [];
    for (let start = 0; start < chosen.length; start += CLAIM_CONCURRENCY) {
      const slice = chosen.slice(start, start + CLAIM_CONCURRENCY);
      const results = await Promise.all(
        slice.map(async (candidate) => {
          const output = await this.table.delete("takeDueWakeUps", {
            Key: { pk: candidate.pk, sk: candidate.sk },
            ReturnValues: "ALL_OLD",
          });
          return output.Attributes === undefined ? undefined : candidate.wakeUp;
        }),
      );
      claimed.push(...results);
    }
    return claimed.filter((wakeUp): wakeUp is WakeUp => wakeUp !== undefined);
  }

  /**
   * After writing a wake-up into `bucket`: moves the cursor back to it if the cursor may be past it (this
   * process has not seen the cursor, or saw it later), with a conditional write that never moves it on.
   * A tick that passed the bucket meanwhile walks it again. One write the first time a process schedules,
   * then only for a wake-up due before the cursor as this process last saw it.
   */
  private async keepCursorAtOrBefore(bucket: number): Promise<void> {
    if (this.knownCursor !== undefined && bucket >= this.knownCursor) return;
    try {
      await this.table.update("scheduleWakeUp", {
        Key: keys.cursor(),
        UpdateExpression: "SET #bucket = :bucket",
        ConditionExpression: "attribute_not_exists(pk) OR #bucket > :bucket",
        ExpressionAttributeNames: { "#bucket": "bucket" },
        ExpressionAttributeValues: { ":bucket": minuteText(bucket) },
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // the cursor is at or before the bucket already
    }
    this.knownCursor = bucket;
  }

  private async readCursor(kind: string): Promise<number | undefined> {
    const output = await this.table.get(kind, { Key: keys.cursor(), ConsistentRead: true });
    const text = output.Item?.bucket;
    this.knownCursor = typeof text === "string" ? parseMinute(text) : undefined;
    return this.knownCursor;
  }

  /** Moves the cursor if no other tick moved it meanwhile; if one did, its position stands. */
  private async writeCursor(from: number | undefined, to: number): Promise<void> {
    try {
      await this.table.update("takeDueWakeUps", {
        Key: keys.cursor(),
        UpdateExpression: "SET #bucket = :to",
        ConditionExpression: from === undefined ? "attribute_not_exists(pk)" : "#bucket = :from",
        ExpressionAttributeNames: { "#bucket": "bucket" },
        ExpressionAttributeValues: {
          ":to": minuteText(to),
          ...(from === undefined ? {} : { ":from": minuteText(from) }),
        },
      });
      this.knownCursor = to;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      this.knownCursor = undefined;
    }
  }
}
