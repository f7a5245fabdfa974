import { describe, expect, it } from "vitest";
import type { WakeUp } from "../../functions/engine/model.ts";
import { delaySecondsFor, type TickOptions, tick } from "../../functions/runtime/tick-engine.ts";
import { NudgeError } from "../../functions/shared/errors.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { runWakeUp } from "../engine/fixtures.ts";

const NOW = Date.parse("2026-11-01T10:00:00Z");
const SEC = 1000;
const MIN = 60 * SEC;
const run = runWakeUp;

async function storeWith(...wakeUps: WakeUp[]) {
  const timers = new MemoryStore();
  for (const wakeUp of wakeUps) await timers.scheduleWakeUp(wakeUp);
  return timers;
}

/** A handOn that records every batch as `key:delaySeconds`. */
function recorder() {
  const batches: string[][] = [];
  const handOn: TickOptions["handOn"] = async (batch) => {
    batches.push(batch.map(({ wakeUp, delaySeconds }) => `${wakeUp.key}:${delaySeconds}`));
  };
  return { batches, handOn };
}

describe("tick", () => {
  it("hands on what is due within the lookahead with the delay until it falls due", async () => {
    // Prepare: one 2 min overdue, one due now, one in 0.2 s, one in 90 s, one at the lookahead's end, one after it.
    const timers = await storeWith(
      run("in-90s", NOW + 90 * SEC),
      run("overdue", NOW - 2 * MIN),
      run("beyond", NOW + 5 * MIN + 1),
      run("now", NOW),
      run("in-0.2s", NOW + 200),
      run("at-5min", NOW + 5 * MIN),
    );
    const { batches, handOn } = recorder();
    // Act
    const report = await tick({ timers, now: NOW, handOn });
    // Assess
    expect(batches).toEqual([["overdue:0", "now:0", "in-0.2s:1", "in-90s:90", "at-5min:300"]]);
    expect(report).toEqual({ handedOn: 5, batches: 1, late: 1, maxLatenessMs: 2 * MIN });
    expect(await timers.nextWakeUpAt()).toBe(NOW + 5 * MIN + 1);
  });

  it("hands on in batches of at most batchSize, in due order, until nothing is due", async () => {
    // Prepare: 23 wake-ups 30 s apart scheduled out of order, 7 of them late by up to 3.5 minutes.
    const seconds = Array.from({ length: 23 }, (_, i) => ((i * 7) % 23) * 30 - 210);
    const timers = await storeWith(...seconds.map((s) => run(`k${s}`, NOW + s * SEC)));
    const { batches, handOn } = recorder();
    // Act
    const report = await tick({ timers, now: NOW, handOn, batchSize: 4, lookaheadMs: 900 * SEC });
    // Assess
    const sorted = [...seconds].sort((a, b) => a - b);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 4, 4, 4, 3]);
    expect(batches.flat()).toEqual(sorted.map((s) => `k${s}:${Math.max(0, s)}`));
    expect(report).toEqual({ handedOn: 23, batches: 6, late: 7, maxLatenessMs: 210 * SEC });
  });

  it("stops at maxWakeUps and the next tick goes on from there", async () => {
    // Prepare
    const timers = await storeWith(...Array.from({ length: 25 }, (_, i) => run(`k${i + 10}`, NOW - 100 * SEC + i)));
    const first = recorder();
    const second = recorder();
    // Act
    const stopped = await tick({ timers, now: NOW, handOn: first.handOn, maxWakeUps: 12 });
    const rest = await tick({ timers, now: NOW, handOn: second.handOn, maxWakeUps: 12 });
    const last = await tick({ timers, now: NOW, handOn: second.handOn, maxWakeUps: 12 });
    // Assess
    expect(first.batches.map((b) => b.length)).toEqual([10, 2]);
    expect(stopped).toMatchObject({ handedOn: 12, batches: 2, late: 12, maxLatenessMs: 100 * SEC });
    expect(rest).toMatchObject({ handedOn: 12, batches: 2 });
    expect(last).toMatchObject({ handedOn: 1, batches: 1, maxLatenessMs: 100 * SEC - 24 });
    expect([...first.batches.flat(), ...second.batches.flat()]).toEqual(
      Array.from({ length: 25 }, (_, i) => `k${i + 10}:0`),
    );
  });

  it("computes each batch's delays on the clock when it is sent, so a long tick still fires them on time", async () => {
    // Prepare: two batches due at 10:01; the first is sent at once, the second 20 s into the tick.
    const timers = await storeWith(...Array.from({ length: 4 }, (_, i) => run(`k${i}`, NOW + MIN)));
    const { batches, handOn } = recorder();
    const sendTimes = [NOW, NOW + 20 * SEC];
    // Act
    const report = await tick({ timers, now: NOW, handOn, batchSize: 2, clock: () => sendTimes.shift() ?? NOW });
    // Assess
    expect(batches).toEqual([
      ["k0:60", "k1:60"],
      ["k2:40", "k3:40"],
    ]);
    expect(report).toMatchObject({ handedOn: 4, late: 0 });
  });

  it("ends when shouldStop says so, scheduling again what it took and did not hand on", async () => {
    // Prepare: 25 due; the tick must stop after its second batch.
    const timers = await storeWith(...Array.from({ length: 25 }, (_, i) => run(`k${i + 10}`, NOW - 100 * SEC + i)));
    const { batches, handOn } = recorder();
    // Act
    const report = await tick({ timers, now: NOW, handOn, shouldStop: () => batches.length >= 2 });
    // Assess
    expect(report).toMatchObject({ handedOn: 20, batches: 2 });
    expect((await timers.takeDueWakeUps(NOW, 100)).map((w) => w.key)).toEqual(
      Array.from({ length: 5 }, (_, i) => `k${i + 30}`),
    );
  });

  it("reports nothing and calls no handOn when nothing is due", async () => {
    // Prepare
    const timers = await storeWith(run("later", NOW + 10 * MIN));
    const { batches, handOn } = recorder();
    // Act
    const report = await tick({ timers, now: NOW, handOn, lookaheadMs: 0 });
    // Assess
    expect(batches).toEqual([]);
    expect(report).toEqual({ handedOn: 0, batches: 0, late: 0, maxLatenessMs: 0 });
  });

  it("rejects options SQS or the store could not honour, naming the option", async () => {
    // Prepare
    const timers = await storeWith(run("a", NOW));
    const { batches, handOn } = recorder();
    const invalid: Partial<TickOptions>[] = [
      { batchSize: 0 },
      { batchSize: 11 },
      { batchSize: 2.5 },
      { lookaheadMs: -1 },
      { lookaheadMs: 900 * SEC + 1 },
      { lookaheadMs: Number.NaN },
      { maxWakeUps: 0 },
      { sendsInFlight: 0 },
      { sendsInFlight: 1.5 },
      { now: Number.NaN },
    ];
    // Act + Assess
    for (const more of invalid) {
      const name = Object.keys(more)[0] ?? "";
      const error = await tick({ timers, now: NOW, handOn, ...more }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NudgeError);
      expect((error as Error).message).toMatch(new RegExp(`^tick: ${name} must`));
    }
    expect(batches).toEqual([]);
    expect(await timers.nextWakeUpAt()).toBe(NOW);
  });

  it("surfaces an error of handOn, stops, and schedules what it took and did not hand on again", async () => {
    // Prepare
    const timers = await storeWith(...Array.from({ length: 3 }, (_, i) => run(`k${i}`, NOW)));
    let calls = 0;
    // Act
    const attempt = tick({
      timers,
      now: NOW,
      batchSize: 1,
      handOn: async () => {
        calls++;
        throw new Error("SQS down");
      },
    });
    // Assess
    await expect(attempt).rejects.toThrow("SQS down");
    expect(calls).toBe(1);
    // The take had all three: none handed on, all scheduled again.
    expect(await timers.nextWakeUpAt()).toBe(NOW);
    expect((await timers.takeDueWakeUps(NOW, 10)).map((w) => w.key).sort()).toEqual(["k0", "k1", "k2"]);
  });

  it("keeps up to sendsInFlight batches in flight at once, and hands every wake-up on once, in due order", async () => {
    // Prepare: 95 wake-ups due 1 s apart; a handOn that waits until released, counting the sends in flight.
    const timers = await storeWith(...Array.from({ length: 95 }, (_, i) => run(`k${i}`, NOW + i * SEC)));
    const { batches, handOn: record } = recorder();
    let inFlight = 0;
    let most = 0;
    const handOn: TickOptions["handOn"] = async (batch) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      await record(batch);
      inFlight--;
    };
    // Act
    const report = await tick({ timers, now: NOW, handOn, sendsInFlight: 4 });
    // Assess: waves of 4 batches of 10; each wake-up once, with its own delay.
    expect(most).toBe(4);
    expect(batches.flat()).toEqual(Array.from({ length: 95 }, (_, i) => `k${i}:${i}`));
    expect(report).toMatchObject({ handedOn: 95, batches: 10 });
    expect(await timers.nextWakeUpAt()).toBeUndefined();
  });

  it("takes nothing off the store when one batch of a wave fails, though the others went out", async () => {
    // Prepare: 30 wake-ups, three batches sent at once; the second fails.
    const timers = await storeWith(...Array.from({ length: 30 }, (_, i) => run(`k${i}`, NOW)));
    const sent: string[] = [];
    // Act
    const attempt = tick({
      timers,
      now: NOW,
      sendsInFlight: 3,
      handOn: async (batch) => {
        if (batch[0]?.wakeUp.key === "k10") throw new Error("SQS refused the batch");
        sent.push(...batch.map(({ wakeUp }) => wakeUp.key));
      },
    });
    // Assess: the wave settled (the first and third went out), then the error; all 30 are due again, so the
    // next tick hands the failed batch on (and the others again: stale when they fire a second time).
    await expect(attempt).rejects.toThrow("SQS refused the batch");
    expect(sent).toHaveLength(20);
    expect(await timers.takeDueWakeUps(NOW, 100)).toHaveLength(30);
  });

  it("computes delays in whole seconds rounded up, clamped to 0..900", () => {
    expect(delaySecondsFor(NOW - 1, NOW)).toBe(0);
    expect(delaySecondsFor(NOW, NOW)).toBe(0);
    expect(delaySecondsFor(NOW + 1, NOW)).toBe(1);
    expect(delaySecondsFor(NOW + 90 * SEC, NOW)).toBe(90);
    expect(delaySecondsFor(NOW + 20 * MIN, NOW)).toBe(900);
  });
});
