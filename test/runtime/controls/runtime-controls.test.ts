import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../../functions/engine/model.ts";
import type { JourneyInput } from "../../../functions/language/schema.ts";
import { type ControlStore, resumeHeldRuns, setPaused } from "../../../functions/runtime/control-cache.ts";
import { JourneyRuntime } from "../../../functions/runtime/journey-runtime.ts";
import type { JourneyStore } from "../../../functions/runtime/ports.ts";
import { withTimerIndex } from "../../../functions/simulator/timer-index.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../../functions/store/memory/memory-store.ts";
import { at, journey, shopEvent } from "../../engine/fixtures.ts";
import { freshTable } from "../../setup/dynalite.ts";
import { NO_POLICIES } from "../../support/policies.ts";

/**
 * Pause and resume as the runtime applies them, on both stores: a paused journey admits no one, holds its
 * runs (no message goes out) while goals still convert, and resuming continues them, late messages sent
 * or skipped by the journey's whenResumed policy; a runtime sees a pause within its control TTL.
 */

const T0 = "2026-11-23T02:00:00Z";
const plus = (ms: number) => at(T0) + ms;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const greeter = (policy: JourneyInput["policy"] = {}) =>
  journey({
    id: "greeter",
    policy,
    goal: { pattern: { "detail-type": ["order.placed"] }, within: "P7D" },
    start: "greet",
    steps: [
      { id: "greet", type: "send", channel: "push", template: "hello", next: "later" },
      { id: "later", type: "wait", for: "P1D", next: "again" },
      { id: "again", type: "send", channel: "push", template: "hello" },
    ],
  });

type Store = JourneyStore & ControlStore;

const stores: [string, () => Promise<Store>][] = [
  ["memory", async () => new MemoryStore()],
  [
    "DynamoDB",
    async () => {
      const { client, tableName } = await freshTable();
      return withTimerIndex(new DynamoDbStore(client, { tableName }));
    },
  ],
];

function runtimeOver(store: Store, policy: JourneyInput["policy"] = {}, controlTtlMs = 30_000) {
  const delivered: JourneyEffect[] = [];
  const runtime = new JourneyRuntime({
    catalog: new JourneyCatalog([greeter(policy)]),
    store,
    controls: store,
    controlTtlMs,
    policies: NO_POLICIES,
    sink: { deliver: async (effect) => void delivered.push(effect) },
    publisher: { publish: async () => undefined },
  });
  return { runtime, delivered };
}

/** Fires every wake-up due up to `until`, each at the later of its due time and `from`. */
async function fireUntil(store: Store, runtime: JourneyRuntime, until: number, from = 0) {
  for (let next = await store.nextWakeUpAt(); next !== undefined && next <= until; next = await store.nextWakeUpAt())
    for (const wakeUp of await store.takeDueWakeUps(next, 100))
      await runtime.handleWakeUp(wakeUp, Math.max(next, from));
}

const register = (userId: string, time: number) =>
  shopEvent("user.registered", new Date(time).toISOString(), { userId });

const of = (effects: readonly JourneyEffect[], user: string, type: JourneyEffect["type"]) =>
  effects.filter((effect) => effect.user === user && effect.type === type);

describe.each(stores)("pause and resume on the %s store", (_name, makeStore) => {
  it("admits no one while paused, holds a run's message, converts its goal, and sends it late on resume", async () => {
    // Prepare: u1 is greeted; its second greeting is due a day later.
    const store = await makeStore();
    const { runtime, delivered } = runtimeOver(store);
    await runtime.handleEvent(register("u1", plus(0)), plus(0));
    // Act: paused an hour later; u2 registers; u1's second greeting falls due; u1 orders; resumed two days later.
    await setPaused(store, "greeter", { paused: true, reason: "bad coupon", by: "cli:test", now: plus(HOUR) });
    runtime.controls.invalidate();
    await runtime.handleEvent(register("u2", plus(2 * HOUR)), plus(2 * HOUR));
    await fireUntil(store, runtime, plus(DAY + HOUR));
    const heldWhilePaused = await store.listHeldWakeUps("greeter", 10);
    const sentWhilePaused = of(delivered, "u1", "message.sent").length;
    await runtime.handleEvent(
      shopEvent("order.placed", new Date(plus(DAY + 2 * HOUR)).toISOString(), {
        userId: "u1",
        orderId: "o1",
        amount: 50,
        currency: "CNY",
      }),
      plus(DAY + 2 * HOUR),
    );
    await setPaused(store, "greeter", { paused: false, by: "cli:test", now: plus(3 * DAY) });
    runtime.controls.invalidate();
    const resumed = await resumeHeldRuns(store);
    await fireUntil(store, runtime, plus(3 * DAY), plus(3 * DAY));
    // Assess
    expect(delivered.filter((effect) => effect.user === "u2")).toEqual([]);
    expect(sentWhilePaused).toBe(1);
    expect(heldWhilePaused).toEqual([
      expect.objectContaining({ journeyId: "greeter", key: "u1", heldAt: expect.any(String) }),
    ]);
    expect(of(delivered, "u1", "goal.converted")).toHaveLength(1);
    expect(resumed).toBe(1);
    expect(await store.listHeldWakeUps("greeter", 10)).toEqual([]);
    expect(of(delivered, "u1", "message.sent").map((effect) => effect.at)).toEqual([
      "2026-11-23T02:00:00Z",
      "2026-11-26T02:00:00Z",
    ]);
  });

  it("skips a held message due longer ago than skipOlderThan when the policy says skip", async () => {
    // Prepare
    const store = await makeStore();
    const { runtime, delivered } = runtimeOver(store, {
      whenResumed: { lateMessages: "skip", skipOlderThan: "PT24H" },
    });
    await runtime.handleEvent(register("u1", plus(0)), plus(0));
    await setPaused(store, "greeter", { paused: true, by: "cli:test", now: plus(HOUR) });
    runtime.controls.invalidate();
    await fireUntil(store, runtime, plus(DAY + HOUR));
    // Act: resumed 47 hours after the greeting fell due.
    await setPaused(store, "greeter", { paused: false, by: "cli:test", now: plus(DAY + 47 * HOUR) });
    await resumeHeldRuns(store);
    await fireUntil(store, runtime, plus(3 * DAY), plus(DAY + 47 * HOUR));
    // Assess
    expect(of(delivered, "u1", "message.sent")).toHaveLength(1);
    expect(of(delivered, "u1", "message.suppressed")).toEqual([
      expect.objectContaining({ template: "hello", reason: "paused-too-long", rule: "when-resumed" }),
    ]);
    expect(of(delivered, "u1", "journey.exited")).toEqual([expect.objectContaining({ reason: "completed" })]);
  });

  it("sends a held message that is within skipOlderThan", async () => {
    // Prepare
    const store = await makeStore();
    const { runtime, delivered } = runtimeOver(store, {
      whenResumed: { lateMessages: "skip", skipOlderThan: "PT24H" },
    });
    await runtime.handleEvent(register("u1", plus(0)), plus(0));
    await setPaused(store, "greeter", { paused: true, by: "cli:test", now: plus(HOUR) });
    runtime.controls.invalidate();
    await fireUntil(store, runtime, plus(DAY + HOUR));
    // Act: resumed 5 hours after it fell due.
    await setPaused(store, "greeter", { paused: false, by: "cli:test", now: plus(DAY + 5 * HOUR) });
    await resumeHeldRuns(store);
    await fireUntil(store, runtime, plus(3 * DAY), plus(DAY + 5 * HOUR));
    // Assess
    expect(of(delivered, "u1", "message.sent").map((effect) => effect.at)).toEqual([
      "2026-11-23T02:00:00Z",
      "2026-11-24T07:00:00Z",
    ]);
    expect(of(delivered, "u1", "message.suppressed")).toEqual([]);
  });

  it("sees a pause made elsewhere within its control TTL, not before", async () => {
    // Prepare: the runtime reads the controls at its first input.
    const store = await makeStore();
    const { runtime, delivered } = runtimeOver(store, {}, 30_000);
    await runtime.handleEvent(register("u1", plus(0)), plus(0));
    // Act: another process pauses the journey a second later.
    await setPaused(store, "greeter", { paused: true, by: "cli:test", now: plus(1_000) });
    await runtime.handleEvent(register("u2", plus(10_000)), plus(10_000));
    await runtime.handleEvent(register("u3", plus(31_000)), plus(31_000));
    // Assess
    expect(of(delivered, "u2", "journey.entered")).toHaveLength(1);
    expect(of(delivered, "u3", "journey.entered")).toHaveLength(0);
  });
});
