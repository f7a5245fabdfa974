import { describe, expect, it } from "vitest";
import { brief, event, journeyFrom, plus, run } from "./helpers.ts";

/**
 * The inbox API's events as journeys use them: a user's click on a pop-up is a goal, a dismissal an exit,
 * like any shop event (events/README.md: `inbox.message_*`, source `nudge.inbox`).
 */
const J = "cart-reminder";
const JOURNEY = journeyFrom({
  id: J,
  version: 1,
  name: "购物车提醒",
  trigger: { type: "event", pattern: { "detail-type": ["cart.item_added"] } },
  goal: { pattern: { "detail-type": ["inbox.message_clicked"], detail: { journeyId: [J] } }, within: "P3D" },
  exitOn: [{ "detail-type": ["inbox.message_dismissed"], detail: { journeyId: [J] } }],
  start: "show-cart-card",
  steps: [
    {
      id: "show-cart-card",
      type: "send",
      channel: "inbox",
      template: "cart-card",
      inbox: { placement: "card:cart", expiresAfter: "P2D" },
      next: "wait-a-day",
    },
    { id: "wait-a-day", type: "wait", for: "P1D", next: "send-reminder" },
    { id: "send-reminder", type: "send", channel: "push", template: "cart-push" },
  ],
  templates: {
    "cart-card": { "zh-CN": "购物车里的宝贝还在等你" },
    "cart-push": { "zh-CN": "购物车里的宝贝快被抢光了" },
  },
});
const RUN = `${J}:u_1:1`;
/** 10:00 in Shanghai: outside the quiet hours. */
const T0 = "2026-11-18T02:00:00Z";

const added = event("cart.item_added", T0, { userId: "u_1", productId: "p-1" });
/** What the inbox API publishes when the user acts on the card (its message id is the run's message's). */
const acted = (action: "seen" | "clicked" | "dismissed", time: string, journeyId = J) =>
  JSON.stringify({
    ...JSON.parse(
      event(`inbox.message_${action}`, time, {
        userId: "u_1",
        messageId: `${RUN}:1:message`,
        placement: "card:cart",
        journeyId,
        journeyVersion: 1,
      }),
    ),
    source: "nudge.inbox",
  });

describe("inbox events in journeys", () => {
  it("shows the card at once until its expiry, and counts a click on it as the journey's goal", async () => {
    // Prepare
    const lines = [added, acted("seen", plus(T0, { h: 1 })), acted("clicked", plus(T0, { h: 1, m: 1 }))];

    // Act
    const outcome = await run(lines, { journeys: [JOURNEY] });

    // Assess
    const [card] = outcome.linesOf("message.sent", J);
    expect(card).toMatchObject({
      channel: "inbox",
      inbox: { placement: "card:cart", priority: 50, expiresAt: plus(T0, { d: 2 }) },
    });
    expect(outcome.linesOf("goal.converted", J)).toEqual([
      expect.objectContaining({
        at: plus(T0, { h: 1, m: 1 }),
        event: expect.objectContaining({ "detail-type": "inbox.message_clicked" }),
      }),
    ]);
  });

  it("ends the run when the user dismisses the card: no reminder follows", async () => {
    // Prepare
    const lines = [added, acted("dismissed", plus(T0, { h: 2 }))];

    // Act
    const outcome = await run(lines, { journeys: [JOURNEY], until: plus(T0, { d: 3 }) });

    // Assess
    expect(brief(outcome.journey(J)).map((line) => [line.type, line.reason ?? line.template ?? ""])).toEqual([
      ["journey.entered", ""],
      ["message.sent", "cart-card"],
      ["journey.exited", "exit-event"],
    ]);
    expect(outcome.linesOf("journey.exited", J)[0]?.event).toBe("inbox.message_dismissed");
  });

  it("is not moved by another journey's card: a dismissal of it neither ends the run nor a click converts it", async () => {
    // Prepare
    const lines = [
      added,
      acted("clicked", plus(T0, { h: 1 }), "new-user-coupon"),
      acted("dismissed", plus(T0, { h: 2 }), "new-user-coupon"),
    ];

    // Act
    const outcome = await run(lines, { journeys: [JOURNEY], until: plus(T0, { d: 3 }) });

    // Assess: the reminder goes a day later
    expect(outcome.linesOf("goal.converted", J)).toEqual([]);
    expect(outcome.linesOf("message.sent", J).map((line) => [line.at, line.template])).toEqual([
      [T0, "cart-card"],
      [plus(T0, { d: 1 }), "cart-push"],
    ]);
  });
});
