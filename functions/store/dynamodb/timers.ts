import type { WakeUp } from "../../engine/model.ts";
import type { DueWakeUps } from "../../runtime/ports.ts";
import { WakeUpLender } from "../../runtime/wake-up-lender.ts";
import { hash53 } from "../../shared/hash.ts";
import { StoreError } from "./errors.ts";
import { keys } from "./table.ts";

/**
 * Timer keys. A wake-up lives in the bucket of the UTC minute it falls due, in one of N shards chosen by
 * a stable hash of its (journey, key): pk `TIMER#<YYYY-MM-DDTHH:MM>#<shard>`, sk `<at>#<journey>#<key>#<seq
 * or "inactivity">` with `at` in the fixed-width ISO form (milliseconds always written) so that the sort
 * key orders by due time. Buckets are numbered by minute since the epoch.
 */

export const MINUTE_MS = 60_000;

export const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS);

/** `2026-11-25T08:00` for the minute number. */
export const minuteText = (minute: number) => new Date(minute * MINUTE_MS).toISOString().slice(0, 16);

export function parseMinute(text: string): number {
  const ms = Date.parse(`${text}:00Z`);
  if (Number.isNaN(ms)) throw new StoreError(`not a timer bucket: ${JSON.stringify(text)}`);
  return minuteOf(ms);
}

/** The fixed-width sort form of an instant: `2026-11-25T08:00:00.000Z`. */
export const sortableInstant = (ms: number) => new Date(ms).toISOString();

export function dueTime(wakeUp: WakeUp): number {
  const ms = Date.parse(wakeUp.at);
  if (Number.isNaN(ms)) throw new StoreError(`wake-up ${wakeUpId(wakeUp)}: not an instant: ${wakeUp.at}`);
  return ms;
}

export const timerShard = (wakeUp: WakeUp, shards: number) => hash53(`${wakeUp.journeyId}\u0000${wakeUp.key}`) % shards;

export const timerSortKey = (wakeUp: WakeUp, at: number) =>
  `${sortableInstant(at)}#${wakeUp.journeyId}#${wakeUp.key}#${wakeUp.kind === "run" ? wakeUp.seq : "inactivity"}`;

export const timerPartition = (minute: number, shard: number) => keys.timerBucket(minuteText(minute), shard);

/** A wake-up's identity, as the in-memory store has it: wake-ups due together are taken in this order. */
export const wakeUpId = (w: WakeUp) =>
  w.kind === "run" ? `run|${w.journeyId}|${w.key}|${w.at}|${w.seq}` : `inactivity|${w.journeyId}|${w.key}|${w.at}`;

/** One wake-up as the in-process index keeps it: the bucket it was written to, its due time and id. */
export interface IndexEntry {
  bucket: number;
  at: number;
  id: string;
  wakeUp: WakeUp;
}

const before = (a: IndexEntry, b: IndexEntry) =>
  a.bucket < b.bucket || (a.bucket === b.bucket && (a.at < b.at || (a.at === b.at && a.id < b.id)));

/**
 * What this process knows of the pending wake-ups: those it scheduled and has not seen taken, in a
 * binary min-heap by (bucket, due time, id) with lazy deletion. Past its size limit it forgets everything
 * and stays empty (`complete` false): the wheel then walks the table, as with a shared one.
 */
export class LocalTimerIndex {
  private readonly entries = new Map<string, IndexEntry>();
  private heap: IndexEntry[] = [];
  private overflowed = false;
  /** Entries lent by `lend` and not yet taken by its `done`. */
  private readonly lender = new WakeUpLender<IndexEntry>((entry) => this.add(entry));

  constructor(private readonly limit = 2_000_000) {}

  /** Whether every wake-up this process scheduled and has not seen taken is here. */
  get complete(): boolean {
    return !this.overflowed;
  }

  get size(): number {
    return this.entries.size + this.lender.size;
  }

  add(entry: IndexEntry): void {
    if (this.overflowed) return;
    const known = this.entries.get(entry.id);
    if (known !== undefined && known.bucket === entry.bucket) return;
    if (this.entries.size >= this.limit) {
      this.overflowed = true;
      this.entries.clear();
      this.heap = [];
      return;
    }
    this.entries.set(entry.id, entry);
    this.push(entry);
  }

  remove(id: string): void {
    this.entries.delete(id);
    if (this.heap.length > 1024 && this.heap.length > 2 * this.entries.size) this.rebuild();
  }

  /** The earliest entry (by bucket, then due time). */
  first(): IndexEntry | undefined {
    if (this.lender.size > 0) this.lender.returnLent();
    for (let top = this.heap[0]; top !== undefined; top = this.heap[0]) {
      if (this.entries.get(top.id) === top) return top;
      this.pop();
    }
    return undefined;
  }

  /**
   * Lends up to `limit` entries due at or before `until`, earliest first: `done(count)` takes the first
   * `count` off the index; the next lend, or `first`, puts back what a lease did not take.
   */
  lend(until: number, limit: number): DueWakeUps {
    this.lender.returnLent();
    const lent: IndexEntry[] = [];
    for (let top = this.first(); top !== undefined && top.at <= until && lent.length < limit; top = this.first()) {
      this.entries.delete(top.id);
      this.pop();
      lent.push(top);
    }
    return this.lender.lend(lent);
  }

  private rebuild(): void {
    this.heap = [];
    for (const entry of this.entries.values()) this.push(entry);
  }

  private push(entry: IndexEntry): void {
    const heap = this.heap;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      const [p, c] = [heap[parent], heap[i]];
      if (p === undefined || c === undefined || !before(c, p)) break;
      [heap[parent], heap[i]] = [c, p];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let smallest = i;
      const [li, ri] = [heap[l], heap[r]];
      if (li !== undefined && before(li, heap[smallest] as IndexEntry)) smallest = l;
      if (ri !== undefined && before(ri, heap[smallest] as IndexEntry)) smallest = r;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as IndexEntry, heap[i] as IndexEntry];
      i = smallest;
    }
  }
}
