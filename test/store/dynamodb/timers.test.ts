import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { WakeUp } from "../../../functions/engine/model.ts";
import { withTimerIndex } from "../../../functions/simulator/timer-index.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { type DynamoDbStoreConfig, keys } from "../../../functions/store/dynamodb/table.ts";
import { freshTable } from "../../setup/dynalite.ts";

const T0 = Date.parse("2026-11-01T10:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const run = (key: string, at: number, seq = 1): WakeUp => ({ kind: "run", journeyId: "j", key, at: iso(at), seq });
const keysOf = (wakeUps: readonly WakeUp[]) => wakeUps.map((w) => w.key);
const byKey = (wakeUps: readonly WakeUp[]) => keysOf(wakeUps).sort();

/**
 * Stores on one fresh table sharing a settable clock (`clock.now`), the platform's set-up by default:
 * a shared table, a 5-minute lookahead, a 1-minute settle. The clock starts at 09:54, so wake-ups due
 * from 10:00 on are written under their own due time, and the cursor starts at 09:59.
 */
async function newStores(config: Partial<DynamoDbStoreConfig> = {}) {
  const { client, tableName } = await freshTable();
  const clock = { now: T0 - 6 * MIN };
  const make = (more: Partial<DynamoDbStoreConfig> = {}) =>
    new DynamoDbStore(client, { tableName, clock: () => clock.now, ...config, ...more });
  const cursor = async () => {
    const item = (await client.send(new GetCommand({ TableName: tableName, Key: keys.cursor() }))).Item;
    return item as { bucket: string; after: Record<string, string>; rev: number } | undefined;
  };
  return { store: make(), make, cursor, clock };
}

describe("DynamoDbStore: timer buckets wider than a minute", () => {
  it("keeps the width a table was made with: a process configured otherwise writes and takes where the tick looks", async () => {
    // Prepare: a table of minute buckets (its cursor made by the first process), then a process configured
    // with hour buckets, as the local platform is after an upgrade, schedules on it too.
    const { make, cursor, clock } = await newStores();
    await make().scheduleWakeUp(run("minute", T0 + 5 * MIN));
    const hourly = make({ timerBucketMinutes: 60 });
    await hourly.scheduleWakeUp(run("hour", T0 + 20 * MIN));
    clock.now = T0 + 30 * MIN;
    // Act
    const taken = await hourly.takeDueWakeUps(clock.now, 10);
    // Assess
    // A minute table's cursor: it stays on minutes (a cursor made before widths were recorded reads as 1).
    expect(keysOf(taken)).toEqual(["minute", "hour"]);
    expect(await cursor()).toMatchObject({ bucket: "2026-11-01T10:30", width: 1 });
  });

  it("takes what is due in an hour bucket a part at a time, and what is written into it later", async () => {
    // Prepare: a table made with hour buckets; wake-ups at 10:05 and 10:40
    const { store, cursor, clock } = await newStores({ timerBucketMinutes: 60, timerShards: 1 });
    await store.scheduleWakeUp(run("a", T0 + 5 * MIN));
    await store.scheduleWakeUp(run("c", T0 + 40 * MIN));
    // Act: a take at 10:10 (horizon 10:15) inside the bucket; one scheduled for 10:30 after it; a take at 10:50
    clock.now = T0 + 10 * MIN;
    const first = await store.takeDueWakeUps(clock.now, 10);
    await store.scheduleWakeUp(run("b", T0 + 30 * MIN));
    clock.now = T0 + 50 * MIN;
    const second = await store.takeDueWakeUps(clock.now, 10);
    // Assess
    expect(keysOf(first)).toEqual(["a"]);
    expect(keysOf(second)).toEqual(["b", "c"]);
    expect(await cursor()).toMatchObject({ bucket: "2026-11-01T10:00", width: 60 });
  });
});

describe("DynamoDbStore: timers", () => {
  it("hands out what is due earliest first across shards, respects the limit, and never hands one out twice", async () => {
    // Prepare: twenty wake-ups in one minute, over many shards, scheduled out of order; one twice.
    const { store, clock } = await newStores();
    const seconds = Array.from({ length: 20 }, (_, i) => (i * 7) % 20);
    for (const s of seconds) await store.scheduleWakeUp(run(`k${String(s).padStart(2, "0")}`, T0 + s * 1000));
    await store.scheduleWakeUp(run("k03", T0 + 3000));
    clock.now = T0 + 59_999;
    // Act
    const first = await store.takeDueWakeUps(T0 + 59_999, 8);
    const rest = await store.takeDueWakeUps(T0 + 59_999, 100);
    const again = await store.takeDueWakeUps(T0 + 59_999, 100);
    // Assess
    const expected = seconds.map((s) => `k${String(s).padStart(2, "0")}`).sort();
    expect(keysOf(first)).toEqual(expected.slice(0, 8));
    expect(keysOf(rest)).toEqual(expected.slice(8));
    expect(again).toEqual([]);
    expect(await store.takeDueWakeUps(T0, 0)).toEqual([]);
    // No deletes: one cursor write per take that moved it; TTL removes the items later, at no cost.
    expect(store.capacity.takeDueWakeUps?.write).toBe(2);
  });

  it("hands out nothing before it is due, and an inactivity timer and a run timer of one key apart", async () => {
    // Prepare
    const { store, clock } = await newStores();
    const inactivity: WakeUp = { kind: "inactivity", journeyId: "j", key: "u1", at: iso(T0 + 45_000) };
    await store.scheduleWakeUp(inactivity);
    await store.scheduleWakeUp(run("u1", T0 + 45_000, 4));
    clock.now = T0 + 30_000;
    // Act
    const early = await store.takeDueWakeUps(T0 + 30_000, 10);
    clock.now = T0 + 45_000;
    const due = await store.takeDueWakeUps(T0 + 45_000, 10);
    // Assess
    expect(early).toEqual([]);
    expect(due).toHaveLength(2);
    expect(due).toEqual(expect.arrayContaining([inactivity, run("u1", T0 + 45_000, 4)]));
  });

  it("never hands out beyond the clock plus the lookahead, whatever `until` asks", async () => {
    // Prepare
    const { store, clock } = await newStores();
    await store.scheduleWakeUp(run("soon", T0 + 4 * MIN));
    await store.scheduleWakeUp(run("later", T0 + 6 * MIN));
    clock.now = T0;
    // Act
    const taken = await store.takeDueWakeUps(T0 + HOUR, 10);
    // Assess
    expect(keysOf(taken)).toEqual(["soon"]);
  });

  it("catches up after downtime minute by minute, never skipping a bucket, the cursor only past drained ones", async () => {
    // Prepare: wake-ups at 10:00, three at 10:05, one at 10:50; the tick then stops until 11:00.
    const { store, make, cursor, clock } = await newStores();
    await store.scheduleWakeUp(run("a", T0 + 10_000));
    for (const key of ["b1", "b2", "b3"]) await store.scheduleWakeUp(run(key, T0 + 5 * MIN + 1000));
    await store.scheduleWakeUp(run("c", T0 + 50 * MIN));
    clock.now = T0 + 30_000;
    const first = await store.takeDueWakeUps(T0 + 30_000, 10);
    const afterFirst = await cursor();
    // Act: a new tick process (nothing in memory) catches up with a small limit, then the rest.
    clock.now = T0 + HOUR;
    const tick = make();
    const limited = await tick.takeDueWakeUps(T0 + HOUR, 2);
    const afterLimited = await cursor();
    const rest = await tick.takeDueWakeUps(T0 + HOUR, 10);
    // Assess
    expect(keysOf(first)).toEqual(["a"]);
    expect(afterFirst?.bucket).toBe("2026-11-01T10:00");
    expect(Object.values(afterFirst?.after ?? {})).toHaveLength(1);
    expect(keysOf(limited)).toEqual(["b1", "b2"]);
    expect(afterLimited?.bucket).toBe("2026-11-01T10:05");
    expect(keysOf(rest)).toEqual(["b3", "c"]);
    expect(await cursor()).toMatchObject({ bucket: "2026-11-01T11:00", after: {}, rev: 3 });
    // Per take a cursor read and write; every shard of every minute walked is queried at least once; empty
    // minutes are probed two at a time (32 Queries), so each busy one found costs at most a round more.
    const use = tick.capacity.takeDueWakeUps;
    expect(use?.write).toBe(2);
    expect(use?.requests).toBeGreaterThanOrEqual(4 + (6 + 56) * 16);
    expect(use?.requests).toBeLessThanOrEqual(4 + (6 + 56) * 16 + 4 * 32);
  });

  it("costs the same to take what is due whether 1,000 or 20,000 other timers are pending", async () => {
    const costs: unknown[] = [];
    for (const pending of [1000, 20_000]) {
      // Prepare: five wake-ups due at 10:00; the others later that minute and over the next 30 days.
      const { store, clock } = await newStores();
      for (let i = 0; i < 5; i++) await store.scheduleWakeUp(run(`due-${i}`, T0 + i * 1000));
      const later = Array.from({ length: pending }, (_, i) =>
        run(`later-${i}`, i % 2 === 0 ? T0 + 30_000 + (i % 29_000) : T0 + MIN + ((i * 7919) % (30 * 1440)) * MIN),
      );
      await store.scheduleWakeUps(later);
      store.resetCapacity();
      clock.now = T0 + 10_000;
      // Act
      const due = await store.takeDueWakeUps(T0 + 10_000, 100);
      // Assess
      expect(keysOf(due)).toEqual(["due-0", "due-1", "due-2", "due-3", "due-4"]);
      costs.push(store.capacity.takeDueWakeUps);
    }
    // A cursor read, one page per shard of the two minutes walked (09:59, 10:00), and one cursor write.
    expect(costs[0]).toMatchObject({ requests: 1 + 2 * 16 + 1, write: 1 });
    expect(costs[1]).toEqual(costs[0]);
  });

  it("lets two ticks run at once without handing out a wake-up twice or losing one", async () => {
    // Prepare
    const { store, make, clock } = await newStores();
    await store.scheduleWakeUps(Array.from({ length: 60 }, (_, i) => run(`k${i}`, T0 + (i % 3) * MIN + i * 100)));
    clock.now = T0 + 5 * MIN;
    const [a, b] = [make(), make()];
    // Act
    const [fromA, fromB] = await Promise.all([
      a.takeDueWakeUps(T0 + 5 * MIN, 100),
      b.takeDueWakeUps(T0 + 5 * MIN, 100),
    ]);
    // Assess
    expect([...byKey(fromA), ...byKey(fromB)].sort()).toEqual(Array.from({ length: 60 }, (_, i) => `k${i}`).sort());
    expect(await store.takeDueWakeUps(T0 + 5 * MIN, 100)).toEqual([]);
  });

  it("never strands a wake-up scheduled due within the lookahead, or in the past, after a tick looked there", async () => {
    // Prepare: a tick at 10:00 looks five minutes ahead; the runtime runs in another process.
    const { store: tick, make, clock } = await newStores();
    const runtime = make();
    await runtime.scheduleWakeUp(run("on-time", T0 + 2 * MIN));
    clock.now = T0;
    const first = await tick.takeDueWakeUps(T0 + 5 * MIN, 100);
    // Act: the runtime schedules one due at 10:03 (within what the tick saw) and one due at 09:58 (an
    // out-of-order event); the tick goes on every minute.
    await runtime.scheduleWakeUp(run("soon", T0 + 3 * MIN));
    await runtime.scheduleWakeUp(run("overdue", T0 - 2 * MIN));
    const byMinute: string[][] = [];
    for (let minute = 1; minute <= 3; minute++) {
      clock.now = T0 + minute * MIN;
      byMinute.push(keysOf(await tick.takeDueWakeUps(clock.now + 5 * MIN, 100)));
    }
    // Assess: both are written where no take has been yet (clock + lookahead + settle: 10:06) and handed
    // on by the tick at 10:01, which sees up to 10:06: "soon" still on time, with its delivery delay.
    expect(keysOf(first)).toEqual(["on-time"]);
    expect(byMinute).toEqual([["overdue", "soon"], [], []]);
  });

  it("answers nextWakeUpAt by a walk bounded by its horizon", async () => {
    // Prepare
    const { store, make, clock } = await newStores();
    await store.scheduleWakeUp(run("a", T0 + 10_000));
    await store.scheduleWakeUp(run("c", T0 + 20 * MIN));
    await store.scheduleWakeUp(run("b", T0 + 5 * MIN + 1500));
    clock.now = T0 + 30_000;
    await store.takeDueWakeUps(T0 + 30_000, 10); // takes a; the cursor stays in 10:00
    const walker = make({ nextWakeUpHorizonMinutes: 10 });
    const shortSighted = make({ nextWakeUpHorizonMinutes: 2 });
    // Act
    const byWalk = await walker.nextWakeUpAt();
    const beyondHorizon = await shortSighted.nextWakeUpAt();
    // Assess
    expect(byWalk).toBe(T0 + 5 * MIN + 1500);
    expect(walker.capacity.nextWakeUpAt?.requests).toBe(1 + 6 * 16);
    expect(beyondHorizon).toBeUndefined();
    expect(shortSighted.capacity.nextWakeUpAt?.requests).toBe(1 + 3 * 16);
  });

  it("with the simulator's timer index: takes from memory without a request, in order, and still writes each", async () => {
    // Prepare: wake-ups a month apart.
    const { store: table } = await newStores();
    const store = withTimerIndex(table);
    for (const day of [30, 0, 14]) await store.scheduleWakeUp(run(`day-${day}`, T0 + day * 1440 * MIN));
    // Act
    const taken: string[] = [];
    for (let next = await store.nextWakeUpAt(); next !== undefined; next = await store.nextWakeUpAt()) {
      taken.push(...keysOf(await store.takeDueWakeUps(next, 10)));
    }
    // Assess: the wake-ups are written (one write each, and the cursor once, after one read of it) and taken from memory.
    expect(taken).toEqual(["day-0", "day-14", "day-30"]);
    expect(store.capacity.takeDueWakeUps).toBeUndefined();
    expect(store.capacity.nextWakeUpAt).toBeUndefined();
    expect(store.capacity.scheduleWakeUp).toMatchObject({ requests: 5, write: 4 });
  });

  it("counts the wake-ups pending: every one scheduled, less those taken (a Scan, for the local health line)", async () => {
    // Prepare: five due in 10:00, three later; the tick takes two, then the rest of 10:00.
    const { store, clock } = await newStores();
    await store.scheduleWakeUps([
      ...Array.from({ length: 5 }, (_, i) => run(`now-${i}`, T0 + i * 1000)),
      ...Array.from({ length: 3 }, (_, i) => run(`later-${i}`, T0 + (i + 2) * HOUR)),
    ]);
    const before = await store.countPendingWakeUps();
    clock.now = T0 + MIN;
    // Act
    await store.takeDueWakeUps(T0 + 59_999, 2);
    const afterTwo = await store.countPendingWakeUps();
    await store.takeDueWakeUps(T0 + 59_999, 100);
    const afterAll = await store.countPendingWakeUps();
    // Assess
    expect([before, afterTwo, afterAll]).toEqual([8, 6, 3]);
  });
});
