import { describe, expect, it } from "vitest";
import type { WakeUp } from "../../../functions/engine/model.ts";
import { tick } from "../../../functions/runtime/tick-engine.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { runWakeUp } from "../../engine/fixtures.ts";
import { freshTable } from "../../setup/dynalite.ts";

const T0 = Date.parse("2026-11-01T10:00:00Z");
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const run = runWakeUp;

describe("tick on DynamoDbStore", () => {
  it("after hours of downtime hands on every due wake-up once, in due order, skipping no bucket", async () => {
    // Prepare: the platform's set-up (shared table, one clock); the runtime, in another process, scheduled
    // 163 wake-ups spread over the next hours and beyond (12 of them in one minute, over the shards), out
    // of order; the tick ran at 10:00:30, then stopped for four hours.
    const { client, tableName } = await freshTable();
    let now = T0 - 6 * MIN;
    const make = () => new DynamoDbStore(client, { tableName, clock: () => now });
    const runtime = make();
    const ticker = make();
    await runtime.scheduleWakeUp(run("first", T0 + 10 * SEC));
    const dueTimes = Array.from({ length: 150 }, (_, i) => T0 + 1 * MIN + ((i * 97) % 150) * 104 * SEC);
    const sameMinute = Array.from({ length: 12 }, (_, i) => T0 + 2 * HOUR + 30 * SEC + i * 100);
    const wakeUps = [...dueTimes, ...sameMinute].map((at) => run(`k${at - T0}`, at));
    for (const wakeUp of wakeUps) await runtime.scheduleWakeUp(wakeUp);
    now = T0 + 30 * SEC;
    const before: string[] = [];
    const beforeReport = await tick({
      timers: ticker,
      now: T0 + 30 * SEC,
      lookaheadMs: 0,
      handOn: async (batch) => {
        before.push(...batch.map((b) => b.wakeUp.key));
      },
    });
    now = T0 + 4 * HOUR;
    const handed: { wakeUp: WakeUp; delaySeconds: number }[] = [];
    const batchSizes: number[] = [];
    const handOn = async (batch: { wakeUp: WakeUp; delaySeconds: number }[]) => {
      handed.push(...batch);
      batchSizes.push(batch.length);
    };
    // Act: one tick after the downtime, then another at the same time.
    const report = await tick({ timers: make(), now, handOn });
    const countAfterFirst = handed.length;
    const again = await tick({ timers: make(), now, handOn });
    // Assess
    expect(before).toEqual(["first"]);
    expect(beforeReport.handedOn).toBe(1);
    const until = now + 5 * MIN;
    const expected = wakeUps
      .filter((w) => Date.parse(w.at) <= until)
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
      .map((w) => w.key);
    expect(expected.length).toBeGreaterThan(130);
    expect(handed.map((h) => h.wakeUp.key)).toEqual(expected);
    expect(new Set(expected).size).toBe(expected.length);
    expect(batchSizes.every((size) => size >= 1 && size <= 10)).toBe(true);
    for (const { wakeUp, delaySeconds } of handed)
      expect(delaySeconds).toBe(Math.max(0, Math.ceil((Date.parse(wakeUp.at) - now) / 1000)));
    expect(handed.some((h) => h.delaySeconds > 0)).toBe(true);
    const late = handed.filter((h) => Date.parse(h.wakeUp.at) < now);
    expect(report).toEqual({
      handedOn: expected.length,
      batches: batchSizes.length,
      late: late.length,
      maxLatenessMs: now - Date.parse(late[0]?.wakeUp.at ?? ""),
    });
    expect(countAfterFirst).toBe(expected.length);
    expect(again).toEqual({ handedOn: 0, batches: 0, late: 0, maxLatenessMs: 0 });
    // What was beyond the lookahead is still there for a later tick.
    now = T0 + 5 * HOUR;
    const later = await make().takeDueWakeUps(T0 + 5 * HOUR, 1000);
    expect(later.length).toBeGreaterThan(0);
    expect(later.map((w) => w.key)).toEqual(
      wakeUps
        .filter((w) => Date.parse(w.at) > until)
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
        .map((w) => w.key),
    );
  });
});

describe("tick with a lookahead on DynamoDbStore", () => {
  it("hands on a wake-up scheduled due within what a tick already looked at, in time to fire when due", async () => {
    // Prepare: a tick at 10:00 looks five minutes ahead; then another process, at 10:00, schedules a
    // wake-up due at 10:02.
    const { client, tableName } = await freshTable();
    let now = T0 - 6 * MIN;
    const make = () => new DynamoDbStore(client, { tableName, clock: () => now });
    const ticker = make();
    const elsewhere = make();
    await elsewhere.scheduleWakeUp(run("early", T0 + 1 * MIN));
    const handed: string[] = [];
    const handOn = async (batch: { wakeUp: WakeUp; delaySeconds: number }[]) => {
      handed.push(...batch.map((b) => `${b.wakeUp.key}@${now + b.delaySeconds * SEC - T0}`));
    };
    now = T0;
    await tick({ timers: ticker, now, handOn });
    // Act
    await elsewhere.scheduleWakeUp(run("late", T0 + 2 * MIN));
    for (const minute of [0.5, 1, 2]) {
      now = T0 + minute * MIN;
      await tick({ timers: ticker, now, handOn });
    }
    // Assess: each fires at its due time (tick time + delivery delay), "late" handed on by the 10:01 tick.
    expect(handed).toEqual([`early@${1 * MIN}`, `late@${2 * MIN}`]);
  });
});
