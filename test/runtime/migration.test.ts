import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatWhy } from "../../functions/cli/why-report.ts";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { type Journey, journeySchema } from "../../functions/language/schema.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { readUserJournal } from "../../functions/runtime/user-journal.ts";
import { FaultInjector, type FaultOptions, type SimulatorInput } from "../../functions/simulator/faults.ts";
import { withTimerIndex } from "../../functions/simulator/timer-index.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, shopEvent } from "../engine/fixtures.ts";
import { freshTable } from "../setup/dynalite.ts";
import { NO_POLICIES } from "../support/policies.ts";

/**
 * Runs in flight moved by a deploy, as the runtime applies it on both stores: the worked example
 * test/fixtures/journeys/migration/ (welcome-series version 1, then version 2 with its migration map). Each
 * input that moves a run is delivered twice, as SQS may: the run moves once, its journal has one line for
 * it, and no message is lost or sent twice.
 */

const FIXTURES = new URL("../fixtures/journeys/migration/", import.meta.url);
const fixture = (name: string): Journey =>
  journeySchema.parse(JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")));
const v1 = fixture("welcome-series.v1.json");
const v2 = fixture("welcome-series.json");

const T0 = "2026-11-02T02:00:00Z";
const DAY = 86_400_000;
const plus = (ms: number) => at(T0) + ms;
const iso = (ms: number) => new Date(ms).toISOString();
const JOURNEYS = [{ id: "welcome-series", key: "userId" }];

const stores: [string, () => Promise<JourneyStore>][] = [
  ["memory", async () => new MemoryStore()],
  [
    "DynamoDB",
    async () => {
      const { client, tableName } = await freshTable();
      return withTimerIndex(new DynamoDbStore(client, { tableName, consistentReads: true }));
    },
  ],
];

/** A process with the journeys deployed: version 1 alone, or with version 2 beside it. */
function deployed(store: JourneyStore, journeys: readonly Journey[], delivered: JourneyEffect[]) {
  return new JourneyRuntime({
    catalog: new JourneyCatalog(journeys),
    store,
    policies: NO_POLICIES,
    sink: { deliver: async (effect) => void delivered.push(effect) },
    publisher: { publish: async () => undefined },
  });
}

/** Takes the wake-ups due up to `until` and delivers each `times` times, at its due time. */
async function fireUntil(store: JourneyStore, runtime: JourneyRuntime, until: number, times = 1) {
  for (let next = await store.nextWakeUpAt(); next !== undefined && next <= until; next = await store.nextWakeUpAt())
    for (const wakeUp of await store.takeDueWakeUps(next, 100))
      for (let time = 0; time < times; time++) await runtime.handleWakeUp(wakeUp, next);
}

const register = (userId: string) => shopEvent("user.registered", T0, { userId }, `reg-${userId}`);

/** What reached the channels for a user, as `<type> v<version> <template or move>`, in order. */
const storyOf = (delivered: readonly JourneyEffect[], user: string) =>
  delivered
    .filter((effect) => effect.user === user)
    .map((effect) => {
      const what =
        effect.type === "message.sent"
          ? effect.template
          : effect.type === "journey.migrated"
            ? `${effect.from.step}->${effect.to}`
            : effect.type === "journey.exited"
              ? effect.reason
              : "";
      return `${effect.type} v${effect.version} ${what}`.trim();
    });

/**
 * The deploy story driven through the simulator's fault injector (functions/simulator/faults.ts), as `nudge
 * simulate --duplicates --crashes` drives its inputs: u1 and u2 under version 1, version 2 deployed, u2's order.
 * What reached the channels, by effect id (a repeat with other content is a conflict), and the moves in the
 * users' journals.
 */
async function faultyRun(store: JourneyStore, faults: FaultOptions) {
  const injector = new FaultInjector(store, faults);
  const delivered: JourneyEffect[] = [];
  let runtime = deployed(injector.store, [v1], delivered);
  const deliver = (input: SimulatorInput, now: number) =>
    injector.deliver(input, (given) =>
      given.kind === "event" ? runtime.handleEvent(given.event, now) : runtime.handleWakeUp(given.wakeUp, now),
    );
  const fire = async (until: number) => {
    for (let next = await store.nextWakeUpAt(); next !== undefined && next <= until; next = await store.nextWakeUpAt())
      for (const wakeUp of await store.takeDueWakeUps(next, 100)) await deliver({ kind: "wake-up", wakeUp }, next);
  };
  await deliver(
    { kind: "event", event: shopEvent("user.registered", iso(plus(-DAY)), { userId: "u2" }, "reg-u2") },
    plus(-DAY),
  );
  await deliver({ kind: "event", event: register("u1") }, plus(0));
  await fire(plus(2 * DAY + 3_600_000));
  await runtime.flush();
  runtime = deployed(injector.store, [v1, v2], delivered);
  await fire(plus(4 * DAY));
  const order = shopEvent("order.placed", iso(plus(4 * DAY)), { userId: "u2", orderId: "o-1", amount: 150 }, "o-1");
  await deliver({ kind: "event", event: order }, plus(4 * DAY));
  await fire(plus(20 * DAY));
  while (injector.outstanding > 0) {
    await injector.deliverOutstanding((input) =>
      input.kind === "event"
        ? runtime.handleEvent(input.event, plus(20 * DAY))
        : runtime.handleWakeUp(input.wakeUp, plus(20 * DAY)),
    );
    await fire(plus(20 * DAY));
  }
  await runtime.flush();
  const effects = new Map<string, JourneyEffect>();
  const conflicts: string[] = [];
  for (const effect of delivered) {
    const known = effects.get(effect.id);
    if (known === undefined) effects.set(effect.id, effect);
    else if (JSON.stringify(known) !== JSON.stringify(effect)) conflicts.push(effect.id);
  }
  const moves: Record<string, number> = {};
  for (const user of ["u1", "u2"])
    moves[user] = (await readUserJournal(store, user, JOURNEYS)).entries.filter(
      (e) => e.type === "journey.migrated",
    ).length;
  return { effects, conflicts, moves, report: injector.report };
}

describe.each(stores)("runs in flight moved by a deploy, on the %s store", (_name, makeStore) => {
  it("moves each run once at its wake-up or event, delivered twice, with one journal line, no message lost or repeated", async () => {
    // Prepare: under version 1, u1 waits for its tips (3 days) and u2, its tips sent, for its survey (7 days).
    const store = await makeStore();
    const delivered: JourneyEffect[] = [];
    const before = deployed(store, [v1], delivered);
    await before.handleEvent(register("u1"), plus(0));
    await before.handleEvent(
      shopEvent("user.registered", new Date(plus(-DAY)).toISOString(), { userId: "u2" }, "reg-u2"),
      plus(-DAY),
    );
    await fireUntil(store, before, plus(2 * DAY + 3_600_000));
    // Act: version 2 deployed; u1's wake-up (3 days) and u2's order (day 4) each delivered twice; then every
    // wake-up due in the next two weeks, u2's old one for the survey among them.
    const after = deployed(store, [v1, v2], delivered);
    await fireUntil(store, after, plus(3 * DAY), 2);
    const order = shopEvent(
      "order.placed",
      new Date(plus(4 * DAY)).toISOString(),
      { userId: "u2", orderId: "o-1", amount: 150 },
      "o-1",
    );
    await after.handleEvent(order, plus(4 * DAY));
    await after.handleEvent(order, plus(4 * DAY));
    await fireUntil(store, after, plus(20 * DAY), 2);
    // Assess: u1 got its tips two days after the move and its survey after five days without an order; u2
    // moved to the wait for an order, which its order ended with thanks (no survey from version 1).
    expect(storyOf(delivered, "u1")).toEqual([
      "journey.entered v1",
      "message.sent v1 welcome",
      "journey.migrated v2 wait-3-days->wait-2-days",
      "message.sent v2 tips",
      "message.sent v2 survey",
      "journey.exited v2 completed",
    ]);
    expect(storyOf(delivered, "u2")).toEqual([
      "journey.entered v1",
      "message.sent v1 welcome",
      "message.sent v1 tips",
      "journey.migrated v2 wait-7-days->wait-for-order",
      "message.sent v2 thanks",
      "journey.exited v2 completed",
    ]);
    const tips = delivered.find(
      (effect) => effect.user === "u1" && effect.type === "message.sent" && effect.template === "tips",
    );
    expect(tips?.at).toBe(new Date(plus(5 * DAY)).toISOString().replace(".000", ""));
    const journal = (await readUserJournal(store, "u1", JOURNEYS)).entries;
    expect(journal.filter((entry) => entry.type === "journey.migrated")).toHaveLength(1);
    expect(formatWhy({ userId: "u1", timeZone: "UTC", timeZoneOf: "platform default", journal })).toContain(
      "  2026-11-05 02:00:00  moved from version 1 step wait-3-days to version 2 step wait-2-days",
    );
  });
  it("moves each run once under the simulator's faults: every input delivered again later, half the saves crashing", async () => {
    // Prepare
    const clean = await faultyRun(await makeStore(), {});
    // Act
    const runs = [];
    for (const seed of [1, 2, 3])
      runs.push(await faultyRun(await makeStore(), { duplicateRate: 1, crashRate: 0.5, seed }));
    // Assess: the clean run's effects, each once, whatever was redelivered or crashed; one move per run.
    expect([...clean.effects.values()].filter((e) => e.type === "journey.migrated").map((e) => e.user)).toEqual([
      "u1",
      "u2",
    ]);
    for (const run of runs) {
      expect(run.report.duplicates).toBeGreaterThan(0);
      expect(run.report.crashesAfterSave + run.report.crashesBeforeSave).toBeGreaterThan(0);
      expect(run.conflicts).toEqual([]);
      expect([...run.effects.keys()].sort()).toEqual([...clean.effects.keys()].sort());
      expect(run.moves).toEqual({ u1: 1, u2: 1 });
    }
  });
});
