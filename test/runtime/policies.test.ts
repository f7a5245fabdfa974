import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { parsePolicyConfig } from "../../functions/engine/policies/config.ts";
import type { JourneyInput } from "../../functions/language/schema.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, fireWakeUpsUntil, harness, journey, shopEvent } from "../engine/fixtures.ts";
import { handedOnJournal } from "../support/journal.ts";

/**
 * The policy layer as the runtime applies it, every journey at once: priority among messages due
 * together, deferral as a run waiting at its send step, a deferred message re-decided when it falls due,
 * a run that exits while its message waits, and the journal that says why.
 */

const DEFAULTS = parsePolicyConfig({});
/** 10:00 in Shanghai. */
const MORNING = "2026-11-25T02:00:00Z";
/** 22:00 in Shanghai: in the default quiet hours. */
const NIGHT = "2026-11-25T14:00:00Z";

const greeter = (id: string, priority: number, extra: Partial<JourneyInput> = {}) =>
  journey({
    id,
    priority,
    start: "greet",
    steps: [{ id: "greet", type: "send", channel: "push", template: "hello" }],
    ...extra,
  });

const ofType = (effects: readonly JourneyEffect[], type: JourneyEffect["type"]) =>
  effects.filter((effect) => effect.type === type);

describe("policies in the runtime", () => {
  it("lets the higher-priority journey's message through a cap of one when both fall due together", async () => {
    // Prepare: a welcome (90) and a guide (40) on one registration; one marketing push per 4 hours.
    const catalog = new JourneyCatalog([greeter("guide", 40), greeter("welcome", 90)]);
    const { runtime, delivered } = harness(catalog, new MemoryStore(), DEFAULTS);
    // Act
    await runtime.handleEvent(shopEvent("user.registered", MORNING, { userId: "u1" }), at(MORNING));
    // Assess
    expect(ofType(delivered, "message.sent").map((effect) => effect.journey)).toEqual(["welcome"]);
    expect(ofType(delivered, "message.deferred")).toEqual([
      expect.objectContaining({
        journey: "guide",
        reason: "capped",
        rule: "cap:marketing-per-channel",
        // Four hours after the welcome, plus (100 - 40) seconds for the guide's priority.
        until: "2026-11-25T06:01:00Z",
      }),
    ]);
  });

  it("sends a deferred message when its time comes, deciding afresh, and records it in the send log", async () => {
    // Prepare: a registration at 22:00 in Shanghai.
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([greeter("welcome", 90)]), store, DEFAULTS);
    await runtime.handleEvent(shopEvent("user.registered", NIGHT, { userId: "u1" }), at(NIGHT));
    const atNight = store.users.get("u1");
    // Act
    await fireWakeUpsUntil(store, runtime, "2026-11-26T12:00:00Z");
    // Assess: 09:00 in Shanghai plus (100 - 90) s; the registration's one write held the message's place
    // there, so the wake-up that sends it writes nothing to the user.
    expect(atNight?.value.sends).toEqual([expect.objectContaining({ at: "2026-11-26T01:00:10Z", held: true })]);
    expect(store.users.get("u1")).toBe(atNight);
    expect(delivered.map((effect) => [effect.type, effect.at])).toEqual([
      ["journey.entered", NIGHT],
      ["message.deferred", NIGHT],
      ["message.sent", "2026-11-26T01:00:10Z"],
      ["journey.exited", "2026-11-26T01:00:10Z"],
    ]);
    expect(store.users.get("u1")?.value.sends).toEqual([
      expect.objectContaining({ at: "2026-11-26T01:00:10Z", journeyId: "welcome", channel: "push" }),
    ]);
  });

  it("suppresses a deferred message whose user unsubscribed while it waited", async () => {
    // Prepare: deferred at 22:00; the user leaves push at 08:00, before the quiet hours end.
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([greeter("welcome", 90)]), store, DEFAULTS);
    await runtime.handleEvent(shopEvent("user.registered", NIGHT, { userId: "u1" }), at(NIGHT));
    const leaves = shopEvent("user.unsubscribed", "2026-11-26T00:00:00Z", { userId: "u1", channel: "push" });
    await runtime.handleEvent(leaves, at(leaves.time));
    // Act
    await fireWakeUpsUntil(store, runtime, "2026-11-26T12:00:00Z");
    // Assess
    expect(ofType(delivered, "message.sent")).toEqual([]);
    expect(ofType(delivered, "message.suppressed")).toEqual([
      expect.objectContaining({ reason: "unsubscribed", rule: "consent", at: "2026-11-26T01:00:10Z" }),
    ]);
    expect(store.users.get("u1")?.value.sends).toEqual([]); // its place given back
  });

  it("suppresses a deferred message when its run exits while it waits, naming the exit event", async () => {
    // Prepare: a review request deferred by the quiet hours; the order is refunded during the night.
    const review = greeter("review", 30, {
      key: "orderId",
      trigger: { type: "event", pattern: { "detail-type": ["order.delivered"] } },
      exitOn: [{ "detail-type": ["order.refunded"] }],
    });
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([review]), store, DEFAULTS);
    await runtime.handleEvent(shopEvent("order.delivered", NIGHT, { userId: "u1", orderId: "o1" }), at(NIGHT));
    const refund = shopEvent("order.refunded", "2026-11-25T18:00:00Z", { userId: "u1", orderId: "o1", amount: 9 });
    // Act
    await runtime.handleEvent(refund, at(refund.time));
    await fireWakeUpsUntil(store, runtime, "2026-11-26T12:00:00Z");
    // Assess
    expect(ofType(delivered, "message.sent")).toEqual([]);
    expect(ofType(delivered, "message.suppressed")).toEqual([
      expect.objectContaining({ reason: "run-exited", rule: "exit-on:order.refunded", at: refund.time }),
    ]);
    expect(store.users.get("u1")?.value.sends).toEqual([]); // its place given back
  });

  it("moves a deferred message's place when its wake-up comes later than a minute after it", async () => {
    // Prepare: deferred at 22:00 to 09:00:10 in Shanghai.
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([greeter("welcome", 90)]), store, DEFAULTS);
    await runtime.handleEvent(shopEvent("user.registered", NIGHT, { userId: "u1" }), at(NIGHT));
    const place = store.users.get("u1")?.value.sends?.[0];
    const [wakeUp] = await store.takeDueWakeUps(at("2026-11-26T01:00:10Z"), 10);
    if (wakeUp === undefined) throw new Error("the welcome's wake-up is missing");
    // Act: its wake-up handed on ten minutes late
    await runtime.handleWakeUp(wakeUp, at("2026-11-26T01:10:10Z"));
    // Assess: sent late, and logged when it went, in the place of the one it held
    expect(place).toMatchObject({ at: "2026-11-26T01:00:10Z", held: true });
    expect(ofType(delivered, "message.sent")).toEqual([expect.objectContaining({ at: "2026-11-26T01:10:10Z" })]);
    expect(store.users.get("u1")?.value.sends).toEqual([
      expect.objectContaining({ at: "2026-11-26T01:10:10Z", journeyId: "welcome" }),
    ]);
    expect(store.users.get("u1")?.value.sends?.[0]?.held).toBeUndefined();
  });

  it("drops rather than defers when the journey says so, and the journal keeps why", async () => {
    // Prepare: a journey whose messages are pointless late.
    const flash = greeter("flash", 50, { policy: { inQuietHours: "drop" } });
    const store = new MemoryStore();
    const { runtime } = harness(new JourneyCatalog([flash]), store, DEFAULTS);
    // Act
    await runtime.handleEvent(shopEvent("user.registered", NIGHT, { userId: "u1" }), at(NIGHT));
    // Assess
    const journal = await handedOnJournal(store, "u1", [flash]);
    expect(journal.map((entry) => entry.type)).toEqual(["journey.entered", "message.suppressed", "journey.exited"]);
    expect(journal[1]).toMatchObject({ reason: "quiet-hours", rule: "quiet-hours", channel: "push" });
    expect(journal[1]).not.toHaveProperty("text");
  });

  it("keeps no journal in a runtime told so (the simulator's), with the same effects delivered", async () => {
    // Prepare: the same night-time registration into a journaling runtime and one without a journal.
    const flash = greeter("flash", 50, { policy: { inQuietHours: "drop" } });
    const journaling = harness(new JourneyCatalog([flash]), new MemoryStore(), DEFAULTS);
    const bare = new MemoryStore({ journal: false });
    const unjournaled = harness(new JourneyCatalog([flash]), bare, DEFAULTS, { journal: false });
    const registered = shopEvent("user.registered", NIGHT, { userId: "u1" });
    // Act
    await journaling.runtime.handleEvent(registered, at(NIGHT));
    await unjournaled.runtime.handleEvent(registered, at(NIGHT));
    // Assess
    expect(await handedOnJournal(bare, "u1", [flash])).toEqual([]);
    expect(unjournaled.delivered.map((effect) => effect.type)).toEqual([
      "journey.entered",
      "message.suppressed",
      "journey.exited",
    ]);
    expect(unjournaled.delivered).toEqual(journaling.delivered);
  });

  it("counts a decision's own reservation once when its save loses a race and it decides again", async () => {
    // Prepare: cap of one; the record save fails once after the send was reserved.
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([greeter("welcome", 90)]), store, DEFAULTS);
    const realPut = store.putRecord.bind(store);
    let failures = 0;
    store.putRecord = async (record, expected) => {
      // Another writer saves a record with no run first: this save is refused, the input decided again.
      if (failures++ === 0)
        await realPut(
          { ...record, entries: 0, run: undefined, lastTriggerAt: undefined, pending: undefined, recentEventIds: [] },
          expected,
        );
      return realPut(record, expected);
    };
    // Act
    await runtime.handleEvent(shopEvent("user.registered", MORNING, { userId: "u1" }), at(MORNING));
    // Assess: sent (not deferred by its own reservation), and in the log once.
    expect(ofType(delivered, "message.sent")).toHaveLength(1);
    expect(ofType(delivered, "message.deferred")).toEqual([]);
    expect(store.users.get("u1")?.value.sends).toHaveLength(1);
    expect(runtime.stats.conflicts).toBe(1);
  });

  it("prunes sends no cap counts any more as it records a new one", async () => {
    // Prepare: a send two days ago (past every 24-hour window) and one this morning on sms.
    const store = new MemoryStore();
    const old = {
      id: "x:1:message",
      at: "2026-11-23T02:00:00Z",
      journeyId: "x",
      channel: "push",
      category: "marketing",
    };
    const recent = {
      id: "y:1:message",
      at: "2026-11-25T01:30:00Z",
      journeyId: "y",
      channel: "sms",
      category: "marketing",
    };
    await store.putUser("u1", { sends: [old, recent] }, undefined);
    const { runtime } = harness(new JourneyCatalog([greeter("welcome", 90)]), store, DEFAULTS);
    // Act
    await runtime.handleEvent(shopEvent("user.registered", MORNING, { userId: "u1" }), at(MORNING));
    // Assess
    expect(store.users.get("u1")?.value.sends?.map((sent) => sent.journeyId)).toEqual(["y", "welcome"]);
  });
});
