import type { WakeUp } from "../../engine/model.ts";
import type { DueWakeUps } from "../../runtime/ports.ts";
import { isConditionFailure } from "./errors.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";
import {
  bucketOf,
  bucketText,
  dueTime,
  MINUTE_MS,
  parseBucket,
  sortableInstant,
  timerPartition,
  timerShard,
  timerSortKey,
} from "./timers.ts";

export interface TimerWheelConfig {
  shards: number;
  retentionMs: number;
  lookaheadMs: number;
  settleMs: number;
  horizonMinutes: number;
  /** How wide a new table's buckets are (DynamoDbStoreConfig.timerBucketMinutes), in ms: a table keeps the width its cursor records. */
  bucketMs: number;
  clock: () => number;
}

/** Where the take walk stands: the minute bucket being drained and, per shard, the last sort key taken. */
type Cursor = { bucket: number; after: Record<string, string>; rev: number };

/** A wake-up read by a walk, and where the cursor stands once it is taken. */
type Taken = { wakeUp: WakeUp; position: Omit<Cursor, "rev"> };

/** How many Queries a take runs at once to find the next bucket that is not empty. */
const PROBE_QUERIES = 32;

/**
 * The timer wheel on the table. A wake-up is one item in a sharded minute bucket, written once and never
 * deleted by the tick (TTL removes it later, at no cost): taking what is due moves a cursor item
 * (`TICK`/`CURSOR`: the bucket being drained and, per shard, the last sort key taken) with one
 * conditional write per take, so two ticks never hand out the same wake-up and a take of many wake-ups
 * costs one write, not one per wake-up. What a take costs depends on what is due and on the minutes
 * walked, never on how many wake-ups are pending later.
 *
 * The cursor may only pass what can no longer change: a wake-up is written at or after
 * `clock + lookaheadMs + settleMs` (its sort key; the item keeps its real due time, and is handed on with
 * the delay that makes it fire then), and a take never goes past `clock + lookaheadMs`. A wake-up due
 * sooner than that after it was scheduled fires up to `settleMs` plus one tick late.
 */
export class TimerWheel {
  /**
   * The table's bucket width, in ms, once read from its cursor (which records it: a cursor without one is
   * a table of minute buckets, as all were before). A table keeps the width it was made with, whatever
   * this process is configured with: wake-ups already written stay where the tick looks for them.
   */
  private bucketMs: number | undefined;
  /** The cursor's first read (or its making), while it is in flight. */
  private cursorReady: Promise<void> | undefined;

  constructor(
    private readonly table: TableClient,
    private readonly config: TimerWheelConfig,
  ) {}

  async schedule(wakeUp: WakeUp): Promise<void> {
    await this.ensureCursor();
    await this.table.put("scheduleWakeUp", { Item: this.itemOf(wakeUp).item });
  }

  /** Schedules many wake-ups with batched writes (25 a request); the same cost in write units. */
  async scheduleAll(wakeUps: readonly WakeUp[]): Promise<void> {
    if (wakeUps.length === 0) return;
    await this.ensureCursor();
    await this.table.putAll(
      "scheduleWakeUp",
      wakeUps.map((wakeUp) => this.itemOf(wakeUp).item),
    );
  }

  /**
   * Reads what is due from the cursor on, without moving it: `done(count)` moves it past the first
   * `count` with one conditional write, once they were handed on. A tick that dies before leaves the
   * cursor where it was, and the next tick hands the same wake-ups on again (a repeat is stale).
   */
  async due(until: number, limit: number): Promise<DueWakeUps> {
    if (limit <= 0) return { wakeUps: [], done: async () => true };
    const horizon = Math.min(until, this.config.clock() + this.config.lookaheadMs);
    const cursor = await this.readCursor("takeDueWakeUps");
    if (cursor === undefined) return { wakeUps: [], done: async () => true }; // nothing was ever scheduled
    const { taken, moved } = await this.walk(cursor, horizon, limit);
    return {
      wakeUps: taken.map((entry) => entry.wakeUp),
      done: async (count = taken.length) => {
        if (count <= 0 || moved === undefined) return true;
        const last = taken[count - 1];
        const to = count >= taken.length || last === undefined ? moved : { ...last.position, rev: cursor.rev + 1 };
        return this.writeCursor(cursor, to);
      },
    };
  }

  /**
   * The time the earliest pending wake-up can be taken: it reads the cursor and walks at most
   * `horizonMinutes` buckets on from it (a Query with `Limit` 1 per shard and bucket): undefined when nothing falls due within the horizon.
   */
  async next(): Promise<number | undefined> {
    const cursor = await this.readCursor("nextWakeUpAt");
    if (cursor === undefined) return undefined;
    const buckets = Math.ceil((this.config.horizonMinutes * 60_000) / this.width());
    for (let bucket = cursor.bucket; bucket <= cursor.bucket + buckets; bucket++) {
      const after = bucket === cursor.bucket ? cursor.after : {};
      const first = await this.firstKeyIn("nextWakeUpAt", bucket, after, undefined);
      if (first !== undefined) return Date.parse(first.slice(0, 24));
    }
    return undefined;
  }

  /**
   * The earliest sort key of a bucket after `after` (per shard) and up to `upTo`, across its shards: a
   * Query with `Limit` 1 per shard. Undefined when the bucket holds none.
   */
  private async firstKeyIn(
    kind: string,
    bucket: number,
    after: Record<string, string>,
    upTo: number | undefined,
  ): Promise<string | undefined> {
    const firsts = await Promise.all(
      this.shards().map(async (shard) => {
        const output = await this.table.query(kind, { ...this.range(bucket, shard, after[shard], upTo), Limit: 1 });
        const sk = output.Items?.[0]?.sk;
        return typeof sk === "string" ? sk : undefined;
      }),
    );
    return firsts.reduce<string | undefined>(
      (min, sk) => (sk !== undefined && (min === undefined || sk < min) ? sk : min),
      undefined,
    );
  }

  /**
   * How many wake-ups are pending: by a Scan of the timer items at or after the cursor, less those the cursor's positions passed. It reads the whole table: for
   * a local health line, never for the platform on AWS.
   */
  async countPending(): Promise<number> {
    const cursor = await this.readCursor("countPendingWakeUps");
    if (cursor === undefined) return 0;
    const from = keys.timerMinute(this.text(cursor.bucket));
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.table.scan("countPendingWakeUps", {
        FilterExpression: "begins_with(pk, :timer) AND pk >= :from",
        ExpressionAttributeValues: { ":timer": keys.timerPrefix, ":from": from },
        ProjectionExpression: "pk, sk",
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      for (const item of output.Items ?? []) {
        const pk = String(item.pk);
        const shard = pk.slice(pk.lastIndexOf("#") + 1);
        const passed = pk.startsWith(from) && String(item.sk) <= (cursor.after[shard] ?? "");
        if (!passed) count++;
      }
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
    return count;
  }

  /** The table's bucket width (ms): read from its cursor, or this process's until a cursor is read. */
  private width(): number {
    return this.bucketMs ?? this.config.bucketMs;
  }

  /** A bucket's text: its first minute. */
  private text(bucket: number): string {
    return bucketText(bucket, this.width());
  }

  private shards(): number[] {
    return Array.from({ length: this.config.shards }, (_, shard) => shard);
  }

  /**
   * The item of a wake-up. Its sort key starts with the time it may be taken: its due time, or, when that
   * is sooner, `clock + lookaheadMs + settleMs`, past any take running now (see the class comment).
   */
  private itemOf(wakeUp: WakeUp) {
    return this.itemAt(wakeUp, this.takeAtOf(dueTime(wakeUp)));
  }

  /** When a wake-up due at `at` and scheduled now may be taken (see itemOf). */
  private takeAtOf(at: number): number {
    return Math.max(at, this.config.clock() + this.config.lookaheadMs + this.config.settleMs);
  }

  private itemAt(wakeUp: WakeUp, takeAt: number) {
    const bucket = bucketOf(takeAt, this.width());
    const item = {
      pk: timerPartition(bucket, timerShard(wakeUp, this.config.shards), this.width()),
      sk: timerSortKey(wakeUp, takeAt),
      doc: JSON.stringify(wakeUp),
      ttl: Math.ceil(((bucket + 1) * this.width() + this.config.retentionMs) / 1000),
    };
    return { item, bucket, at: takeAt };
  }

  /** The key condition of a shard of a bucket: sort keys after `after`, up to the instant `upTo`. */
  private range(bucket: number, shard: number, after: string | undefined, upTo: number | undefined) {
    // Sort keys are `<instant>#...`: every key of an instant is below `<instant>$`, and `after\0` is the
    // first key after `after`.
    const high = upTo === undefined ? "\uffff" : `${sortableInstant(upTo)}$`;
    return {
      KeyConditionExpression:
        after === undefined ? "pk = :pk AND sk < :high" : "pk = :pk AND sk BETWEEN :low AND :high",
      ExpressionAttributeValues: {
        ":pk": timerPartition(bucket, shard, this.width()),
        ":high": high,
        ...(after === undefined ? {} : { ":low": `${after}\u0000` }),
      },
    };
  }

  /**
   * Reads what is due from the cursor on, up to `limit`, bucket after bucket, and where the cursor goes
   * once it is handed out: past every bucket drained and wholly before `horizon`.
   */
  private async walk(cursor: Cursor, horizon: number, limit: number) {
    const taken: Taken[] = [];
    let bucket = cursor.bucket;
    let after = { ...cursor.after };
    const last = bucketOf(horizon, this.width());
    for (; bucket <= last && taken.length < limit; bucket++) {
      if (Object.keys(after).length === 0 && bucket < last) bucket = await this.firstBusyBucket(bucket, last, horizon);
      const drained = await this.mergeBucket({ bucket, after, horizon, limit: limit - taken.length, taken });
      // A bucket is done once drained and wholly at or before the horizon; later ones start afresh.
      if (!drained || (bucket + 1) * this.width() - 1 > horizon) break;
      after = {};
    }
    const unchanged = bucket === cursor.bucket && JSON.stringify(after) === JSON.stringify(cursor.after);
    return { taken, moved: unchanged ? undefined : { bucket, after, rev: cursor.rev + 1 } };
  }

  /**
   * The first bucket from `from` on, before `last`, holding a wake-up to be taken by `horizon`; `last`
   * when none does. Empty minutes (most of them on a quiet night, after an outage, or on a virtual clock
   * running fast) are probed a few at a time in parallel (a Query with `Limit` 1 per shard and bucket)
   * rather than merged one after another. Every bucket before `last` lies wholly before the horizon, so
   * nothing is written to it any more (see itemOf): one that is empty now stays empty.
   */
  private async firstBusyBucket(from: number, last: number, horizon: number): Promise<number> {
    const perRound = Math.max(1, Math.floor(PROBE_QUERIES / this.config.shards));
    for (let start = from; start < last; start += perRound) {
      const buckets = Array.from({ length: Math.min(perRound, last - start) }, (_, offset) => start + offset);
      const busy = await Promise.all(
        buckets.map(async (bucket) => (await this.firstKeyIn("takeDueWakeUps", bucket, {}, horizon)) !== undefined),
      );
      const index = busy.indexOf(true);
      if (index >= 0) return start + index;
    }
    return last;
  }

  /**
   * Takes up to `limit` wake-ups of one bucket, earliest first across its shards, into `taken`, and moves
   * `after` past them: a merge of the shards' sorted Queries, read a page at a time (about `limit` /
   * shards items each), so that what is read and not taken is at most one page per shard. True when the
   * bucket holds nothing more up to `horizon`.
   */
  private async mergeBucket(merge: {
    bucket: number;
    after: Record<string, string>;
    horizon: number;
    limit: number;
    taken: Taken[];
  }): Promise<boolean> {
    const { bucket, after, horizon, limit, taken } = merge;
    const page = Math.max(1, Math.ceil(limit / this.config.shards));
    // Each shard's range is fixed for the whole merge: later pages go on from the last key read.
    const from = { ...after };
    const high = `${sortableInstant(horizon)}$`;
    const shards = this.shards().map((shard) => ({
      shard,
      items: [] as { sk: string; doc: string }[],
      // Taken past the horizon already (an earlier take, with a later clock): nothing more here for now.
      more: (from[shard] ?? "") < high,
      start: undefined as Record<string, unknown> | undefined,
    }));
    const read = async (state: (typeof shards)[number]) => {
      const output = await this.table.query("takeDueWakeUps", {
        ...this.range(bucket, state.shard, from[state.shard], horizon),
        Limit: page,
        ...(state.start === undefined ? {} : { ExclusiveStartKey: state.start }),
      });
      for (const item of output.Items ?? []) state.items.push({ sk: String(item.sk), doc: String(item.doc) });
      state.start = output.LastEvaluatedKey;
      state.more = state.start !== undefined;
    };
    await Promise.all(shards.filter((state) => state.more).map(read));
    let count = 0;
    while (count < limit) {
      // A shard with more to read and nothing read left may hold the next one: read it first.
      const starved = shards.filter((state) => state.more && state.items.length === 0);
      if (starved.length > 0) {
        await Promise.all(starved.map(read));
        continue;
      }
      let next: (typeof shards)[number] | undefined;
      for (const state of shards) {
        const head = state.items[0];
        if (head !== undefined && (next === undefined || head.sk < (next.items[0]?.sk ?? ""))) next = state;
      }
      const item = next?.items.shift();
      if (next === undefined || item === undefined) break;
      after[next.shard] = item.sk;
      taken.push({ wakeUp: JSON.parse(item.doc) as WakeUp, position: { bucket, after: { ...after } } });
      count++;
    }
    return shards.every((state) => !state.more && state.items.length === 0);
  }

  /**
   * Makes sure the cursor exists before this process's first wake-up (once a process), and learns the
   * table's bucket width from it: one consistent read; when there is no cursor yet, one conditional write
   * creates it, with this process's width, at the bucket of `clock + lookaheadMs`: no process writes a
   * wake-up to be taken before then (see itemOf). It never moves an existing cursor.
   */
  private ensureCursor(): Promise<void> {
    if (this.bucketMs !== undefined) return Promise.resolve();
    // Wake-ups scheduled at once (a campaign's page) share the one read.
    this.cursorReady ??= this.readOrMakeCursor().finally(() => {
      this.cursorReady = undefined;
    });
    return this.cursorReady;
  }

  private async readOrMakeCursor(): Promise<void> {
    if ((await this.readCursor("scheduleWakeUp")) !== undefined) return;
    const width = this.config.bucketMs;
    const start = bucketOf(this.config.clock() + this.config.lookaheadMs, width);
    try {
      await this.table.put("scheduleWakeUp", {
        Item: { ...keys.cursor(), bucket: bucketText(start, width), after: {}, rev: 0, width: width / MINUTE_MS },
        ConditionExpression: "attribute_not_exists(pk)",
      });
      this.bucketMs = width;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await this.readCursor("scheduleWakeUp"); // another process made it first: its width
    }
  }

  private async readCursor(kind: string): Promise<Cursor | undefined> {
    const output = await this.table.get(kind, { Key: keys.cursor(), ConsistentRead: true });
    const item = output.Item;
    if (item === undefined || typeof item.bucket !== "string") return undefined;
    this.bucketMs = (typeof item.width === "number" ? item.width : 1) * MINUTE_MS;
    const after = typeof item.after === "object" && item.after !== null ? (item.after as Record<string, string>) : {};
    return {
      bucket: parseBucket(item.bucket, this.width()),
      after,
      rev: typeof item.rev === "number" ? item.rev : 0,
    };
  }

  /** Moves the cursor if no other tick moved it since it was read; false if one did. */
  private async writeCursor(from: Cursor, to: Cursor): Promise<boolean> {
    try {
      await this.table.put("takeDueWakeUps", {
        Item: {
          ...keys.cursor(),
          bucket: this.text(to.bucket),
          after: to.after,
          rev: to.rev,
          width: this.width() / MINUTE_MS,
        },
        ConditionExpression: "#rev = :rev",
        ExpressionAttributeNames: { "#rev": "rev" },
        ExpressionAttributeValues: { ":rev": from.rev },
      });
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }
}
