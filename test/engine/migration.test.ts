import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type CompiledJourney, compileJourney } from "../../functions/engine/compile.ts";
import { decideEvent, decideWakeUp } from "../../functions/engine/decide.ts";
import type { RunRecord, WakeUp } from "../../functions/engine/model.ts";
import { DEFAULT_POLICY_CONFIG } from "../../functions/engine/policy-state.ts";
import { type Journey, journeySchema } from "../../functions/language/schema.ts";
import { shopEvent } from "./fixtures.ts";

/**
 * Runs in flight moved by the newest version's migration map (functions/engine/migration.ts), on the worked
 * example test/fixtures/journeys/migration/: welcome-series version 1 (tips after 3 days, a survey a week
 * later, an order ends the run) and version 2 (tips after 2 days, then a wait for an order), whose map moves
 * version 1's runs waiting at wait-3-days and wait-7-days.
 */

const FIXTURES = new URL("../fixtures/journeys/migration/", import.meta.url);
const fixture = (name: string): Journey =>
  journeySchema.parse(JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")));
const v1 = compileJourney(fixture("welcome-series.v1.json"));
const v2 = compileJourney(fixture("welcome-series.json"));
/** Version 2 with a map that ends the runs waiting for the tips, and leaves those waiting for the survey. */
const v2Exits = compileJourney({
  ...fixture("welcome-series.json"),
  migrate: { from: 1, steps: { "wait-3-days": "exit" } },
});

const REGISTERED = "2026-11-02T02:00:00Z";
const DAY = 86_400_000;

/** A version 1 run of u1, entered at REGISTERED, waiting at wait-3-days (or, after its wake-up, wait-7-days). */
function v1Run(at: "wait-3-days" | "wait-7-days"): RunRecord {
  const entered = decideEvent({
    current: v1,
    record: undefined,
    key: "u1",
    profile: undefined,
    now: Date.parse(REGISTERED),
    event: shopEvent("user.registered", REGISTERED, { userId: "u1" }, "reg-1"),
  });
  if (entered === undefined) throw new Error("no run entered");
  if (at === "wait-3-days") return entered.record;
  const tips = decideWakeUp({
    current: v1,
    record: entered.record,
    key: "u1",
    profile: undefined,
    ...dueNow(entered.record),
  });
  if (tips === undefined) throw new Error("no tips");
  return tips.record;
}

/** The run's pending wake-up, and the time it falls due. */
function dueNow(record: RunRecord): { wakeUp: WakeUp; now: number } {
  const wake = record.run?.wake;
  if (wake === undefined) throw new Error("the run waits for nothing");
  return { wakeUp: { kind: "run", journeyId: record.journeyId, key: record.key, ...wake }, now: Date.parse(wake.at) };
}

const wakeUpAfterDeploy = (current: CompiledJourney, record: RunRecord) =>
  decideWakeUp({ current, runJourney: v1, record, key: "u1", profile: undefined, ...dueNow(record) });

describe("a run of the version a migration map moves from", () => {
  it("moves at its wake-up to the mapped step, as if it had just arrived there, with one journal effect", () => {
    // Prepare
    const record = v1Run("wait-3-days");
    const { now } = dueNow(record);
    // Act
    const decision = wakeUpAfterDeploy(v2, record);
    // Assess: on version 2 at wait-2-days, whose wait starts at the move; nothing sent yet.
    expect(decision?.effects.map((e) => e.type)).toEqual(["journey.migrated"]);
    expect(decision?.effects[0]).toMatchObject({
      version: 2,
      from: { version: 1, step: "wait-3-days" },
      to: "wait-2-days",
      id: `${record.run?.runId}:${record.run?.seq}:migrated`,
    });
    expect(decision?.record.run).toMatchObject({ version: 2, stepId: "wait-2-days", status: "active" });
    expect(Date.parse(decision?.record.run?.wake?.at ?? "")).toBe(now + 2 * DAY);
    expect(decision?.visited).toEqual(["wait-2-days"]);
  });

  it("moves once: the same wake-up again finds it moved and decides nothing; decided again from the old record, the same", () => {
    // Prepare
    const record = v1Run("wait-3-days");
    const moved = wakeUpAfterDeploy(v2, record);
    // Act
    const redelivered = decideWakeUp({
      current: v2,
      record: moved?.record,
      key: "u1",
      profile: undefined,
      ...dueNow(record),
    });
    const retried = wakeUpAfterDeploy(v2, record);
    // Assess
    expect(redelivered).toBeUndefined();
    expect(retried).toEqual(moved);
  });

  it("moves at an event, and the event then applies to it on the new version", () => {
    // Prepare: waiting for the survey, when version 1 would end the run on an order.
    const record = v1Run("wait-7-days");
    const order = shopEvent("order.placed", "2026-11-06T09:00:00Z", { userId: "u1", orderId: "o1", amount: 120 }, "o1");
    const now = Date.parse(order.time);
    // Act
    const decision = decideEvent({
      current: v2,
      runJourney: v1,
      record,
      key: "u1",
      profile: undefined,
      now,
      event: order,
    });
    const again = decideEvent({
      current: v2,
      record: decision?.record,
      key: "u1",
      profile: undefined,
      now,
      event: order,
    });
    // Assess: moved to wait-for-order, which the order ends: the thanks, not version 1's exit.
    expect(decision?.effects.map((e) => e.type)).toEqual(["journey.migrated", "message.sent", "journey.exited"]);
    expect(decision?.effects[1]).toMatchObject({ version: 2, template: "thanks" });
    expect(again).toBeUndefined();
  });

  it('ends at the move where the map says "exit", and stays on its version at a step the map leaves out', () => {
    // Prepare
    const forTips = v1Run("wait-3-days");
    const forSurvey = v1Run("wait-7-days");
    // Act
    const ended = wakeUpAfterDeploy(v2Exits, forTips);
    const stayed = wakeUpAfterDeploy(v2Exits, forSurvey);
    // Assess
    expect(ended?.effects.map((e) => e.type)).toEqual(["journey.migrated", "journey.exited"]);
    expect(ended?.effects[1]).toMatchObject({ reason: "migrated", version: 2 });
    expect(ended?.record.run?.status).toBe("ended");
    expect(stayed?.effects.map((e) => e.type)).toEqual(["message.sent", "journey.exited"]);
    expect(stayed?.effects[0]).toMatchObject({ version: 1, template: "survey" });
  });

  it("is not moved by imported history, nor by an event the journey does nothing with after the move", () => {
    // Prepare
    const record = v1Run("wait-3-days");
    const old = shopEvent("user.updated", "2026-10-01T00:00:00Z", { userId: "u1", locale: "en" }, "upd-1");
    const now = Date.parse("2026-11-03T00:00:00Z");
    // Act
    const imported = decideEvent({
      current: v2,
      runJourney: v1,
      record,
      key: "u1",
      profile: undefined,
      now,
      history: true,
      event: old,
    });
    const live = decideEvent({ current: v2, runJourney: v1, record, key: "u1", profile: undefined, now, event: old });
    // Assess: history moves nothing; a live event moves the run and is remembered, so it moves nothing twice.
    expect(imported).toBeUndefined();
    expect(live?.effects.map((e) => e.type)).toEqual(["journey.migrated"]);
    expect(live?.record.recentEventIds).toContain("upd-1");
  });

  it("gives back the place in the caps of a message deferred at the step it leaves", () => {
    // Prepare: registered at 22:00 in Shanghai, the welcome is held by the quiet hours until 09:00; version 2
    // maps the welcome's step to itself, so a move decides the welcome afresh.
    const late = "2026-11-02T14:00:00Z";
    const policy = { config: DEFAULT_POLICY_CONFIG, sends: [] };
    const registered = shopEvent("user.registered", late, { userId: "u1" }, "reg-late");
    const held = decideEvent({
      current: v1,
      record: undefined,
      key: "u1",
      profile: undefined,
      now: Date.parse(late),
      policy,
      event: registered,
    });
    const place = held?.policy.reserved[0];
    const again = compileJourney({
      ...fixture("welcome-series.json"),
      migrate: { from: 1, steps: { "send-welcome": "send-welcome" } },
    });
    const update = shopEvent("user.updated", "2026-11-02T15:00:00Z", { userId: "u1", locale: "en" }, "upd-late");
    // Act
    const moved = decideEvent({
      current: again,
      runJourney: v1,
      record: held?.record,
      key: "u1",
      profile: undefined,
      now: Date.parse(update.time),
      policy: { config: DEFAULT_POLICY_CONFIG, sends: place === undefined ? [] : [place] },
      event: update,
    });
    // Assess: the old place given back, the welcome held again under the new step visit.
    expect(held?.effects.map((e) => e.type)).toEqual(["journey.entered", "message.deferred"]);
    expect(place?.held).toBe(true);
    expect(moved?.effects.map((e) => e.type)).toEqual(["journey.migrated", "message.deferred"]);
    expect(moved?.policy.released).toEqual([place?.id]);
    expect(moved?.policy.reserved).toEqual([expect.objectContaining({ held: true })]);
    expect(moved?.policy.reserved[0]?.id).not.toBe(place?.id);
  });
});
