import { describe, expect, it } from "vitest";
import type { SimulationLine } from "../../functions/simulator/simulate.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { brief, couponOf, event, linesOf, only, plus, run, seedJourney } from "./helpers.ts";

const J = "dormancy-reactivation";
const RUN_1 = `${J}:u_1:1`;
const RUN_2 = `${J}:u_1:2`;
const T0 = "2026-09-01T02:00:00Z";
/** Thirty idle days after registration. */
const DUE = plus(T0, { d: 30 });

const registered = (userId = "u_1", time = T0) => event("user.registered", time, { userId });
const order = (time: string, orderId: string, userId = "u_1") =>
  event("order.placed", time, { userId, orderId, amount: 199, currency: "CNY" }, `order-${orderId}`);

const line = (at: string, runId: string, type: string, extra: Record<string, unknown> = {}) => ({
  at,
  journey: J,
  run: runId,
  type,
  ...extra,
});

/** Entry: the exclusive coupon and the comeback message, all at once. */
const entry = (at: string, runId: string) => [
  line(at, runId, "journey.entered"),
  line(at, runId, "coupon.issued"),
  line(at, runId, "message.sent", { template: "comeback" }),
];

describe("dormancy-reactivation", () => {
  it("gives a user idle 30 days since registration an exclusive coupon with a message, then one reminder 7 days later", async () => {
    // Prepare
    const lines = [registered()];

    // Act
    const outcome = await run(lines, { until: plus(T0, { d: 60 }) });

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      ...entry(DUE, RUN_1),
      line(plus(DUE, { d: 7 }), RUN_1, "message.sent", { template: "reminder" }),
      line(plus(DUE, { d: 7 }), RUN_1, "journey.exited", { reason: "completed" }),
    ]);
    const coupon = couponOf(only(outcome.lines, "coupon.issued", J));
    expect(coupon).toEqual({
      couponId: expect.stringMatching(/^cpn\./),
      code: expect.stringMatching(/^BACK[2-9A-HJ-NP-Z]+$/),
      amountOff: 30,
      currency: "CNY",
      minSpend: 99,
      freeShipping: true,
      expiresAt: plus(DUE, { d: 14 }),
    });
    for (const message of outcome.linesOf("message.sent", J)) expect(message.text).toContain(coupon.code);
  });

  it("writes one timer for a run of orders: the pending wake-up re-arms for the last order when it fires", async () => {
    // Prepare: a store that counts the inactivity wake-ups it is asked to keep; five orders a week apart.
    const store = new MemoryStore();
    const scheduled: string[] = [];
    const schedule = store.scheduleWakeUp.bind(store);
    store.scheduleWakeUp = async (wakeUp) => {
      if (wakeUp.kind === "inactivity" && wakeUp.journeyId === J) scheduled.push(wakeUp.at);
      return schedule(wakeUp);
    };
    const orders = [1, 8, 15, 22, 29].map((day) => order(plus(T0, { d: day }), `SO-${day}`));
    // Act
    const outcome = await run([registered(), ...orders], { until: plus(T0, { d: 70 }), store });
    // Assess: the clock armed at registration (due day 30) fires once, re-arms for day 59 (thirty days
    // after the last order), and the user enters then: two timers instead of six.
    expect(scheduled).toEqual([DUE, plus(T0, { d: 59 })]);
    expect(brief(outcome.journey(J)).slice(0, 3)).toEqual(entry(plus(T0, { d: 59 }), RUN_1));
  });

  it.each([
    ["the last order, placed after registration", [order(plus(T0, { d: 10 }), "SO-1")], plus(T0, { d: 40 })],
    ["registration, when a guest order came before it", [order(plus(T0, { d: -10 }), "SO-0")], DUE],
    [
      "the last of several orders",
      [order(plus(T0, { d: 3 }), "SO-1"), order(plus(T0, { d: 12 }), "SO-2"), order(plus(T0, { d: 8 }), "SO-3")],
      plus(T0, { d: 42 }),
    ],
  ])("counts the 30 days from the later of registration and the last order: %s", async (_what, orders, expected) => {
    // Prepare
    const lines = [registered(), ...orders];

    // Act
    const outcome = await run(lines, { until: plus(T0, { d: 50 }) });

    // Assess
    expect(brief(outcome.linesOf(["journey.entered", "holdout"], J))).toEqual([
      line(expected, RUN_1, "journey.entered"),
    ]);
  });

  it("exits at once on an order, converts the goal and cancels the reminder", async () => {
    // Prepare
    const lines = [registered(), order(plus(DUE, { d: 3 }), "SO-1")];

    // Act
    const outcome = await run(lines, { until: plus(T0, { d: 60 }) });

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      ...entry(DUE, RUN_1),
      line(plus(DUE, { d: 3 }), RUN_1, "goal.converted", {
        event: { id: "order-SO-1", "detail-type": "order.placed" },
      }),
      line(plus(DUE, { d: 3 }), RUN_1, "journey.exited", { reason: "exit-event", event: "order.placed" }),
    ]);
  });

  it("converts the goal on an order within 14 days of entry, also after the run ended, but not on day 15", async () => {
    // Prepare: u_1 orders 10 days after entry (after the reminder); u_2, an hour behind, on day 15.
    const lines = [
      registered("u_1"),
      registered("u_2", plus(T0, { h: 1 })),
      order(plus(DUE, { d: 10 }), "SO-1", "u_1"),
      order(plus(DUE, { d: 14, h: 13 }), "SO-2", "u_2"),
    ];

    // Act
    const outcome = await run(lines, { until: plus(T0, { d: 60 }) });

    // Assess
    expect(brief(outcome.linesOf(["goal.converted", "journey.exited"], J))).toEqual([
      line(plus(DUE, { d: 7 }), RUN_1, "journey.exited", { reason: "completed" }),
      line(plus(DUE, { d: 7, h: 1 }), `${J}:u_2:1`, "journey.exited", { reason: "completed" }),
      line(plus(DUE, { d: 10 }), RUN_1, "goal.converted", {
        event: { id: "order-SO-1", "detail-type": "order.placed" },
      }),
    ]);
  });

  it("enters again after a new order and another 30 idle days", async () => {
    // Prepare
    const ordered = plus(DUE, { d: 3 });
    const again = plus(ordered, { d: 30 });
    const lines = [registered(), order(ordered, "SO-1")];

    // Act
    const outcome = await run(lines, { until: plus(again, { d: 20 }) });

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      ...entry(DUE, RUN_1),
      line(ordered, RUN_1, "goal.converted", { event: { id: "order-SO-1", "detail-type": "order.placed" } }),
      line(ordered, RUN_1, "journey.exited", { reason: "exit-event", event: "order.placed" }),
      ...entry(again, RUN_2),
      line(plus(again, { d: 7 }), RUN_2, "message.sent", { template: "reminder" }),
      line(plus(again, { d: 7 }), RUN_2, "journey.exited", { reason: "completed" }),
    ]);
    const [first, second] = outcome.linesOf("coupon.issued", J).map(couponOf);
    expect(second?.code).not.toBe(first?.code);
    expect(outcome.linesOf("message.sent", J).at(-1)?.text).toContain(second?.code);
  });

  describe("10% holdout", () => {
    const USERS = 2000;
    const userIds = Array.from({ length: USERS }, (_, i) => `u_${String(i).padStart(4, "0")}`);

    /** Every user registers (a minute apart); every fourth orders 3 days after entering. */
    function population(start: string, order_: readonly string[]) {
      const lines: string[] = [];
      order_.forEach((userId, i) => {
        const at = plus(start, { m: i });
        lines.push(registered(userId, at));
        if (i % 4 === 0) lines.push(order(plus(at, { d: 33 }), `SO-${userId}`, userId));
      });
      return lines;
    }
    const holdoutUsers = (lines: readonly SimulationLine[]) =>
      linesOf(lines, "holdout", J)
        .map((l) => l.user)
        .sort();

    it("keeps about 10% of entrants as a control group: no coupon, no message, but exits and goals recorded", async () => {
      // Prepare
      const lines = population(T0, userIds);
      const orderers = new Set(userIds.filter((_, i) => i % 4 === 0));

      // Act: up to before anyone's second entry.
      // Without its coupon budget: thousands fall dormant the same day here, which the budget would spread.
      const journey = seedJourney(J);
      journey.policy = { ...journey.policy, couponBudget: undefined };
      const outcome = await run(lines, { journeys: [journey], until: plus(T0, { d: 60 }) });

      // Assess
      const holdouts = outcome.linesOf("holdout", J);
      const entered = outcome.linesOf("journey.entered", J);
      expect(holdouts.length + entered.length).toBe(USERS);
      expect(holdouts.length).toBeGreaterThanOrEqual(USERS * 0.07);
      expect(holdouts.length).toBeLessThanOrEqual(USERS * 0.13);

      const holdoutRuns = new Set(holdouts.map((l) => l.run));
      const ofHoldouts = outcome.lines.filter((l) => holdoutRuns.has(l.run));
      expect(ofHoldouts.filter((l) => l.type === "coupon.issued" || l.type === "message.sent")).toEqual([]);
      // Every holdout run ends: on its order (exit-event) or after the reminder's time (completed).
      const exits = ofHoldouts.filter((l) => l.type === "journey.exited");
      expect(exits.map((l) => l.run).sort()).toEqual([...holdoutRuns].sort());
      for (const exit of exits) {
        expect(exit.reason).toBe(orderers.has(exit.user) ? "exit-event" : "completed");
      }
      // Holdout users who ordered within 14 days converted, as in the treated group.
      const holdoutOrderers = holdouts.filter((l) => orderers.has(l.user));
      expect(holdoutOrderers.length).toBeGreaterThan(0);
      expect(
        ofHoldouts
          .filter((l) => l.type === "goal.converted")
          .map((l) => l.user)
          .sort(),
      ).toEqual(holdoutOrderers.map((l) => l.user).sort());

      // Treated users get the coupon and the message.
      expect(outcome.linesOf("coupon.issued", J)).toHaveLength(entered.length);
    });

    it("holds out the same users on every run, whatever the times and file order", async () => {
      // Prepare
      const first = population(T0, userIds);
      const second = population(plus(T0, { d: 3, h: 7 }), [...userIds].reverse());

      // Act
      const a = await run(first, { journeys: [seedJourney(J)], until: plus(T0, { d: 45 }) });
      const b = await run(second, { journeys: [seedJourney(J)], until: plus(T0, { d: 48 }) });

      // Assess
      expect(holdoutUsers(a.lines).length).toBeGreaterThan(0);
      expect(holdoutUsers(b.lines)).toEqual(holdoutUsers(a.lines));
    });
  });
});
