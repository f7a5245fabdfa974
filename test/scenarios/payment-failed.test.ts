import { describe, expect, it } from "vitest";
import { quietHoursEnd } from "../../functions/engine/policies/quiet-hours.ts";
import { durationMs } from "../../functions/shared/time.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { brief, event, keyedLines, platformPolicies, plus, run, seedJourney } from "./helpers.ts";

/**
 * What journeys/payment-failed.json promises: when an order's payment fails, the user is offered at once to pay
 * the order's amount in instalments, one message per order. It is a service message: the platform's marketing
 * caps and quiet hours (journeys/policy.json) do not hold it, but a user who unsubscribed gets nothing. Version 2
 * also shows the offer as a pop-up on the order page (the inbox channel), for the day the goal waits.
 */
const J = "payment-failed";
const JOURNEY = seedJourney(J);
const [SEND, POPUP] = JOURNEY.steps.filter((step) => step.type === "send");
const TEMPLATE = SEND?.type === "send" ? SEND.template : "";
const POPUP_TEMPLATE = POPUP?.type === "send" ? POPUP.template : "";
const GOAL_WITHIN_MS = JOURNEY.goal === undefined ? 0 : durationMs(JOURNEY.goal.within);

/** 10:00 in Shanghai, the platform's default zone: outside its quiet hours. */
const T0 = "2026-11-11T02:00:00Z";
/** 23:30 in Shanghai: inside the platform's quiet hours (21:00-09:00 as shipped). */
const LATE_EVENING = "2026-11-11T15:30:00Z";

const failed = (orderId: string, time = T0, amount = 3299, extra: Record<string, unknown> = {}, id?: string) =>
  event(
    "order.payment_failed",
    time,
    { userId: "u_1", orderId, amount, currency: "CNY", reason: "insufficient_balance", ...extra },
    id,
  );
const unsubscribed = (time: string, channel?: string) =>
  event("user.unsubscribed", time, { userId: "u_1", ...(channel === undefined ? {} : { channel }) });
const subscribed = (time: string, channel?: string) =>
  event("user.subscribed", time, { userId: "u_1", ...(channel === undefined ? {} : { channel }) });
const placed = (orderId: string, time: string, amount = 3299) =>
  event("order.placed", time, { userId: "u_1", orderId, amount, currency: "CNY" }, `order-${orderId}`);

const line = keyedLines(J);
/** A run that offers instalments at once, by push and as an order-page pop-up, and ends. */
const offered = (at: string, orderId: string) => [
  line(at, orderId, "journey.entered"),
  line(at, orderId, "message.sent", { template: TEMPLATE }),
  line(at, orderId, "message.sent", { template: POPUP_TEMPLATE }),
  line(at, orderId, "journey.exited", { reason: "completed" }),
];
/** A run whose offers the consent policy drops, for a user who unsubscribed from every channel (`consent: "required"`). */
const notOffered = (at: string, orderId: string) => [
  line(at, orderId, "journey.entered"),
  line(at, orderId, "message.suppressed", { template: TEMPLATE, reason: "unsubscribed" }),
  line(at, orderId, "message.suppressed", { template: POPUP_TEMPLATE, reason: "unsubscribed" }),
  line(at, orderId, "journey.exited", { reason: "completed" }),
];
/** A run for a user who left push alone: the push is dropped, the pop-up on the shop's site still shows. */
const popupOnly = (at: string, orderId: string) => [
  line(at, orderId, "journey.entered"),
  line(at, orderId, "message.suppressed", { template: TEMPLATE, reason: "unsubscribed" }),
  line(at, orderId, "message.sent", { template: POPUP_TEMPLATE }),
  line(at, orderId, "journey.exited", { reason: "completed" }),
];

describe("payment-failed", () => {
  it("offers at once to pay the order's amount in instalments, as a service push, in the user's language", async () => {
    // Prepare: u_1 has no profile yet (zh-CN, the default); u_en registered in English.
    const lines = [
      failed("SO-1"),
      event("user.registered", plus(T0, { h: -1 }), { userId: "u_en", locale: "en" }),
      event("order.payment_failed", plus(T0, { m: 5 }), {
        userId: "u_en",
        orderId: "SO-2",
        amount: 188.5,
        currency: "CNY",
      }),
    ];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([...offered(T0, "SO-1"), ...offered(plus(T0, { m: 5 }), "SO-2")]);
    const [zh, en] = outcome.linesOf("message.sent", J).filter((sent) => sent.channel === "push");
    expect(zh).toMatchObject({ user: "u_1", channel: "push", category: "service", locale: "zh-CN" });
    expect(zh?.text).toContain("3299");
    expect(zh?.text).toContain("SO-1");
    expect(zh?.text).toContain("分期");
    expect(en).toMatchObject({ user: "u_en", channel: "push", category: "service", locale: "en" });
    expect(en?.text).toContain("188.5");
    expect(en?.text).toContain("instalments");
    const popups = outcome.linesOf("message.sent", J).filter((sent) => sent.channel === "inbox");
    expect(popups.map((popup) => [popup.user, popup.locale, popup.inbox])).toEqual([
      ["u_1", "zh-CN", { placement: "popup:order-page", priority: 90, expiresAt: plus(T0, { d: 1 }) }],
      ["u_en", "en", { placement: "popup:order-page", priority: 90, expiresAt: plus(T0, { d: 1, m: 5 }) }],
    ]);
    expect(popups[1]?.text).toContain("SO-2");
  });

  it("sends one message per order: a redelivered event or a second failure of the same order sends nothing more; a second order gets its own", async () => {
    // Prepare: SO-1's event twice (same id), SO-1 failing again an hour later, then SO-2.
    const first = failed("SO-1", T0, 3299, {}, "pf-1");
    const lines = [
      first,
      first,
      failed("SO-1", plus(T0, { h: 1 }), 3299, { reason: "card_declined" }, "pf-2"),
      failed("SO-2", plus(T0, { h: 2 }), 59, {}, "pf-3"),
    ];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([...offered(T0, "SO-1"), ...offered(plus(T0, { h: 2 }), "SO-2")]);
    const pushed = outcome.linesOf("message.sent", J).filter((sent) => sent.channel === "push");
    expect(pushed.map((sent) => sent.text)).toEqual([expect.stringContaining("3299"), expect.stringContaining("59")]);
  });

  it("is not deferred by the quiet hours: a failure at 23:30 Shanghai time gets the message at once", async () => {
    // Prepare: the platform's quiet hours hold 23:30 in Shanghai (a marketing message would wait for them to end).
    const policies = platformPolicies();
    expect(policies.quietHours).not.toBeNull();
    const quiet = policies.quietHours ?? { start: "21:00", end: "09:00", appliesTo: "marketing" as const };
    expect(quietHoursEnd(quiet, Date.parse(LATE_EVENING), "Asia/Shanghai")).toBeGreaterThan(Date.parse(LATE_EVENING));
    const lines = [failed("SO-1", LATE_EVENING)];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual(offered(LATE_EVENING, "SO-1"));
  });

  it("is not held by the frequency caps: more failures in an hour than any cap allows each get their message at once", async () => {
    // Prepare: a registration (the welcome and the guide, marketing, fill the push caps), then more failed
    // orders within the hour than the largest platform cap lets through in its window.
    const most = Math.max(...platformPolicies().caps.map((cap) => cap.max));
    const orders = Array.from({ length: most + 2 }, (_, i) => `SO-${i + 1}`);
    const times = orders.map((_, i) => plus(T0, { m: 5 * (i + 1) }));
    const lines = [
      event("user.registered", T0, { userId: "u_1" }),
      ...orders.map((orderId, i) => failed(orderId, times[i], 100 + i)),
    ];

    // Act
    const outcome = await run(lines, { until: plus(T0, { d: 1 }) });

    // Assess: the marketing guide waits for the channel cap; every instalment offer goes when its order failed.
    expect(outcome.linesOf("message.deferred", "onboarding-guide").length).toBeGreaterThan(0);
    expect(brief(outcome.journey(J))).toEqual(orders.flatMap((orderId, i) => offered(times[i] as string, orderId)));
    expect(outcome.linesOf(["message.deferred", "message.suppressed"], J)).toEqual([]);
  });

  describe("consent", () => {
    it("sends nothing after the user unsubscribed from every channel", async () => {
      // Prepare
      const lines = [unsubscribed(plus(T0, { h: -1 })), failed("SO-1")];

      // Act
      const outcome = await run(lines);

      // Assess
      expect(brief(outcome.journey(J))).toEqual(notOffered(T0, "SO-1"));
      expect(outcome.linesOf("message.sent", J)).toEqual([]);
    });

    it("sends no push after the user unsubscribed from push, and still shows the pop-up on the shop's site", async () => {
      // Prepare
      const lines = [unsubscribed(plus(T0, { h: -1 }), "push"), failed("SO-1")];

      // Act
      const outcome = await run(lines);

      // Assess
      expect(brief(outcome.journey(J))).toEqual(popupOnly(T0, "SO-1"));
      expect(outcome.linesOf("message.sent", J).map((sent) => sent.channel)).toEqual(["inbox"]);
    });

    it("still sends after an unsubscribe from another channel, and again after the user subscribed back", async () => {
      // Prepare: email only left; then every channel left and taken back.
      const lines = [
        unsubscribed(plus(T0, { h: -2 }), "email"),
        failed("SO-1"),
        unsubscribed(plus(T0, { h: 1 })),
        failed("SO-2", plus(T0, { h: 2 })),
        subscribed(plus(T0, { h: 3 })),
        failed("SO-3", plus(T0, { h: 4 })),
      ];

      // Act
      const outcome = await run(lines);

      // Assess
      expect(brief(outcome.journey(J))).toEqual([
        ...offered(T0, "SO-1"),
        ...notOffered(plus(T0, { h: 2 }), "SO-2"),
        ...offered(plus(T0, { h: 4 }), "SO-3"),
      ]);
    });

    it("judges consent as the policies do: the later of a push unsubscribe and a subscribe to every channel wins", async () => {
      // Prepare: push left, then every channel taken back an hour later.
      const lines = [
        unsubscribed(plus(T0, { h: -2 }), "push"),
        subscribed(plus(T0, { h: -1 })),
        failed("SO-1"),
        subscribed(plus(T0, { h: 1 }), "push"),
        failed("SO-2", plus(T0, { h: 2 })),
      ];

      // Act
      const outcome = await run(lines);

      // Assess: the later decision, subscribed, lets both offers go.
      expect(brief(outcome.journey(J))).toEqual([...offered(T0, "SO-1"), ...offered(plus(T0, { h: 2 }), "SO-2")]);
    });
  });

  describe("late and out-of-order events", () => {
    it("applies events in time order whatever their order in the file: a failure before the unsubscribe is offered", async () => {
      // Prepare: the unsubscribe (an hour after the failure) comes first in the file.
      const sorted = [failed("SO-1"), unsubscribed(plus(T0, { h: 1 })), failed("SO-2", plus(T0, { h: 2 }))];
      const reference = await run(sorted);

      // Act
      const outcome = await run([...sorted].reverse());

      // Assess
      expect(outcome.text).toBe(reference.text);
      expect(brief(outcome.journey(J))).toEqual([...offered(T0, "SO-1"), ...notOffered(plus(T0, { h: 2 }), "SO-2")]);
    });

    it("sends nothing more for an order when its failure is redelivered late, or a failure stamped earlier arrives after it", async () => {
      // Prepare: SO-1's failure at 10:00 is processed; a day later the same event is redelivered, and a
      // failure of the same order stamped 09:00 arrives.
      const store = new MemoryStore();
      const first = failed("SO-1", T0, 3299, {}, "pf-1");
      const before = await run([first], { store });

      // Act
      const after = await run([first, failed("SO-1", plus(T0, { h: -1 }), 3299, { reason: "card_declined" }, "pf-0")], {
        store,
      });

      // Assess
      expect(brief(before.journey(J))).toEqual(offered(T0, "SO-1"));
      expect(after.journey(J)).toEqual([]);
    });

    it("sends nothing for a failure delivered after an unsubscribe stamped later: consent is judged when it is sent", async () => {
      // Prepare: the user unsubscribes at 11:00; a failure stamped 10:00 is delivered after that.
      const store = new MemoryStore();
      await run([unsubscribed(plus(T0, { h: 1 }))], { store });

      // Act
      const outcome = await run([failed("SO-1")], { store });

      // Assess
      expect(outcome.linesOf("message.sent", J)).toEqual([]);
      const suppressed = outcome.linesOf("message.suppressed", J);
      expect(suppressed.map((s) => [s.channel, s.reason, s.rule])).toEqual([
        ["push", "unsubscribed", "consent"],
        ["inbox", "unsubscribed", "consent"],
      ]);
    });
  });

  it("counts the order paid within the goal's window as a conversion, of that order's run only", async () => {
    // Prepare: SO-1 is paid an hour after its failure; SO-2 is never paid, SO-3 (no failure) is.
    expect(GOAL_WITHIN_MS).toBeGreaterThan(60 * 60_000);
    const lines = [
      failed("SO-1"),
      failed("SO-2", plus(T0, { m: 10 })),
      placed("SO-1", plus(T0, { h: 1 })),
      placed("SO-3", plus(T0, { h: 2 })),
    ];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.linesOf("goal.converted", J))).toEqual([
      line(plus(T0, { h: 1 }), "SO-1", "goal.converted", {
        event: { id: "order-SO-1", "detail-type": "order.placed" },
      }),
    ]);
  });
});
