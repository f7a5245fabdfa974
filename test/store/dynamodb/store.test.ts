import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { JourneyEffect, Profile, RunRecord } from "../../../functions/engine/model.ts";
import { ConcurrencyError } from "../../../functions/shared/errors.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { encodeJson, recordExpiry, runRecordItem } from "../../../functions/store/dynamodb/records.ts";
import { keys } from "../../../functions/store/dynamodb/table.ts";
import { MemoryStore } from "../../../functions/store/memory/memory-store.ts";
import { shopEvent } from "../../engine/fixtures.ts";
import { freshTable } from "../../setup/dynalite.ts";
import { failure } from "../contract/fixtures.ts";

async function newStore(config: Partial<ConstructorParameters<typeof DynamoDbStore>[1]> = {}) {
  const { client, tableName } = await freshTable();
  return { store: new DynamoDbStore(client, { tableName, ...config }), client, tableName };
}

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-01T00:00:00Z");

function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  const trigger = shopEvent("user.registered", "2026-11-01T00:00:00Z", { userId: "u1" }, "evt-reg");
  return {
    journeyId: "welcome",
    key: "u1",
    entries: 1,
    lastEnteredAt: "2026-11-01T00:00:00Z",
    recentEventIds: ["evt-reg"],
    run: {
      runId: "welcome:u1:1",
      journeyId: "welcome",
      version: 1,
      key: "u1",
      userId: "u1",
      holdout: false,
      status: "active",
      enteredAt: "2026-11-01T00:00:00Z",
      stepId: "wait",
      seq: 2,
      wake: { at: "2026-11-02T00:00:00Z", seq: 2 },
      trigger,
      outputs: {},
    },
    ...overrides,
  };
}

function effect(id: string): JourneyEffect {
  return {
    id,
    at: "2026-11-01T00:00:00Z",
    journey: "welcome",
    version: 1,
    user: "u1",
    run: "r1",
    type: "journey.entered",
  };
}

describe("DynamoDbStore: run records", () => {
  it("saves a new record, reads it back with its revision, and advances it with the revision read", async () => {
    // Prepare
    const { store } = await newStore();
    const record = runRecord();
    // Act
    const first = await store.putRecord(record, undefined);
    const read = await store.getRecord("welcome", "u1");
    const second = await store.putRecord({ ...record, entries: 2 }, first);
    // Assess
    expect(first).toBe(1);
    expect(read).toEqual({ value: record, revision: 1 });
    expect(second).toBe(2);
    expect(await store.getRecord("welcome", "u1")).toEqual({ value: { ...record, entries: 2 }, revision: 2 });
    expect(await store.getRecord("welcome", "nobody")).toBeUndefined();
  });

  it("refuses a stale revision, and a create over an existing record, with ConcurrencyError", async () => {
    // Prepare
    const { store } = await newStore();
    await store.putRecord(runRecord(), undefined);
    // Act: all three at once, each caught as it fails (awaiting one while another fails unwatched is an
    // unhandled rejection).
    const [create, stale, missing] = await Promise.all([
      failure(store.putRecord(runRecord(), undefined)),
      failure(store.putRecord(runRecord(), 7)),
      failure(store.putRecord(runRecord({ key: "u2" }), 1)),
    ]);
    // Assess
    expect(create).toBeInstanceOf(ConcurrencyError);
    expect(stale).toBeInstanceOf(ConcurrencyError);
    expect(missing).toBeInstanceOf(ConcurrencyError);
    expect(stale).toHaveProperty("cause.name", "ConditionalCheckFailedException");
  });

  it("lets exactly one of two writers of the same revision win; the other gets ConcurrencyError", async () => {
    // Prepare
    const { store } = await newStore();
    const revision = await store.putRecord(runRecord(), undefined);
    // Act
    const results = await Promise.allSettled([
      store.putRecord(runRecord({ entries: 10 }), revision),
      store.putRecord(runRecord({ entries: 20 }), revision),
    ]);
    // Assess
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    const stored = await store.getRecord("welcome", "u1");
    expect(stored?.revision).toBe(2);
    expect([10, 20]).toContain(stored?.value.entries);
  });

  it("sets a TTL only on finished records: retention after the end or after an open goal window", async () => {
    // Prepare
    const retention = 400 * DAY;
    const active = runRecord();
    const ended = runRecord({
      run: { ...(active.run as NonNullable<RunRecord["run"]>), status: "ended", endedAt: "2026-11-03T00:00:00Z" },
    });
    const openGoal = runRecord({
      run: { ...(ended.run as NonNullable<RunRecord["run"]>), goal: { until: "2026-11-10T00:00:00Z" } },
    });
    const converted = runRecord({
      run: {
        ...(ended.run as NonNullable<RunRecord["run"]>),
        goal: { until: "2026-11-10T00:00:00Z", convertedAt: "2026-11-02T00:00:00Z" },
      },
    });
    const clock = { since: "2026-11-01T00:00:00Z", dueAt: "2026-12-01T00:00:00Z", lastEvent: active.run?.trigger };
    const dormant = { ...ended, inactivity: clock } as RunRecord;
    const { store, client, tableName } = await newStore({ clock: () => NOW });
    // Act
    await store.putRecord(openGoal, undefined);
    const item = await client.send(new GetCommand({ TableName: tableName, Key: keys.run("welcome", "u1") }));
    // Assess
    const seconds = (iso: string) => Math.ceil((Date.parse(iso) + retention) / 1000);
    expect(recordExpiry(active, retention, NOW)).toBeUndefined();
    expect(recordExpiry(dormant, retention, NOW)).toBeUndefined();
    expect(recordExpiry(ended, retention, NOW)).toBe(seconds("2026-11-03T00:00:00Z"));
    expect(recordExpiry(openGoal, retention, NOW)).toBe(seconds("2026-11-10T00:00:00Z"));
    expect(recordExpiry(converted, retention, NOW)).toBe(seconds("2026-11-03T00:00:00Z"));
    expect(recordExpiry(ended, retention, Date.parse("2027-01-01T00:00:00Z"))).toBe(seconds("2027-01-01T00:00:00Z"));
    expect(item.Item).toMatchObject({ rev: 1, mv: 1, ttl: seconds("2026-11-10T00:00:00Z") });
  });
});

describe("DynamoDbStore: outbox", () => {
  const outbox = { effects: [effect("welcome:u1:1:1:entered")], events: [] };

  it("deflates a record's outbox with it, in one attribute, reads it back as saved, and the next save replaces it", async () => {
    // Prepare: a record with its outbox, saved at revision 1.
    const { store, client, tableName } = await newStore();
    const first = await store.putRecord(runRecord({ pending: outbox }), undefined);
    const item = (await client.send(new GetCommand({ TableName: tableName, Key: keys.run("welcome", "u1") }))).Item;
    const read = await store.getRecord("welcome", "u1", { consistent: true });
    // Act: the next decision saves revision 2, with no outbox of its own.
    const second = await store.putRecord(runRecord({ entries: 2 }), first);
    const after = await store.getRecord("welcome", "u1", { consistent: true });
    // Assess
    expect(Object.keys(item ?? {}).sort()).toEqual(["mv", "pk", "rev", "sk", "z1doc"]);
    expect(read?.value.pending).toEqual(outbox);
    expect(second).toBe(2);
    expect(after?.value.pending).toBeUndefined();
  });

  it("reads an outbox saved apart from its record, as records were saved before", async () => {
    // Prepare: an item written the old way: the record in `doc`, its outbox in `out`.
    const { store, client, tableName } = await newStore();
    const { pending: _, ...record } = runRecord({ pending: outbox });
    const item = { ...runRecordItem(keys.run("welcome", "u1"), record, 1), ...encodeJson("out", outbox) };
    await client.send(new PutCommand({ TableName: tableName, Item: item }));
    // Act
    const read = await store.getRecord("welcome", "u1", { consistent: true });
    // Assess
    expect(read?.value.pending).toEqual(outbox);
    expect(read?.revision).toBe(1);
  });

  it("proves outboxes handed on by their batch's proof: not before it is written, and past the retention", async () => {
    // Prepare: a clock on 2026-11-01; an outbox of that day and one of 100 days before (journal kept 90).
    const now = Date.parse("2026-11-01T10:00:00Z");
    const { store } = await newStore({ clock: () => now });
    const today = { proof: "welcome:u1:1:1:entered", id: "welcome:u1:1:1:entered", at: "2026-11-01T09:00:00Z" };
    const other = { ...today, id: "welcome:u2:1:1:entered" };
    const old = { ...today, id: "welcome:u3:1:1:entered", at: new Date(now - 100 * 86_400_000).toISOString() };
    // Act
    const before = await store.isHandedOn(today);
    await store.proveHandedOn(today.proof, [today.id]);
    await store.proveHandedOn(today.proof, [other.id]);
    // Assess: two writers of one batch key lose nothing; an outbox of no proof is not proven.
    expect([before, await store.isHandedOn(today), await store.isHandedOn(other)]).toEqual([false, true, true]);
    expect(await store.isHandedOn({ ...today, id: "welcome:u4:1:1:entered" })).toBe(false);
    expect(await store.isHandedOn(old)).toBe(true);
  });

  it("reads a user's runs from the user's item and from the index items written before it kept them", async () => {
    // Prepare: a run indexed as an item of its own (as before), one of them also on the user's item.
    const { store, client, tableName } = await newStore();
    for (const key of ["o-1", "o-2"])
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.userRun("u1", "review", key), journeyId: "review", key, ttl: 4_000_000_000 },
        }),
      );
    await store.putUser(
      "u1",
      {
        runs: [
          { journeyId: "review", key: "o-2" },
          { journeyId: "nudge", key: "c-1" },
        ],
      },
      undefined,
    );
    // Act
    const runs = await store.userRuns("u1");
    // Assess: each once, the user's item first.
    expect(runs).toEqual([
      { journeyId: "review", key: "o-2" },
      { journeyId: "nudge", key: "c-1" },
      { journeyId: "review", key: "o-1" },
    ]);
    expect(await store.userRuns("u9")).toEqual([]);
  });
});

describe("DynamoDbStore: due wake-ups", () => {
  const wake = (seq: number, at: string) => ({ kind: "run" as const, journeyId: "welcome", key: "u1", at, seq });

  it("leaves what a tick read due until it says it handed it on, so a tick that dies strands nothing", async () => {
    // Prepare: a shared table on a clock at 10:00; three wake-ups due by 10:10; then the clock at 10:10.
    let now = Date.parse("2026-11-01T10:00:00Z");
    const { store } = await newStore({ clock: () => now });
    const wakeUps = [wake(1, "2026-11-01T10:06:00Z"), wake(2, "2026-11-01T10:07:00Z"), wake(3, "2026-11-01T10:08:00Z")];
    for (const wakeUp of wakeUps) await store.scheduleWakeUp(wakeUp);
    now = Date.parse("2026-11-01T10:10:00Z");
    const until = now;
    const tickStore = { store };
    // Act: one tick reads and dies; the next reads the same, hands on two and says so; a third reads.
    const died = await tickStore.store.dueWakeUps(until, 10);
    const next = await tickStore.store.dueWakeUps(until, 10);
    const taken = await next.done(2);
    const last = await tickStore.store.dueWakeUps(until, 10);
    // Assess
    expect(died.wakeUps).toEqual(wakeUps);
    expect(next.wakeUps).toEqual(wakeUps);
    expect(taken).toBe(true);
    expect(last.wakeUps).toEqual(wakeUps.slice(2));
    expect(await died.done()).toBe(false); // the cursor moved since it read: another tick took them
  });
});

describe("DynamoDbStore: values", () => {
  it("stores a small value as plain JSON and a large one deflated, reading both back alike", async () => {
    // Prepare
    const { store, client, tableName } = await newStore();
    const small: Profile = {
      userId: "u9",
      attributes: {},
      consent: {},
      orderCount: 0,
      totalSpent: 0,
      recentEventIds: [],
    };
    const large: Profile = { ...small, userId: "u8", attributes: { note: "x".repeat(3000) } };
    // Act
    await store.putUser(small.userId, { profile: small }, undefined);
    await store.putUser(large.userId, { profile: large }, undefined);
    const raw = async (userId: string) =>
      (await client.send(new GetCommand({ TableName: tableName, Key: keys.user(userId) }))).Item ?? {};
    // Assess
    expect(typeof (await raw("u9")).doc).toBe("string");
    expect((await raw("u8")).z1doc).toBeInstanceOf(Uint8Array);
    expect(((await raw("u8")).z1doc as Uint8Array).length).toBeLessThan(200);
    expect((await store.getProfile("u9"))?.value).toEqual(small);
    expect((await store.getProfile("u8"))?.value).toEqual(large);
  });
});

describe("DynamoDbStore: profiles", () => {
  const profile: Profile = {
    userId: "u1",
    attributes: { tier: "gold" },
    consent: { "*": { subscribed: true, at: "2026-11-01T00:00:00Z" } },
    orderCount: 2,
    totalSpent: 120.5,
    recentEventIds: ["e1"],
  };

  it("saves and advances a profile with revisions, refusing a stale one", async () => {
    // Prepare
    const { store } = await newStore();
    // Act
    await store.putUser("u1", { profile }, undefined);
    await store.putUser("u1", { profile: { ...profile, orderCount: 3 } }, 1);
    const stale = store.putUser("u1", { profile: { ...profile, orderCount: 9 } }, 1);
    // Assess
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.getProfile("u1")).toEqual({ value: { ...profile, orderCount: 3 }, revision: 2 });
    expect(await store.getProfile("u2")).toBeUndefined();
  });
});

describe("DynamoDbStore: effect ledger (the deliver side's)", () => {
  it("claims an effect id once: true the first time, false for every repeat, also when racing", async () => {
    // Prepare
    const { store } = await newStore({ clock: () => NOW });
    // Act
    const first = await store.claimEffect(effect("run-1:1:entered"));
    const again = await store.claimEffect(effect("run-1:1:entered"));
    const race = await Promise.all(Array.from({ length: 5 }, () => store.claimEffect(effect("run-1:2:sent"))));
    // Assess
    expect(first).toBe(true);
    expect(again).toBe(false);
    expect(race.filter(Boolean)).toHaveLength(1);
    expect(store.capacity.claimEffect).toMatchObject({ requests: 7, conditionFailures: 5 });
  });
});

describe("DynamoDbStore: coupon redemptions", () => {
  const redemption = {
    couponId: "cpn.new-user-coupon.1.issue-welcome-coupon.k3x9",
    userId: "u1",
    orderId: "SO-1",
    redeemedAt: "2026-11-03T00:00:00Z",
  };

  it("keeps a coupon's redemption once, as the in-memory store does, also when racing", async () => {
    // Prepare
    const { store } = await newStore();
    const memory = new MemoryStore();
    // Act
    const first = [await store.recordRedemption(redemption), await memory.recordRedemption(redemption)];
    const again = [await store.recordRedemption(redemption), await memory.recordRedemption(redemption)];
    const other = { ...redemption, couponId: "cpn.new-user-coupon.1.issue-welcome-coupon.a1b2" };
    const race = await Promise.all(Array.from({ length: 4 }, () => store.recordRedemption(other)));
    // Assess
    expect(first).toEqual([true, true]);
    expect(again).toEqual([false, false]);
    expect(race.filter(Boolean)).toHaveLength(1);
    expect(store.capacity.recordRedemption).toMatchObject({ requests: 6, conditionFailures: 4 });
  });

  it("keeps the redemption for the retention after it", async () => {
    // Prepare
    const { store, client, tableName } = await newStore({ retentionDays: 10 });
    // Act
    await store.recordRedemption(redemption);
    const item = await client.send(new GetCommand({ TableName: tableName, Key: keys.coupon(redemption.couponId) }));
    // Assess
    expect(item.Item).toMatchObject({ userId: "u1", orderId: "SO-1", redeemedAt: redemption.redeemedAt });
    expect(item.Item?.ttl).toBe(Math.ceil((Date.parse(redemption.redeemedAt) + 10 * DAY) / 1000));
  });
});

describe("DynamoDbStore: statistics", () => {
  it("adds counters over shards and reads back the sums per day, version and name", async () => {
    // Prepare
    let draw = 0;
    const { store } = await newStore({ random: () => (draw++ % 8) / 8 });
    const counter = (day: string, name: string, amount: number, version = 1) => ({
      journeyId: "welcome",
      version,
      day,
      name,
      amount,
    });
    // Act
    for (let i = 0; i < 10; i++) await store.addStats([counter("2026-11-01", "entered", 1)]);
    await store.addStats([counter("2026-11-01", "coupon.value", 5.5), counter("2026-11-02", "coupon.value", 4.5)]);
    await store.addStats([counter("2026-11-02", "entered", 2, 2), counter("2026-11-05", "entered", 1)]);
    await store.addStats([{ ...counter("2026-11-01", "entered", 1), journeyId: "other" }]);
    const stats = await store.readStats("welcome", "2026-11-01", "2026-11-02");
    // Assess
    expect(stats).toEqual([
      counter("2026-11-01", "coupon.value", 5.5),
      counter("2026-11-01", "entered", 10),
      counter("2026-11-02", "coupon.value", 4.5),
      counter("2026-11-02", "entered", 2, 2),
    ]);
    expect(store.capacity.readStats?.requests).toBe(2 * 8);
  });

  it("writes one item per journey, version and day a call has counters for, whatever their number", async () => {
    // Prepare
    const { store } = await newStore();
    const names = ["entered", "message.sent", "message.sent.push", "coupon.issued", "coupon.value"];
    // Act
    await store.addStats([
      ...names.map((name) => ({ journeyId: "welcome", version: 1, day: "2026-11-01", name, amount: 1 })),
      ...names.map((name) => ({ journeyId: "welcome", version: 1, day: "2026-11-01", name, amount: 2 })),
      { journeyId: "welcome", version: 2, day: "2026-11-01", name: "entered", amount: 1 },
    ]);
    // Assess
    expect(store.capacity.addStats).toMatchObject({ requests: 2, write: 2 });
    const stats = await store.readStats("welcome", "2026-11-01", "2026-11-01");
    expect(stats.filter((c) => c.version === 1).map((c) => [c.name, c.amount])).toEqual(
      [...names].sort().map((name) => [name, 3]),
    );
  });
});
