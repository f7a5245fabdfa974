import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../../functions/engine/model.ts";
import { parsePolicyConfig } from "../../../functions/engine/policies/config.ts";
import type { JourneyInput } from "../../../functions/language/schema.ts";
import { MemoryStore } from "../../../functions/store/memory/memory-store.ts";
import { at, fireWakeUpsUntil, harness, journey, shopEvent } from "../fixtures.ts";

/** Quiet hours on each user's own clock, across a daylight-saving change; coupon budgets and their fallbacks. */

const DEFAULTS = parsePolicyConfig({});
const ofType = (effects: readonly JourneyEffect[], type: JourneyEffect["type"]) =>
  effects.filter((effect) => effect.type === type);

const greeter = journey({
  id: "greeter",
  start: "greet",
  steps: [{ id: "greet", type: "send", channel: "push", template: "hello" }],
});
const registered = (userId: string, time: string, timezone?: string) =>
  shopEvent("user.registered", time, { userId, ...(timezone === undefined ? {} : { timezone }) });

describe("quiet hours on the user's clock", () => {
  it("holds a message for a user whose evening it is and sends it at once to one whose afternoon it is", async () => {
    // Prepare: 14:00 UTC is 22:00 in Shanghai and 14:00 in London.
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([greeter]), store, DEFAULTS);
    const time = "2026-11-25T14:00:00Z";
    // Act
    for (const event of [registered("u-sh", time, "Asia/Shanghai"), registered("u-ldn", time, "Europe/London")])
      await runtime.handleEvent(event, at(time));
    // Assess
    expect(ofType(delivered, "message.sent").map((effect) => [effect.user, effect.at])).toEqual([["u-ldn", time]]);
    expect(ofType(delivered, "message.deferred")).toEqual([
      // 09:00 in Shanghai, plus (100 - 50) s for the journey's default priority.
      expect.objectContaining({ user: "u-sh", reason: "quiet-hours", until: "2026-11-26T01:00:50Z" }),
    ]);
  });

  it("uses the platform's zone for a user whose profile names none", async () => {
    // Prepare
    const { runtime, delivered } = harness(new JourneyCatalog([greeter]), new MemoryStore(), DEFAULTS);
    // Act: 14:00 UTC, 22:00 in Asia/Shanghai (the default).
    await runtime.handleEvent(registered("u1", "2026-11-25T14:00:00Z"), at("2026-11-25T14:00:00Z"));
    // Assess
    expect(ofType(delivered, "message.deferred")).toHaveLength(1);
  });

  it("ends the quiet hours at 09:00 local across the night the clocks go forward (New York, 8 March 2026)", async () => {
    // Prepare: 22:00 EST on 7 March is 03:00Z; 09:00 EDT on 8 March is 13:00Z, not 14:00Z.
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([greeter]), store, DEFAULTS);
    await runtime.handleEvent(
      registered("u-ny", "2026-03-08T03:00:00Z", "America/New_York"),
      at("2026-03-08T03:00:00Z"),
    );
    // Act
    await fireWakeUpsUntil(store, runtime, "2026-03-09T00:00:00Z");
    // Assess
    expect(ofType(delivered, "message.sent").map((effect) => effect.at)).toEqual(["2026-03-08T13:00:50Z"]);
  });

  it("ends the quiet hours at 09:00 local across the night the clocks go back (London, 25 October 2026)", async () => {
    // Prepare: 22:00 BST on 24 October is 21:00Z; 09:00 GMT on 25 October is 09:00Z.
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([greeter]), store, DEFAULTS);
    await runtime.handleEvent(registered("u-ldn", "2026-10-24T21:00:00Z", "Europe/London"), at("2026-10-24T21:00:00Z"));
    // Act
    await fireWakeUpsUntil(store, runtime, "2026-10-26T00:00:00Z");
    // Assess
    expect(ofType(delivered, "message.sent").map((effect) => effect.at)).toEqual(["2026-10-25T09:00:50Z"]);
  });
});

/** A welcome coupon of 20 with a budget of 40 a day: the third sign-up of a day finds it spent. */
const welcome = (whenExhausted: "skip-coupon" | "hold") =>
  journey({
    id: "welcome",
    priority: 90,
    policy: { couponBudget: { perDay: 40, whenExhausted } },
    templates: {
      coupon: { "zh-CN": "券码 {{ coupon.code }}" },
      plain: { "zh-CN": "欢迎" },
    },
    start: "issue",
    steps: [
      { id: "issue", type: "issue-coupon", amountOff: 20, validFor: "P7D", next: "which" },
      {
        id: "which",
        type: "branch",
        branches: [{ condition: { steps: { issue: { withheld: [{ exists: true }] } } }, next: "plain" }],
        otherwise: "with-coupon",
      },
      { id: "with-coupon", type: "send", channel: "sms", template: "coupon" },
      { id: "plain", type: "send", channel: "sms", template: "plain" },
    ],
  } satisfies Partial<JourneyInput> & Pick<JourneyInput, "steps" | "start">);

/** Three sign-ups in the afternoon in Shanghai. */
const signUps = ["u1", "u2", "u3"].map((userId, index) =>
  registered(userId, `2026-11-25T0${4 + index}:00:00Z`, "Asia/Shanghai"),
);

describe("coupon budgets", () => {
  it("skips the coupon but sends the message once the day's budget is spent (skip-coupon)", async () => {
    // Prepare
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([welcome("skip-coupon")]), store, DEFAULTS);
    // Act
    for (const event of signUps) await runtime.handleEvent(event, at(event.time));
    // Assess
    expect(ofType(delivered, "coupon.issued").map((effect) => effect.user)).toEqual(["u1", "u2"]);
    expect(ofType(delivered, "coupon.withheld")).toEqual([
      expect.objectContaining({ user: "u3", reason: "budget-exhausted", rule: "coupon-budget", amountOff: 20 }),
    ]);
    expect(
      ofType(delivered, "message.sent").map((effect) => [effect.user, "template" in effect ? effect.template : ""]),
    ).toEqual([
      ["u1", "coupon"],
      ["u2", "coupon"],
      ["u3", "plain"],
    ]);
    expect((await store.getCouponBudget("welcome", "2026-11-25")).spent).toBe(40);
  });

  it("holds the run until the next day's budget, then issues the coupon (hold)", async () => {
    // Prepare
    const store = new MemoryStore();
    const { runtime, delivered } = harness(new JourneyCatalog([welcome("hold")]), store, DEFAULTS);
    for (const event of signUps) await runtime.handleEvent(event, at(event.time));
    // Act
    await fireWakeUpsUntil(store, runtime, "2026-11-27T00:00:00Z");
    // Assess: midnight in Shanghai plus (100 - 90) s; the message then waits for the quiet hours to end.
    expect(ofType(delivered, "coupon.withheld")).toEqual([
      expect.objectContaining({ user: "u3", until: "2026-11-25T16:00:10Z" }),
    ]);
    const u3 = delivered.filter((effect) => effect.user === "u3").map((effect) => [effect.type, effect.at]);
    expect(u3).toEqual([
      ["journey.entered", "2026-11-25T06:00:00Z"],
      ["coupon.withheld", "2026-11-25T06:00:00Z"],
      ["coupon.issued", "2026-11-25T16:00:10Z"],
      ["message.deferred", "2026-11-25T16:00:10Z"],
      ["message.sent", "2026-11-26T01:00:10Z"],
      ["journey.exited", "2026-11-26T01:00:10Z"],
    ]);
    expect((await store.getCouponBudget("welcome", "2026-11-26")).spent).toBe(20);
  });
});
