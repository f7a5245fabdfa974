import { describe, expect, it } from "vitest";
import type { SimulationLine } from "../../functions/simulator/simulate.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { NO_POLICIES } from "../support/policies.ts";
import {
  brief,
  dormancyPromise,
  event,
  journeyFrom,
  linesOf,
  plus,
  plusDuration,
  run,
  seedJourney,
} from "./helpers.ts";

const T0 = "2026-11-01T02:00:00Z";
const at = (offset: Parameters<typeof plus>[1]) => plus(T0, offset);
const NUDGE = "coupon-expiry-nudge";

/**
 * A busy month of a small shop, every event at its own time: registrations, an unsubscribe and a
 * subscribe, orders, a promotion order reviewed and one refunded, shop coupons nudged and redeemed, a
 * user falling dormant. Every seed journey has something to do.
 */
const BUSY = [
  event("user.registered", at({}), { userId: "u_1", locale: "zh-CN" }),
  event("user.registered", at({ h: 1 }), { userId: "u_2" }),
  event("user.registered", at({ h: 2 }), { userId: "u_3", locale: "en" }),
  event("user.registered", at({ h: 3 }), { userId: "u_4" }),
  event("user.unsubscribed", at({ h: 12 }), { userId: "u_2" }),
  event("order.placed", at({ d: 1 }), {
    userId: "u_4",
    orderId: "SO-4",
    amount: 59.9,
    currency: "CNY",
    promotionId: "p11",
  }),
  event("user.subscribed", at({ d: 1, h: 12 }), { userId: "u_2" }),
  event("order.placed", at({ d: 2 }), {
    userId: "u_1",
    orderId: "SO-1",
    amount: 268.5,
    currency: "CNY",
    promotionId: "p11",
  }),
  event("coupon.issued", at({ d: 2, h: 1 }), {
    userId: "u_2",
    couponId: "cpn_s2",
    code: "SHOP-S2",
    amountOff: 10,
    expiresAt: at({ d: 3 }),
  }),
  event("coupon.issued", at({ d: 2, h: 2 }), {
    userId: "u_2",
    couponId: "cpn_s3",
    code: "SHOP-S3",
    amountOff: 15,
    expiresAt: at({ d: 10 }),
  }),
  event("order.delivered", at({ d: 3 }), { userId: "u_4", orderId: "SO-4", promotionId: "p11" }),
  event("order.refunded", at({ d: 3, h: 2 }), { userId: "u_4", orderId: "SO-4", amount: 59.9 }),
  event("order.delivered", at({ d: 4 }), { userId: "u_1", orderId: "SO-1", promotionId: "p11" }),
  event("review.posted", at({ d: 4, h: 5 }), { userId: "u_1", orderId: "SO-1", rating: 5 }),
  event("coupon.redeemed", at({ d: 5 }), { userId: "u_2", couponId: "cpn_s3", orderId: "SO-2" }),
  event("order.delivered", at({ d: 6 }), { userId: "u_5", orderId: "SO-5" }),
  event("order.placed", at({ d: 40 }), { userId: "u_4", orderId: "SO-6", amount: 99, currency: "CNY" }),
];

/** A deterministic shuffle (a linear congruential generator), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const withVersion = (lines: readonly SimulationLine[]) =>
  lines.map((line) => ({ ...brief([line])[0], version: line.version }));

describe("engine guarantees", () => {
  it("the busy month touches every seed journey (the file the guarantees below are checked on)", async () => {
    // Prepare
    const lines = BUSY;

    // Act
    const outcome = await run(lines);

    // Assess
    expect(outcome.invalid).toEqual([]);
    // Runs' lines: member-day's occurrences are printed too (campaign.started), with no one to enter here.
    const journeys = new Set(outcome.lines.filter((line) => line.run !== "").map((line) => line.journey));
    expect([...journeys].sort()).toEqual([
      "coupon-expiry-nudge",
      "dormancy-reactivation",
      "new-user-coupon",
      "onboarding-guide",
      "post-promotion-review",
    ]);
    expect(outcome.linesOf("message.suppressed", "onboarding-guide")).toHaveLength(1);
    expect(outcome.linesOf("journey.exited", "post-promotion-review").map((line) => line.reason)).toEqual([
      "exit-event",
      "reviewed",
    ]);
  });

  it("gives byte-identical output for two simulations of the same input", async () => {
    // Prepare
    const lines = BUSY;

    // Act
    const first = await run(lines);
    const second = await run(lines);

    // Assess
    expect(first.lines.length).toBeGreaterThan(50);
    expect(second.text).toBe(first.text);
  });

  it("changes nothing for duplicate events, wherever in the file the second copy is", async () => {
    // Prepare: every event twice (the copies at the end, reversed), and three of them a third time at the start.
    const reference = await run(BUSY);
    const lines = [...BUSY.slice(-3), ...BUSY, ...[...BUSY].reverse()];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(outcome.invalid).toEqual([]);
    expect(outcome.text).toBe(reference.text);
  });

  it("changes nothing for a duplicate trigger, even in a journey that lets a user enter again after exit", async () => {
    // Prepare: a thank-you per order; every order may start a run once the previous one ended.
    const thanks = journeyFrom({
      id: "order-thanks",
      version: 1,
      name: "Thank you",
      trigger: { type: "event", pattern: { "detail-type": ["order.placed"] } },
      reentry: { type: "after-exit" },
      start: "send-thanks",
      steps: [{ id: "send-thanks", type: "send", channel: "push", template: "thanks" }],
      templates: { thanks: { "zh-CN": "感谢下单 {{ trigger.detail.orderId }}" } },
    });
    const first = event("order.placed", at({ h: 1 }), { userId: "u_1", orderId: "SO-1", amount: 1, currency: "CNY" });
    const second = event("order.placed", at({ h: 2 }), { userId: "u_1", orderId: "SO-2", amount: 1, currency: "CNY" });
    const lines = [first, first, second, first];

    // Act
    // Without caps: the second thanks, an hour after the first, is about duplicates, not frequency.
    const outcome = await run(lines, { journeys: [thanks], policies: NO_POLICIES });

    // Assess
    expect(brief(outcome.linesOf("message.sent"))).toEqual([
      {
        at: at({ h: 1 }),
        journey: "order-thanks",
        run: "order-thanks:u_1:1",
        type: "message.sent",
        template: "thanks",
      },
      {
        at: at({ h: 2 }),
        journey: "order-thanks",
        run: "order-thanks:u_1:2",
        type: "message.sent",
        template: "thanks",
      },
    ]);
  });

  it("gives the same output for events out of order in the file as for the sorted file", async () => {
    // Prepare
    const reference = await run(BUSY);

    // Act
    const reversed = await run([...BUSY].reverse());
    const mixed = await run(shuffled(BUSY, 42));

    // Assess
    expect(reversed.text).toBe(reference.text);
    expect(mixed.text).toBe(reference.text);
  });

  it("cancels a pending timer when the exit event arrives first: an order just before the dormancy reminder", async () => {
    // Prepare: the user falls dormant the journey's idle time after registering (read from its file).
    const dormancy = dormancyPromise();
    const entered = plusDuration(T0, dormancy.idle);
    const reminder = plusDuration(entered, dormancy.reminderAfter);
    const lines = [
      event("user.registered", T0, { userId: "u_1" }),
      event("order.placed", plus(reminder, { m: -1 }), {
        userId: "u_1",
        orderId: "SO-1",
        amount: 1,
        currency: "CNY",
      }),
    ];

    // Act
    const outcome = await run(lines, { until: plus(reminder, { d: 13 }) });

    // Assess
    expect(outcome.linesOf("message.sent", "dormancy-reactivation").map((line) => line.template)).toEqual([
      dormancy.firstMessage.template,
    ]);
    expect(brief(outcome.linesOf("journey.exited", "dormancy-reactivation"))).toEqual([
      {
        at: plus(reminder, { m: -1 }),
        journey: "dormancy-reactivation",
        run: "dormancy-reactivation:u_1:1",
        type: "journey.exited",
        reason: "exit-event",
        event: "order.placed",
      },
    ]);
  });

  it("cancels a coupon's nudge when it is redeemed a minute before", async () => {
    // Prepare
    const expiresAt = at({ d: 5 });
    const lines = [
      event("coupon.issued", T0, { userId: "u_1", couponId: "cpn_x", code: "X-1", amountOff: 5, expiresAt }),
      event("coupon.redeemed", plus(expiresAt, { h: -24, m: -1 }), {
        userId: "u_1",
        couponId: "cpn_x",
        orderId: "SO-1",
      }),
    ];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(NUDGE))).toEqual([
      { at: T0, journey: NUDGE, run: `${NUDGE}:cpn_x:1`, type: "journey.entered" },
      {
        at: plus(expiresAt, { h: -24, m: -1 }),
        journey: NUDGE,
        run: `${NUDGE}:cpn_x:1`,
        type: "journey.exited",
        reason: "exit-event",
        event: "coupon.redeemed",
      },
    ]);
  });

  describe("an exit event before its trigger", () => {
    const issued = (time: string) =>
      event(
        "coupon.issued",
        time,
        { userId: "u_1", couponId: "cpn_x", code: "X-1", amountOff: 5, expiresAt: "2026-11-10T02:00:00Z" },
        `issued-${time}`,
      );
    const redeemed = (time: string) =>
      event("coupon.redeemed", time, { userId: "u_1", couponId: "cpn_x", orderId: "SO-1" }, `redeemed-${time}`);
    const RUN = `${NUDGE}:cpn_x:1`;

    it("in the file but later in time is applied in time order: the run enters, then exits", async () => {
      // Prepare: redeemed 10:00 (Shanghai 18:00) comes first in the file; the coupon was issued at 09:00.
      const lines = [redeemed("2026-11-05T10:00:00Z"), issued("2026-11-05T09:00:00Z")];

      // Act
      const outcome = await run(lines);

      // Assess
      expect(brief(outcome.journey(NUDGE))).toEqual([
        { at: "2026-11-05T09:00:00Z", journey: NUDGE, run: RUN, type: "journey.entered" },
        {
          at: "2026-11-05T10:00:00Z",
          journey: NUDGE,
          run: RUN,
          type: "journey.exited",
          reason: "exit-event",
          event: "coupon.redeemed",
        },
      ]);
    });

    it("earlier in time does not prevent a later trigger for the same key", async () => {
      // Prepare: a redemption stamped 08:00 for a coupon (re)issued at 09:00.
      const lines = [redeemed("2026-11-05T08:00:00Z"), issued("2026-11-05T09:00:00Z")];

      // Act
      const outcome = await run(lines);

      // Assess
      expect(brief(outcome.journey(NUDGE))).toEqual([
        { at: "2026-11-05T09:00:00Z", journey: NUDGE, run: RUN, type: "journey.entered" },
        { at: "2026-11-09T02:00:00Z", journey: NUDGE, run: RUN, type: "message.sent", template: "expiring" },
        { at: "2026-11-09T02:00:00Z", journey: NUDGE, run: RUN, type: "journey.exited", reason: "completed" },
      ]);
    });

    it("already applied prevents a trigger stamped earlier that is delivered late, but not one stamped later", async () => {
      // Prepare: the redemption (10:00) is processed first; the coupon.issued stamped 09:00 is delivered in a
      // later batch on the same store, and so is, for another store, one stamped 11:00.
      const late = new MemoryStore();
      const afterwards = new MemoryStore();
      await run([redeemed("2026-11-05T10:00:00Z")], { store: late });
      await run([redeemed("2026-11-05T10:00:00Z")], { store: afterwards });

      // Act
      const earlier = await run([issued("2026-11-05T09:00:00Z")], { store: late });
      const later = await run([issued("2026-11-05T11:00:00Z")], { store: afterwards });

      // Assess
      expect(earlier.journey(NUDGE)).toEqual([]);
      expect(brief(later.journey(NUDGE))).toEqual([
        { at: "2026-11-05T11:00:00Z", journey: NUDGE, run: RUN, type: "journey.entered" },
        { at: "2026-11-09T02:00:00Z", journey: NUDGE, run: RUN, type: "message.sent", template: "expiring" },
        { at: "2026-11-09T02:00:00Z", journey: NUDGE, run: RUN, type: "journey.exited", reason: "completed" },
      ]);
    });
  });

  it("reports invalid events with their line and id, skips them, and runs the rest", async () => {
    // Prepare: line 2 is blank; the refused order on line 3 would have converted u_1's goal.
    const valid = [
      event("user.registered", T0, { userId: "u_1" }),
      event("user.registered", at({ h: 1 }), { userId: "u_2" }),
    ];
    const lines = [
      valid[0] as string,
      "",
      event("order.placed", at({ d: 1 }), { userId: "u_1", orderId: "SO-1", amount: -5, currency: "CNY" }, "bad-order"),
      '{"id": "broken", "detail-type": ',
      event(
        "coupon.issued",
        at({ d: 1 }),
        { userId: "u_1", couponId: "cpn_x", amountOff: 5, expiresAt: at({ d: 3 }) },
        "bad-coupon",
      ),
      valid[1] as string,
    ];
    const reference = await run(valid);

    // Act
    const outcome = await run(lines);

    // Assess
    expect(outcome.invalid).toEqual([
      { line: 3, eventId: "bad-order", message: expect.stringContaining("detail.amount") },
      { line: 4, eventId: undefined, message: expect.stringContaining("not valid JSON") },
      { line: 5, eventId: "bad-coupon", message: expect.stringContaining("detail.code") },
    ]);
    expect(outcome.linesOf("goal.converted")).toEqual([]);
    expect(outcome.linesOf("journey.entered", NUDGE).map((line) => line.run)).not.toContain(`${NUDGE}:cpn_x:1`);
    expect(outcome.text).toBe(reference.text);
    // Each user's welcome push and coupon pop-up.
    expect(outcome.linesOf("message.sent", "new-user-coupon").map((line) => line.user)).toEqual([
      "u_1",
      "u_1",
      "u_2",
      "u_2",
    ]);
  });

  it("finishes runs in flight on a journey's version when it is edited to the next; new entries get the next", async () => {
    // Prepare: the next version words the guides differently and waits two days before guide 3.
    const J = "onboarding-guide";
    const v1 = seedJourney(J);
    const v2 = seedJourney(J);
    v2.version = v1.version + 1;
    v2.steps = v2.steps.map((step) => (step.id === "wait-day-2" ? { ...step, for: "P2D" } : step));
    for (const [id, texts] of Object.entries(v2.templates)) v2.templates[id] = { ...texts, "zh-CN": `【V2】${id}` };
    const store = new MemoryStore();
    // u_a registers while only version 1 exists; then version 2 is deployed, and u_b registers.
    const before = await run([event("user.registered", T0, { userId: "u_a" })], {
      journeys: [v1],
      store,
      until: at({ h: 12 }),
      policies: NO_POLICIES,
    });
    const B = at({ h: 13 });

    // Act
    const after = await run([event("user.registered", B, { userId: "u_b" })], {
      journeys: [v1, v2],
      policies: NO_POLICIES,
      store,
      until: at({ d: 10 }),
    });

    // Assess
    const lines = [...before.lines, ...after.lines];
    const runA = `${J}:u_a:1`;
    const runB = `${J}:u_b:1`;
    const v1Run = (time: string, type: string, extra: Record<string, unknown> = {}) => ({
      at: time,
      journey: J,
      run: runA,
      type,
      ...extra,
      version: v1.version,
    });
    const v2Run = (time: string, type: string, extra: Record<string, unknown> = {}) => ({
      at: time,
      journey: J,
      run: runB,
      type,
      ...extra,
      version: v2.version,
    });
    expect(withVersion(lines.filter((line) => line.run === runA))).toEqual([
      v1Run(T0, "journey.entered"),
      v1Run(T0, "message.sent", { template: "guide-1" }),
      v1Run(at({ d: 1 }), "message.sent", { template: "guide-2" }),
      v1Run(at({ d: 2 }), "message.sent", { template: "guide-3" }),
      v1Run(at({ d: 2 }), "journey.exited", { reason: "completed" }),
    ]);
    expect(withVersion(lines.filter((line) => line.run === runB))).toEqual([
      v2Run(B, "journey.entered"),
      v2Run(B, "message.sent", { template: "guide-1" }),
      v2Run(plus(B, { d: 1 }), "message.sent", { template: "guide-2" }),
      v2Run(plus(B, { d: 3 }), "message.sent", { template: "guide-3" }),
      v2Run(plus(B, { d: 3 }), "journey.exited", { reason: "completed" }),
    ]);
    const texts = (runId: string) =>
      linesOf(lines, "message.sent", J)
        .filter((l) => l.run === runId)
        .map((l) => l.text);
    expect(texts(runA).some((text) => String(text).includes("【V2】"))).toBe(false);
    expect(texts(runB)).toEqual(["【V2】guide-1", "【V2】guide-2", "【V2】guide-3"]);
  });
});
