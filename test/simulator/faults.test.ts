import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../functions/engine/model.ts";
import { openSimulatorDynamoDb } from "../../functions/simulator/embedded-dynamodb.ts";
import {
  CrashingStore,
  checkRate,
  FaultInjector,
  type FaultOptions,
  MAX_REDELIVERY_DELAY,
  SimulatedCrash,
  type SimulatorInput,
} from "../../functions/simulator/faults.ts";
import { formatLine, type SimulationOptions, simulate } from "../../functions/simulator/simulate.ts";
import { generateShopLines } from "../../functions/simulator/synthetic/index.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { shopEvent } from "../engine/fixtures.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";

const START = "2026-10-01T00:00:00Z";
const FAULTS: FaultOptions = { duplicateRate: 0.5, crashRate: 0.2 };

/** A synthetic shop over 60 days, with the generator's own redeliveries, late and broken events. */
const shopLines = (users: number, seed = 1) => [...generateShopLines({ users, days: 60, start: START, seed })];

/** The effect lines of a simulation of the seed journeys, as `nudge simulate` prints them. */
/**
 * The output lines, in time order and, among lines of the same time, by effect id: wake-ups due at the
 * same instant (messages deferred to the end of quiet hours) may fire in another order on another store.
 */
async function effectLines(lines: readonly string[], options: Partial<SimulationOptions> = {}) {
  const result = await simulate({ journeys: loadSeedJourneys(), lines, ...options });
  const ordered = [...result.lines].sort((a, b) =>
    a.at === b.at ? String(a.id).localeCompare(String(b.id)) : a.at < b.at ? -1 : 1,
  );
  return { lines: ordered.map(formatLine), result };
}

/** The first line where two outputs part (undefined when they are the same), for a readable failure. */
function firstDifference(expected: readonly string[], actual: readonly string[]) {
  for (let index = 0; index < Math.max(expected.length, actual.length); index++) {
    if (expected[index] !== actual[index]) {
      return { index, expected: expected[index] ?? "(none)", actual: actual[index] ?? "(none)" };
    }
  }
  return undefined;
}

/** One simulation on the embedded DynamoDB (dynalite in this process), closed afterwards. */
async function onDynamoDb(lines: readonly string[], faults?: FaultOptions) {
  const dynamodb = await openSimulatorDynamoDb();
  try {
    return await effectLines(lines, { store: dynamodb.store, ...(faults ? { faults } : {}) });
  } finally {
    await dynamodb.close();
  }
}

const record = (key: string): RunRecord => ({ journeyId: "j", key, entries: 1, recentEventIds: [] });

describe("CrashingStore", () => {
  it("dies right after the state update: the record is saved, and the invocation throws", async () => {
    // Prepare
    const inner = new MemoryStore();
    const points: string[] = [];
    const store = new CrashingStore(inner, (point) => points.push(point));
    store.arm("after-save");
    // Act
    const crashed = store.putRecord(record("a"), undefined);
    // Assess
    await expect(crashed).rejects.toBeInstanceOf(SimulatedCrash);
    expect((await inner.getRecord("j", "a"))?.revision).toBe(1);
    expect(points).toEqual(["after-save"]);
    // Disarmed by the crash: the next save goes through.
    await expect(store.putRecord(record("a"), 1)).resolves.toBe(2);
  });

  it("dies right before the state update: nothing is saved", async () => {
    // Prepare
    const inner = new MemoryStore();
    const store = new CrashingStore(inner, () => undefined);
    store.arm("before-save");
    // Act
    const crashed = store.putRecord(record("a"), undefined);
    // Assess
    await expect(crashed).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await inner.getRecord("j", "a")).toBeUndefined();
  });
});

describe("FaultInjector", () => {
  const inputs: SimulatorInput[] = Array.from({ length: 400 }, (_, n) => ({
    kind: "event",
    event: shopEvent("user.registered", START, { userId: `u${n}` }, `evt-${n}`),
  }));

  /** Delivers every input through an injector; returns what each delivery saw and the report. */
  async function deliverAll(options: FaultOptions) {
    const store = new MemoryStore();
    const injector = new FaultInjector(store, options);
    const seen: string[] = [];
    const handle = async (input: SimulatorInput) => {
      const id = input.kind === "event" ? input.event.id : "wake-up";
      seen.push(id);
      // Every invocation saves one record: the crash point is there.
      const stored = await injector.store.getRecord("j", id);
      await injector.store.putRecord(record(id), stored?.revision);
    };
    for (const input of inputs) await injector.deliver(input, handle);
    await injector.deliverOutstanding(handle);
    return { seen, report: injector.report, outstanding: injector.outstanding };
  }

  it("delivers that share of the inputs a second time, a few inputs later, none left at the end", async () => {
    // Act
    const { seen, report, outstanding } = await deliverAll({ duplicateRate: 0.5 });
    // Assess
    expect(report.duplicates).toBeGreaterThan(160);
    expect(report.duplicates).toBeLessThan(240);
    expect(seen).toHaveLength(inputs.length + report.duplicates);
    expect(outstanding).toBe(0);
    // Interleaved: each redelivery comes after 1 to MAX_REDELIVERY_DELAY further first deliveries
    const firstAt = new Map<string, number>();
    let firsts = 0;
    for (const id of seen) {
      const first = firstAt.get(id);
      if (first === undefined) {
        firstAt.set(id, ++firsts);
        continue;
      }
      // (Those still queued when the inputs run out come at the end, before the run ends.)
      if (firsts < inputs.length) expect(firsts - first).toBeGreaterThanOrEqual(1);
      expect(firsts - first).toBeLessThanOrEqual(MAX_REDELIVERY_DELAY);
    }
    expect(firstAt.size).toBe(inputs.length);
  });

  it("crashes that share of the invocations, before or after the save, and retries each", async () => {
    // Act
    const { seen, report } = await deliverAll({ crashRate: 0.2 });
    // Assess
    const crashes = report.crashesAfterSave + report.crashesBeforeSave;
    expect(crashes).toBeGreaterThan(60);
    expect(crashes).toBeLessThan(110);
    expect(report.crashesAfterSave).toBeGreaterThan(crashes / 4);
    expect(report.crashesBeforeSave).toBeGreaterThan(crashes / 4);
    expect(report.retries).toBe(crashes);
    expect(seen).toHaveLength(inputs.length + crashes);
    expect(report.duplicates).toBe(0);
  });

  it("ends even when every invocation is to crash", async () => {
    // Act
    const { report } = await deliverAll({ crashRate: 1 });
    // Assess: a few crashes per delivery at most, then the attempt goes through.
    expect(report.retries).toBe(3 * inputs.length);
  });

  it("chooses the same faults for the same seed, others for another seed", async () => {
    // Act
    const once = await deliverAll({ ...FAULTS, seed: 5 });
    const again = await deliverAll({ ...FAULTS, seed: 5 });
    const other = await deliverAll({ ...FAULTS, seed: 6 });
    // Assess
    expect(again).toEqual(once);
    expect(other.seen).not.toEqual(once.seen);
  });

  it("rejects a rate outside 0..1", () => {
    expect(() => checkRate("crashRate", 2)).toThrow("crashRate: expected a number from 0 to 1, got 2");
    expect(() => checkRate("crashRate", -0.1)).toThrow(RangeError);
    expect(() => checkRate("crashRate", Number.NaN)).toThrow(RangeError);
    expect(() => new FaultInjector(new MemoryStore(), { duplicateRate: 1.5 })).toThrow(RangeError);
    expect(checkRate("crashRate", 1)).toBe(1);
  });
});

describe("simulate with faults: the effect lines of a clean run, no duplicate, nothing missing", () => {
  it("on the memory store: 300 users over 60 days, half the inputs redelivered, a fifth of invocations crashed", async () => {
    // Prepare
    const lines = shopLines(300);
    const clean = await effectLines(lines);
    // Act
    const faulty = await effectLines(lines, { faults: FAULTS });
    // Assess
    expect(clean.lines.length).toBeGreaterThan(5000);
    expect(firstDifference(clean.lines, faulty.lines)).toBeUndefined();
    const report = faulty.result.faults;
    expect(report?.duplicates).toBeGreaterThan(1000);
    expect(report?.crashesAfterSave).toBeGreaterThan(100);
    expect(report?.crashesBeforeSave).toBeGreaterThan(100);
    expect(report?.retries).toBe((report?.crashesAfterSave ?? 0) + (report?.crashesBeforeSave ?? 0));
  });

  it("on the memory store: other shops, seeds and rates, up to every input redelivered", async () => {
    for (const shopSeed of [2, 3]) {
      const lines = shopLines(100, shopSeed);
      const clean = await effectLines(lines);
      for (const faults of [
        { duplicateRate: 1, seed: 1 },
        { crashRate: 1, seed: 2 },
        { duplicateRate: 1, crashRate: 0.5, seed: 3 },
        { duplicateRate: 0.3, crashRate: 0.9, seed: 4 },
      ]) {
        const faulty = await effectLines(lines, { faults });
        expect(firstDifference(clean.lines, faulty.lines), JSON.stringify({ shopSeed, faults })).toBeUndefined();
      }
    }
  });

  // dynalite runs about 60 decisions a second: 50 users (about 600 decisions) with faults, whose lines must be
  // the memory store's clean ones, which covers the clean run on DynamoDB too (a shorter clean shop is in
  // test/store/dynamodb/runtime.test.ts). Every crash point on DynamoDB is in test/guarantees/crash-points.test.ts.
  it("on the embedded DynamoDB with faults: 50 users over 60 days, the memory store's lines", async () => {
    // Prepare
    const lines = shopLines(50);
    const memory = await effectLines(lines);
    // Act
    const faulty = await onDynamoDb(lines, FAULTS);
    // Assess
    expect(memory.lines.length).toBeGreaterThan(800);
    expect(firstDifference(memory.lines, faulty.lines)).toBeUndefined();
    const report = faulty.result.faults;
    expect(report?.duplicates).toBeGreaterThan(200);
    expect(report?.crashesAfterSave).toBeGreaterThan(20);
    expect(report?.crashesBeforeSave).toBeGreaterThan(20);
  });
});
