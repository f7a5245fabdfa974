import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../../functions/engine/model.ts";
import { JourneyRuntime } from "../../../functions/runtime/journey-runtime.ts";
import { formatLine, parseEventLines, simulate } from "../../../functions/simulator/simulate.ts";
import { generateShopLines } from "../../../functions/simulator/synthetic/index.ts";
import { withTimerIndex } from "../../../functions/simulator/timer-index.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { at, greetTwiceJourney, harness, raceReviewAndRefund, shopEvent } from "../../engine/fixtures.ts";
import { loadSeedJourneys } from "../../scenarios/helpers.ts";
import { freshTable } from "../../setup/dynalite.ts";
import { NO_POLICIES } from "../../support/policies.ts";

const FIRST_MONTH = fileURLToPath(new URL("../../../events/examples/first-month.ndjson", import.meta.url));

/** The simulator's store: a table of its own, so the wake-up index in memory is complete. */
async function simulatorStore() {
  const { client, tableName } = await freshTable();
  return withTimerIndex(new DynamoDbStore(client, { tableName }));
}

describe("JourneyRuntime on DynamoDbStore", () => {
  it("gives exactly the effect lines of the in-memory store for the seed journeys and the example events", async () => {
    // Prepare
    const journeys = loadSeedJourneys();
    const lines = readFileSync(FIRST_MONTH, "utf8").split("\n");
    const store = await simulatorStore();
    // Act
    const memory = await simulate({ journeys, lines });
    const dynamo = await simulate({ journeys, lines, store });
    // Assess
    expect(memory.lines.length).toBeGreaterThan(30);
    expect(dynamo.lines.map(formatLine)).toEqual(memory.lines.map(formatLine));
    const { lines: _m, ...memoryCounts } = memory;
    const { lines: _d, ...dynamoCounts } = dynamo;
    expect(dynamoCounts).toEqual(memoryCounts);
  });

  it("gives the same effect lines as the in-memory store for a synthetic shop with duplicates and flaws", async () => {
    // Prepare: 15 users over 21 days, with the generator's redeliveries and broken events.
    const journeys = loadSeedJourneys();
    const lines = [...generateShopLines({ users: 15, days: 21, start: "2026-10-01T00:00:00Z", seed: 7 })];
    const store = await simulatorStore();
    // Act
    const memory = await simulate({ journeys, lines });
    const dynamo = await simulate({ journeys, lines, store });
    // Assess
    expect(memory.lines.length).toBeGreaterThan(100);
    expect(dynamo.lines.map(formatLine)).toEqual(memory.lines.map(formatLine));
  });

  it("changes nothing and repeats no effect when every event is delivered again", async () => {
    // Prepare
    const catalog = new JourneyCatalog(loadSeedJourneys());
    const { events } = parseEventLines(readFileSync(FIRST_MONTH, "utf8").split("\n"));
    const store = await simulatorStore();
    const { runtime, delivered } = harness(catalog, store);
    for (const event of events) await runtime.handleEvent(event, at(event.time));
    const effects = delivered.length;
    const writes = JSON.stringify(store.capacity);
    // Act
    for (const event of events) await runtime.handleEvent(event, at(event.time));
    // Assess
    expect(effects).toBeGreaterThan(10);
    expect(delivered).toHaveLength(effects);
    const before = JSON.parse(writes) as DynamoDbStore["capacity"];
    const written = Object.keys(before).filter((kind) => (before[kind]?.write ?? 0) > 0);
    expect(written).toEqual(expect.arrayContaining(["putRecord", "putUser", "addStats", "scheduleWakeUp"]));
    for (const kind of Object.keys(store.capacity)) {
      expect(store.capacity[kind]?.write ?? 0, kind).toBe(before[kind]?.write ?? 0);
    }
  });

  it("applies two events for one run processed at the same time: one wins, the other retries, neither is lost", async () => {
    // Prepare / Act: both read the run before either writes.
    const store = await simulatorStore();
    const { runtime, record } = await raceReviewAndRefund(store);
    // Assess
    expect(runtime.stats.conflicts).toBeGreaterThan(0);
    expect(store.capacity.putRecord?.conditionFailures).toBeGreaterThan(0);
    // The review converted the goal; the refund either ended the run or, arriving second, was remembered.
    expect(record?.run?.goal?.convertedAt).toBe("2026-11-01T05:00:00Z");
    expect(record?.run?.status).toBe("ended");
    expect(record?.run?.exitReason === "exit-event" || record?.lastExitEventAt === "2026-11-01T05:00:00Z").toBe(true);
  });

  it("puts the outbox back when a send fails after the claim: the redelivered input sends it all, none is lost", async () => {
    // Prepare: the sink fails on the second effect, as a queue that refuses a send would.
    const store = await simulatorStore();
    const delivered: JourneyEffect[] = [];
    let calls = 0;
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog([greetTwiceJourney]),
      store,
      sink: {
        deliver: async (effect) => {
          if (++calls === 2) throw new Error("queue refused the send");
          delivered.push(effect);
        },
      },
      publisher: { publish: async () => undefined },
      policies: NO_POLICIES,
    });
    const registered = shopEvent("user.registered", "2026-11-01T00:00:00Z", { userId: "u1" });
    // Act: the first attempt fails; the platform redelivers the event.
    await expect(runtime.handleEvent(registered, at(registered.time))).rejects.toThrow("queue refused the send");
    await runtime.handleEvent(registered, at(registered.time));
    // Assess: the outbox stayed on the record, not proven handed on, so the retry handed it all on again: the
    // effect before the failure twice, with the same id for the channel to drop; nothing lost.
    expect(delivered.map((e) => e.type)).toEqual(["journey.entered", "journey.entered", "message.sent"]);
    expect(new Set(delivered.map((e) => e.id)).size).toBe(2);
    const stored = await store.getRecord("test-journey", "u1", { consistent: true });
    expect(stored?.value.run?.stepId).toBe("later");
    const pending = stored?.value.pending;
    const first = pending?.effects[0];
    const proof = pending?.proof;
    expect(
      first !== undefined && proof !== undefined && (await store.isHandedOn({ proof, id: first.id, at: first.at })),
    ).toBe(true);
    expect(await store.nextWakeUpAt()).toBe(Date.parse("2026-11-02T00:00:00Z"));
  });
});
