import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { WakeUp } from "../../../functions/engine/model.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { type DynamoDbStoreConfig, keys } from "../../../functions/store/dynamodb/table.ts";
import { freshTable } from "../../setup/dynalite.ts";

async function newStores(config: Partial<DynamoDbStoreConfig> = {}) {
  const { client, tableName } = await freshTable();
  const make = (more: Partial<DynamoDbStoreConfig> = {}) =>
    new DynamoDbStore(client, { tableName, ...config, ...more });
  const cursor = async () =>
    (await client.send(new GetCommand({ TableName: tableName, Key: keys.cursor() }))).Item?.bucket as
      | string
      | undefined;
  return { store: make(), make, cursor };
}

const T0 = Date.parse("2026-11-01T10:00:00Z");
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const run = (key: string, at: number, seq = 1): WakeUp => ({ kind: "run", journeyId: "j", key, at: iso(at), seq });
const keysOf = (wakeUps: readonly WakeUp[]) => wakeUps.map((w) => w.key);

describe("DynamoDbStore: timers", () => {
  it("hands out what is due earliest first across shards, respects the limit, and never hands one out twice", async () => {
    // Prepare: twenty wake-ups in one minute, over many shards, scheduled out of order; one twice.
    const { store } = await newStores();
    const seconds = Array.from({ length: 20 }, (_, i) => (i * 7) % 20);
    for (const s of seconds) await store.scheduleWakeUp(run(`k${String(s).padStart(2, "0")}`, T0 + s * 1000));
    await store.scheduleWakeUp(run("k03", T0 + 3000));
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
  });

  it("hands out nothing before it is due, and an inactivity timer and a run timer of one key apart", async () => {
    // Prepare
    const { store } = await newStores();
    const inactivity: WakeUp = { kind: "inactivity", journeyId: "j", key: "u1", at: iso(T0 + 45_000) };
    await store.scheduleWakeUp(inactivity);
    await store.scheduleWakeUp(run("u1", T0 + 45_000, 4));
    // Act
    const early = await store.takeDueWakeUps(T0 + 30_000, 10);
    const due = await store.takeDueWakeUps(T0 + 45_000, 10);
    // Assess
    expect(early).toEqual([]);
    expect(due).toEqual([inactivity, run("u1", T0 + 45_000, 4)]);
  });

  it("catches up after downtime minute by minute, never skipping a bucket, the cursor only past drained ones", async () => {
    // Prepare: wake-ups at 10:00, three at 10:05, one at 10:50; the tick then stops until 11:00.
    const { store, make, cursor } = await newStores();
    await store.scheduleWakeUp(run("a", T0 + 10_000));
    for (const key of ["b1", "b2", "b3"]) await store.scheduleWakeUp(run(key, T0 + 5 * MIN + 1000));
    await store.scheduleWakeUp(run("c", T0 + 50 * MIN));
    const first = await store.takeDueWakeUps(T0 + 30_000, 10);
    const afterFirst = await cursor();
    // Act: a new tick process (nothing in memory) catches up with a small limit, then the rest.
    const tick = make();
    const limited = await tick.takeDueWakeUps(T0 + 60 * MIN, 2);
    const afterLimited = await cursor();
    const rest = await tick.takeDueWakeUps(T0 + 60 * MIN, 10);
    // Assess
    expect(keysOf(first)).toEqual(["a"]);
    expect(afterFirst).toBe("2026-11-01T10:00");
    expect(keysOf(limited)).toEqual(["b1", "b2"]);
    expect(afterLimited).toBe("2026-11-01T10:05");
    expect(keysOf(rest)).toEqual(["b3", "c"]);
    expect(await cursor()).toBe("2026-11-01T11:00");
    // Per call a cursor read and a cursor write; 16 Queries a minute walked: 10:00-10:05, then 10:05-11:00.
    const queries = (6 + 56) * 16;
    expect(tick.capacity.takeDueWakeUps?.requests).toBe(2 + queries + 4 /* deletes */ + 2);
  });

  it("costs the same to take what is due whether 1,000 or 20,000 other timers are pending", async () => {
    const costs: unknown[] = [];
    for (const pending of [1000, 20_000]) {
      // Prepare: five wake-ups due at 10:00; the others later that minute and over the next 30 days.
      const { store } = await newStores();
      for (let i = 0; i < 5; i++) await store.scheduleWakeUp(run(`due-${i}`, T0 + i * 1000));
      const later = Array.from({ length: pending }, (_, i) =>
        run(`later-${i}`, i % 2 === 0 ? T0 + 30_000 + (i % 29_000) : T0 + MIN + ((i * 7919) % (30 * 1440)) * MIN),
      );
      await store.scheduleWakeUps(later);
      store.resetCapacity();
      // Act
      const due = await store.takeDueWakeUps(T0 + 10_000, 100);
      // Assess
      expect(keysOf(due)).toEqual(["due-0", "due-1", "due-2", "due-3", "due-4"]);
      costs.push(store.capacity.takeDueWakeUps);
    }
    // A cursor read, 16 Queries (one minute), five deletes; the cursor stays in the minute: no write.
    expect(costs[0]).toMatchObject({ requests: 1 + 16 + 5, write: 5 });
    expect(costs[1]).toEqual(costs[0]);
  });

  it("lets two ticks run at once without handing out a wake-up twice or losing one", async () => {
    // Prepare
    const { store, make } = await newStores();
    await store.scheduleWakeUps(Array.from({ length: 60 }, (_, i) => run(`k${i}`, T0 + (i % 3) * MIN + i * 100)));
    const [a, b] = [make(), make()];
    // Act
    const [fromA, fromB] = await Promise.all([
      a.takeDueWakeUps(T0 + 5 * MIN, 100),
      b.takeDueWakeUps(T0 + 5 * MIN, 100),
    ]);
    // Assess
    const all = [...keysOf(fromA), ...keysOf(fromB)].sort();
    expect(all).toEqual(Array.from({ length: 60 }, (_, i) => `k${i}`).sort());
    expect(await store.takeDueWakeUps(T0 + 5 * MIN, 100)).toEqual([]);
  });

  it("never strands a wake-up due in a minute the cursor has passed, whoever schedules it", async () => {
    // Prepare: the tick lags a minute behind the clock; the runtime runs in another process.
    let now = T0 + 30_000;
    const { store: tick, make, cursor } = await newStores({ settleMs: MIN, clock: () => now });
    const runtime = make();
    await runtime.scheduleWakeUp(run("on-time", T0 + 2 * MIN));
    now = T0 + 10 * MIN + 30_000;
    const first = await tick.takeDueWakeUps(now, 100);
    const afterTick = await cursor();
    // Act: the runtime, which last saw the cursor at 10:02, schedules a wake-up due at 10:02:05 (an
    // out-of-order event); the tick's process one due at 10:03; a process that never saw the cursor one
    // due at 10:04, without a lag configured.
    await runtime.scheduleWakeUp(run("late", T0 + 2 * MIN + 5000));
    await tick.scheduleWakeUp(run("later", T0 + 3 * MIN));
    await make({ settleMs: undefined }).scheduleWakeUp(run("latest", T0 + 4 * MIN));
    now += MIN;
    const next = await tick.takeDueWakeUps(now, 100);
    // Assess
    expect(keysOf(first)).toEqual(["on-time"]);
    expect(afterTick).toBe("2026-11-01T10:09");
    expect(keysOf(next)).toEqual(["late", "later", "latest"]);
  });

  it("answers nextWakeUpAt from memory with a private table, and by a bounded walk with a shared one", async () => {
    // Prepare
    const { store: simulator, make } = await newStores({ privateTable: true });
    await simulator.scheduleWakeUp(run("a", T0 + 10_000));
    await simulator.scheduleWakeUp(run("c", T0 + 20 * MIN));
    await simulator.scheduleWakeUp(run("b", T0 + 5 * MIN + 1500));
    await simulator.takeDueWakeUps(T0 + 30_000, 10); // takes a; the cursor stays at 10:00
    const shared = make({ privateTable: false, nextWakeUpHorizonMinutes: 10 });
    const shortSighted = make({ privateTable: false, nextWakeUpHorizonMinutes: 2 });
    // Act
    const fromMemory = await simulator.nextWakeUpAt();
    const byWalk = await shared.nextWakeUpAt();
    const beyondHorizon = await shortSighted.nextWakeUpAt();
    // Assess
    expect(fromMemory).toBe(T0 + 5 * MIN + 1500);
    expect(simulator.capacity.nextWakeUpAt).toBeUndefined();
    expect(byWalk).toBe(T0 + 5 * MIN + 1500);
    expect(shared.capacity.nextWakeUpAt?.requests).toBe(1 + 6 * 16);
    expect(beyondHorizon).toBeUndefined();
    expect(shortSighted.capacity.nextWakeUpAt?.requests).toBe(1 + 3 * 16);
  });

  it("jumps over minutes it knows to be empty with a private table, and still hands out everything in order", async () => {
    // Prepare: wake-ups a month apart.
    const { store } = await newStores({ privateTable: true });
    for (const day of [30, 0, 14]) await store.scheduleWakeUp(run(`day-${day}`, T0 + day * 1440 * MIN));
    // Act
    const taken: string[] = [];
    for (let next = await store.nextWakeUpAt(); next !== undefined; next = await store.nextWakeUpAt()) {
      taken.push(...keysOf(await store.takeDueWakeUps(next, 10)));
    }
    // Assess
    expect(taken).toEqual(["day-0", "day-14", "day-30"]);
    // Per take a cursor read, one minute's 16 Queries and a delete, and a cursor write for the two jumps;
    // walking every minute of the month would take 43,201 x 16 Queries.
    expect(store.capacity.takeDueWakeUps?.requests).toBe(3 * (1 + 16 + 1) + 2);
  });
});
