import { describe, expect, it } from "vitest";
import { DAY_MS, durationMs, formatInstant } from "../../functions/shared/time.ts";
import type { SimulationLine } from "../../functions/simulator/simulate.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import {
  brief,
  couponOf,
  dormancyPromise,
  event,
  linesOf,
  only,
  platformTraitsFile,
  plus,
  plusDuration,
  run,
  seedJourney,
  seedJourneyVersions,
} from "./helpers.ts";

/**
 * What journeys/dormancy-reactivation.json promises, checked with the parameters read from the file (an
 * operations person may change the idle time, the reminder's delay, the coupon, the goal's window or the
 * holdout): a user idle for the trigger's time gets the coupon and the first message, then the reminder
 * after the wait; an order ends the run and counts as the goal within its window.
 */
const J = "dormancy-reactivation";
const {
  journey: JOURNEY,
  coupon: COUPON,
  branchCoupons: BRANCH_COUPONS,
  firstMessage: FIRST_MESSAGE,
  reminder: REMINDER,
  idle: IDLE,
  idleMs: IDLE_MS,
  reminderAfter: REMINDER_AFTER,
  reminderMs: REMINDER_MS,
} = dormancyPromise();
/** The goal's window from entry. */
const GOAL_WITHIN = JOURNEY.goal?.within ?? "PT0S";
const GOAL_MS = durationMs(GOAL_WITHIN);
const HOLDOUT = (JOURNEY.holdoutPercent ?? 0) / 100;

const RUN_1 = `${J}:u_1:1`;
const RUN_2 = `${J}:u_1:2`;
const T0 = "2026-09-01T02:00:00Z";
/** A UTC ISO time plus milliseconds. */
const plusMs = (time: string, ms: number) => formatInstant(Date.parse(time) + Math.round(ms));
/** When a user registered at T0 and idle since falls dormant. */
const DUE = plusDuration(T0, IDLE);
/**
 * Whole days, so that a time after T0 (10:00 in Shanghai) stays out of the platform's quiet hours, which would
 * defer a message and move the lines a test compares.
 */
const wholeDays = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
/** Between entry and the reminder: an order then ends the run before the reminder. */
const BEFORE_REMINDER_MS = Math.max(DAY_MS, wholeDays(REMINDER_MS / 2));

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

/** Entry: the exclusive coupon and the first message, all at once. */
const entry = (at: string, runId: string) => [
  line(at, runId, "journey.entered"),
  line(at, runId, "coupon.issued"),
  line(at, runId, "message.sent", { template: FIRST_MESSAGE.template }),
];

describe("dormancy-reactivation", () => {
  it("gives a user idle since registration an exclusive coupon with a message, then one reminder after the wait", async () => {
    // Prepare
    const lines = [registered()];

    // Act
    const outcome = await run(lines, { until: plus(plusDuration(DUE, REMINDER_AFTER), { d: 1 }) });

    // Assess
    const reminded = plusDuration(DUE, REMINDER_AFTER);
    expect(brief(outcome.journey(J))).toEqual([
      ...entry(DUE, RUN_1),
      line(reminded, RUN_1, "message.sent", { template: REMINDER.template }),
      line(reminded, RUN_1, "journey.exited", { reason: "completed" }),
    ]);
    const coupon = couponOf(only(outcome.lines, "coupon.issued", J));
    expect(coupon).toEqual({
      couponId: expect.stringMatching(/^cpn\./),
      code: expect.stringMatching(new RegExp(`^${COUPON.codePrefix ?? ""}[2-9A-HJ-NP-Z]+$`)),
      amountOff: COUPON.amountOff,
      currency: COUPON.currency,
      ...(COUPON.minSpend === undefined ? {} : { minSpend: COUPON.minSpend }),
      freeShipping: COUPON.freeShipping,
      expiresAt: plusDuration(DUE, COUPON.validFor),
    });
    for (const message of outcome.linesOf("message.sent", J)) expect(message.text).toContain(coupon.code);
  });

  it("writes one timer for a run of orders: the pending wake-up re-arms for the last order when it fires", async () => {
    // Prepare: a store that counts the inactivity wake-ups it is asked to keep; five orders spread over the
    // idle time after registration, the last before it runs out.
    const store = new MemoryStore();
    const scheduled: string[] = [];
    const schedule = store.scheduleWakeUp.bind(store);
    store.scheduleWakeUp = async (wakeUp) => {
      if (wakeUp.kind === "inactivity" && wakeUp.journeyId === J) scheduled.push(wakeUp.at);
      return schedule(wakeUp);
    };
    const orderTimes = [1, 2, 3, 4, 5].map((sixth) => plusMs(T0, wholeDays((IDLE_MS * sixth) / 6)));
    const orders = orderTimes.map((time, i) => order(time, `SO-${i + 1}`));
    const lastOrder = orderTimes.at(-1) ?? T0;
    // Act
    const outcome = await run([registered(), ...orders], {
      until: plus(plusDuration(lastOrder, IDLE), { d: 1 }),
      store,
    });
    // Assess: the clock armed at registration fires once when the idle time since registration is over,
    // re-arms for the idle time after the last order, and the user enters then: two timers instead of six.
    expect(scheduled).toEqual([DUE, plusDuration(lastOrder, IDLE)]);
    expect(brief(outcome.journey(J)).slice(0, 3)).toEqual(entry(plusDuration(lastOrder, IDLE), RUN_1));
  });

  it.each([
    ["the last order, placed after registration", [wholeDays(IDLE_MS / 3)], wholeDays(IDLE_MS / 3) + IDLE_MS],
    ["registration, when a guest order came before it", [-wholeDays(IDLE_MS / 3)], IDLE_MS],
    [
      "the last of several orders",
      [wholeDays(IDLE_MS / 10), wholeDays((2 * IDLE_MS) / 5), wholeDays(IDLE_MS / 4)],
      wholeDays((2 * IDLE_MS) / 5) + IDLE_MS,
    ],
  ])(
    "counts the idle time from the later of registration and the last order: %s",
    async (_what, orderedAfter, enteredAfter) => {
      // Prepare: orders at the given times after registration (before it when negative).
      const orders = orderedAfter.map((ms, i) => order(plusMs(T0, ms), `SO-${i + 1}`));
      const lines = [registered(), ...orders];

      // Act
      const outcome = await run(lines, { until: plusMs(T0, 2 * IDLE_MS) });

      // Assess
      expect(brief(outcome.linesOf(["journey.entered", "holdout"], J))).toEqual([
        line(plusMs(T0, enteredAfter), RUN_1, "journey.entered"),
      ]);
    },
  );

  it("exits at once on an order, converts the goal and cancels the reminder", async () => {
    // Prepare: an order after entry, before the reminder is due.
    const ordered = plusMs(DUE, BEFORE_REMINDER_MS);
    const lines = [registered(), order(ordered, "SO-1")];

    // Act
    const outcome = await run(lines, { until: plus(plusDuration(DUE, REMINDER_AFTER), { d: 1 }) });

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      ...entry(DUE, RUN_1),
      line(ordered, RUN_1, "goal.converted", { event: { id: "order-SO-1", "detail-type": "order.placed" } }),
      line(ordered, RUN_1, "journey.exited", { reason: "exit-event", event: "order.placed" }),
    ]);
  });

  it("converts the goal on an order within its window from entry, also after the run ended, but not after it", async () => {
    // Prepare: u_1 orders after the reminder (the run has ended) but within the goal's window; u_2, an hour
    // behind, half a day after the window closed.
    expect(REMINDER_MS).toBeLessThan(GOAL_MS);
    const u1Ordered = plusMs(DUE, wholeDays((REMINDER_MS + GOAL_MS) / 2));
    const u2Entered = plus(DUE, { h: 1 });
    const u2Ordered = plus(plusDuration(u2Entered, GOAL_WITHIN), { h: 12 });
    const lines = [
      registered("u_1"),
      registered("u_2", plus(T0, { h: 1 })),
      order(u1Ordered, "SO-1", "u_1"),
      order(u2Ordered, "SO-2", "u_2"),
    ];

    // Act
    const outcome = await run(lines, { until: plus(u2Ordered, { d: 1 }) });

    // Assess
    expect(brief(outcome.linesOf(["goal.converted", "journey.exited"], J))).toEqual([
      line(plusDuration(DUE, REMINDER_AFTER), RUN_1, "journey.exited", { reason: "completed" }),
      line(plusDuration(u2Entered, REMINDER_AFTER), `${J}:u_2:1`, "journey.exited", { reason: "completed" }),
      line(u1Ordered, RUN_1, "goal.converted", { event: { id: "order-SO-1", "detail-type": "order.placed" } }),
    ]);
  });

  it("enters again after a new order and another idle time", async () => {
    // Prepare
    const ordered = plusMs(DUE, BEFORE_REMINDER_MS);
    const again = plusDuration(ordered, IDLE);
    const lines = [registered(), order(ordered, "SO-1")];

    // Act
    const outcome = await run(lines, { until: plus(plusDuration(again, REMINDER_AFTER), { d: 1 }) });

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      ...entry(DUE, RUN_1),
      line(ordered, RUN_1, "goal.converted", { event: { id: "order-SO-1", "detail-type": "order.placed" } }),
      line(ordered, RUN_1, "journey.exited", { reason: "exit-event", event: "order.placed" }),
      ...entry(again, RUN_2),
      line(plusDuration(again, REMINDER_AFTER), RUN_2, "message.sent", { template: REMINDER.template }),
      line(plusDuration(again, REMINDER_AFTER), RUN_2, "journey.exited", { reason: "completed" }),
    ]);
    const [first, second] = outcome.linesOf("coupon.issued", J).map(couponOf);
    expect(second?.code).not.toBe(first?.code);
    expect(outcome.linesOf("message.sent", J).at(-1)?.text).toContain(second?.code);
  });

  describe(`${JOURNEY.holdoutPercent ?? 0}% holdout`, () => {
    const USERS = 2000;
    const userIds = Array.from({ length: USERS }, (_, i) => `u_${String(i).padStart(4, "0")}`);

    /** Every user registers (a minute apart); every fourth orders after entering, before the reminder. */
    function population(start: string, order_: readonly string[]) {
      const lines: string[] = [];
      order_.forEach((userId, i) => {
        const at = plus(start, { m: i });
        lines.push(registered(userId, at));
        if (i % 4 === 0) lines.push(order(plusMs(plusDuration(at, IDLE), BEFORE_REMINDER_MS), `SO-${userId}`, userId));
      });
      return lines;
    }
    const holdoutUsers = (lines: readonly SimulationLine[]) =>
      linesOf(lines, "holdout", J)
        .map((l) => l.user)
        .sort();
    /** Once everyone's first run is over (the last registers USERS minutes after the first), before any second. */
    const firstRunsOver = (start: string) => plus(plusDuration(plusDuration(start, IDLE), REMINDER_AFTER), { d: 2 });

    it("keeps the holdout's share of entrants as a control group: no coupon, no message, but exits and goals recorded", async () => {
      // Prepare
      const lines = population(T0, userIds);
      const orderers = new Set(userIds.filter((_, i) => i % 4 === 0));

      // Act: up to before anyone's second entry.
      // Without its coupon budget: thousands fall dormant the same day here, which the budget would spread.
      const journey = seedJourney(J);
      journey.policy = { ...journey.policy, couponBudget: undefined };
      const outcome = await run(lines, { journeys: [journey], until: firstRunsOver(T0) });

      // Assess
      const holdouts = outcome.linesOf("holdout", J);
      const entered = outcome.linesOf("journey.entered", J);
      expect(holdouts.length + entered.length).toBe(USERS);
      expect(holdouts.length).toBeGreaterThanOrEqual(USERS * (HOLDOUT - 0.03));
      expect(holdouts.length).toBeLessThanOrEqual(USERS * (HOLDOUT + 0.03));

      const holdoutRuns = new Set(holdouts.map((l) => l.run));
      const ofHoldouts = outcome.lines.filter((l) => holdoutRuns.has(l.run));
      expect(ofHoldouts.filter((l) => l.type === "coupon.issued" || l.type === "message.sent")).toEqual([]);
      // Every holdout run ends: on its order (exit-event) or after the reminder's time (completed).
      const exits = ofHoldouts.filter((l) => l.type === "journey.exited");
      expect(exits.map((l) => l.run).sort()).toEqual([...holdoutRuns].sort());
      for (const exit of exits) {
        expect(exit.reason).toBe(orderers.has(exit.user) ? "exit-event" : "completed");
      }
      // Holdout users who ordered within the goal's window converted, as in the treated group.
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
      const secondStart = plus(T0, { d: 3, h: 7 });
      const first = population(T0, userIds);
      const second = population(secondStart, [...userIds].reverse());

      // Act
      const a = await run(first, { journeys: [seedJourney(J)], until: plus(DUE, { d: 2 }) });
      const b = await run(second, {
        journeys: [seedJourney(J)],
        until: plus(plusDuration(secondStart, IDLE), { d: 2 }),
      });

      // Assess
      expect(holdoutUsers(a.lines).length).toBeGreaterThan(0);
      expect(holdoutUsers(b.lines)).toEqual(holdoutUsers(a.lines));
    });
  });

  describe("big spenders (version 2): the coupon of the branch on RFM's monetary score", () => {
    /**
     * The branch's condition read from the file, `{"profile": {"traits": {"rfm": {"m": [{"numeric": [">=", n]}]}}}}`,
     * and the net spend in 365 days that journeys/traits.json scores n: what a user must have spent to be picked.
     */
    const [BIG] = BRANCH_COUPONS;
    function bigSpend(): { score: number; spend: number } {
      const matcher = (BIG?.condition as { profile?: { traits?: { rfm?: { m?: unknown[] } } } } | undefined)?.profile
        ?.traits?.rfm?.m?.[0] as { numeric?: unknown[] } | undefined;
      const [operator, score] = matcher?.numeric ?? [];
      if (operator !== ">=" || typeof score !== "number") {
        throw new Error(`${J}: expected its first branch on profile.traits.rfm.m >= n, got ${JSON.stringify(BIG)}`);
      }
      const rfm = Object.values(platformTraitsFile()?.traits ?? {}).find((trait) => trait.kind === "rfm");
      const step = rfm?.kind === "rfm" ? rfm.monetary.scores.find((entry) => entry.score === score) : undefined;
      if (step === undefined || !("atLeast" in step) || step.atLeast === undefined) {
        throw new Error(`journeys/traits.json: expected a monetary score ${score} from a spend "atLeast"`);
      }
      return { score, spend: step.atLeast };
    }
    const placed = (time: string, orderId: string, amount: number, userId = "u_1") =>
      event("order.placed", time, { userId, orderId, amount, currency: "CNY" }, `order-${orderId}`);
    const ORDERED = plus(T0, { d: 1 });
    const ENTERED = plusDuration(ORDERED, IDLE);
    const couponOfUser = (lines: readonly SimulationLine[], userId: string) =>
      couponOf(linesOf(lines, "coupon.issued", J).find((l) => l.user === userId) as SimulationLine);
    const textsOfUser = (lines: readonly SimulationLine[], userId: string) =>
      linesOf(lines, "message.sent", J)
        .filter((l) => l.user === userId)
        .map((l) => l.text);

    it("gives a user whose spend scores the branch's M its coupon, and a low spender the usual one, each named in both messages", async () => {
      // Prepare: u_big spends exactly what scores M = n; u_low spends what the usual order test spends (199).
      const { spend } = bigSpend();
      expect(BIG?.coupon.amountOff).not.toBe(COUPON.amountOff);
      expect(199).toBeLessThan(spend);
      const lines = [
        registered("u_big"),
        registered("u_low"),
        placed(ORDERED, "SO-big", spend, "u_big"),
        placed(ORDERED, "SO-low", 199, "u_low"),
      ];

      // Act
      const outcome = await run(lines, { until: plus(plusDuration(ENTERED, REMINDER_AFTER), { d: 1 }) });

      // Assess: both enter when their idle time is over, with the first message and, after the wait, the reminder.
      expect(outcome.linesOf("holdout", J)).toEqual([]);
      for (const userId of ["u_big", "u_low"]) {
        expect(brief(outcome.journey(J).filter((l) => l.user === userId))).toEqual([
          ...entry(ENTERED, `${J}:${userId}:1`),
          line(plusDuration(ENTERED, REMINDER_AFTER), `${J}:${userId}:1`, "message.sent", {
            template: REMINDER.template,
          }),
          line(plusDuration(ENTERED, REMINDER_AFTER), `${J}:${userId}:1`, "journey.exited", { reason: "completed" }),
        ]);
      }
      const expected = (step: typeof COUPON) => ({
        amountOff: step.amountOff,
        currency: step.currency,
        ...(step.minSpend === undefined ? {} : { minSpend: step.minSpend }),
        freeShipping: step.freeShipping,
        expiresAt: plusDuration(ENTERED, step.validFor),
      });
      const big = couponOfUser(outcome.lines, "u_big");
      const low = couponOfUser(outcome.lines, "u_low");
      expect(big).toMatchObject(expected(BIG?.coupon as typeof COUPON));
      expect(low).toMatchObject(expected(COUPON));
      for (const [userId, coupon] of [
        ["u_big", big],
        ["u_low", low],
      ] as const) {
        for (const text of textsOfUser(outcome.lines, userId)) {
          expect(text).toContain(coupon.code);
          expect(text).toContain(`满 ${coupon.minSpend} 减 ${coupon.amountOff}`);
        }
      }
    });

    it("judges the spend when the user falls dormant: a refund that takes it below the threshold gives the usual coupon", async () => {
      // Prepare: u_1 orders twice the spend, then half of it and a bit more is refunded.
      const { spend } = bigSpend();
      const refunded = plus(ORDERED, { h: 2 });
      const lines = [
        registered(),
        placed(ORDERED, "SO-1", 2 * spend),
        event("order.refunded", refunded, { userId: "u_1", orderId: "SO-1", amount: spend + 1, refundId: "RF-1" }),
      ];

      // Act
      const outcome = await run(lines, { until: plus(ENTERED, { d: 1 }) });

      // Assess
      expect(couponOf(only(outcome.lines, "coupon.issued", J))).toMatchObject({
        amountOff: COUPON.amountOff,
        minSpend: COUPON.minSpend,
      });
    });

    it("finishes a run that entered on the earlier version on it: its coupon and reminder; new entries take the current version", async () => {
      // Prepare: the versions kept in journeys/ (docs/operations.md, "Changing a journey"): u_a, a big
      // spender, falls dormant while only the earlier one is deployed; then the current one is deployed too, and
      // u_b, another big spender, registers and orders.
      const versions = seedJourneyVersions(J);
      expect(versions.length, `${J}: no earlier version kept in journeys/ (delete this test with its file)`).toBe(2);
      const [earlier, current] = versions as [(typeof versions)[0], (typeof versions)[0]];
      const old = dormancyPromise(earlier);
      const { spend } = bigSpend();
      const store = new MemoryStore();
      const aEntered = plusDuration(ORDERED, old.idle);
      const before = await run([registered("u_a"), placed(ORDERED, "SO-a", spend, "u_a")], {
        journeys: [earlier],
        store,
        until: plus(aEntered, { h: 1 }),
      });
      const bRegistered = plus(aEntered, { h: 2 });
      const bOrdered = plus(bRegistered, { d: 1 });
      const bEntered = plusDuration(bOrdered, IDLE);

      // Act
      const after = await run([registered("u_b", bRegistered), placed(bOrdered, "SO-b", spend, "u_b")], {
        journeys: versions,
        store,
        until: plus(plusDuration(bEntered, REMINDER_AFTER), { d: 1 }),
      });

      // Assess
      const lines = [...before.lines, ...after.lines];
      const ofRun = (runId: string) =>
        lines.filter((l) => l.run === runId).map((l) => ({ ...brief([l])[0], version: l.version }));
      const aReminded = plusDuration(aEntered, old.reminderAfter);
      expect(ofRun(`${J}:u_a:1`)).toEqual([
        ...entry(aEntered, `${J}:u_a:1`).map((l) => ({ ...l, version: earlier.version })),
        {
          ...line(aReminded, `${J}:u_a:1`, "message.sent", { template: old.reminder.template }),
          version: earlier.version,
        },
        { ...line(aReminded, `${J}:u_a:1`, "journey.exited", { reason: "completed" }), version: earlier.version },
      ]);
      expect(couponOfUser(lines, "u_a")).toMatchObject({
        amountOff: old.coupon.amountOff,
        minSpend: old.coupon.minSpend,
      });
      expect(ofRun(`${J}:u_b:1`).map((l) => l.version)).toEqual(ofRun(`${J}:u_b:1`).map(() => current.version));
      expect(couponOfUser(lines, "u_b")).toMatchObject({
        amountOff: BIG?.coupon.amountOff,
        minSpend: BIG?.coupon.minSpend,
      });
      const aCoupon = couponOfUser(lines, "u_a");
      for (const text of textsOfUser(lines, "u_a"))
        expect(text).toContain(`满 ${aCoupon.minSpend} 减 ${aCoupon.amountOff}`);
    });
  });
});
