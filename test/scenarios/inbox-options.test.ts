import { describe, expect, it } from "vitest";
import { event, journeyFrom, plus, run } from "./helpers.ts";

/** A journey that shows a coupon's card until the coupon's expiry, as the shop's coupon.issued event gives it. */
const definition = (inbox: Record<string, unknown> | undefined, channel = "inbox") => ({
  id: "coupon-card",
  version: 1,
  name: "券卡片",
  key: "couponId",
  trigger: { type: "event", pattern: { "detail-type": ["coupon.issued"] } },
  start: "show-card",
  steps: [
    {
      id: "show-card",
      type: "send",
      channel,
      template: "card",
      ...(inbox === undefined ? {} : { inbox }),
    },
  ],
  templates: { card: { "zh-CN": "你有一张券：{{ trigger.detail.code }}" } },
});
const T0 = "2026-11-18T02:00:00Z";
const issued = (expiresAt: string) =>
  event("coupon.issued", T0, { userId: "u_1", couponId: "cpn-1", code: "SHOP20", amountOff: 20, expiresAt });

describe("inbox options of a send step", () => {
  it("are required on the inbox channel and refused on any other, naming the field", () => {
    // Act
    const missing = () => journeyFrom(definition(undefined));
    const elsewhere = () => journeyFrom(definition({ placement: "card:home" }, "push"));
    const badPlacement = () => journeyFrom(definition({ placement: "home" }));

    // Assess
    expect(missing).toThrow(/steps\[0\]\.inbox: expected "inbox" \(placement, priority, expiry\)/);
    expect(elsewhere).toThrow(/steps\[0\]\.inbox: expected "inbox" \(placement, priority, expiry\)/);
    expect(badPlacement).toThrow(/expected a placement <kind>:<place> such as "popup:order-page"/);
  });

  it("show a message until the earlier of expiresAt and expiresAfter, and the coupon it names", async () => {
    // Prepare: the coupon expires in 3 days, the card is for 1 day
    const journey = journeyFrom(
      definition({
        placement: "card:home",
        priority: 70,
        expiresAt: { time: "trigger.detail.expiresAt" },
        expiresAfter: "P1D",
        coupon: "trigger.detail.couponId",
      }),
    );

    // Act
    const outcome = await run([issued(plus(T0, { d: 3 }))], { journeys: [journey] });

    // Assess
    expect(outcome.linesOf("message.sent")[0]?.inbox).toEqual({
      placement: "card:home",
      priority: 70,
      expiresAt: plus(T0, { d: 1 }),
      couponId: "cpn-1",
    });
  });

  it("suppress a message whose expiry has passed when it would be sent (its coupon expired), rule inbox-expiry", async () => {
    // Prepare: the coupon expired an hour before the event
    const journey = journeyFrom(
      definition({ placement: "card:home", expiresAt: { time: "trigger.detail.expiresAt" } }),
    );

    // Act
    const outcome = await run([issued(plus(T0, { h: -1 }))], { journeys: [journey] });

    // Assess
    expect(outcome.linesOf("message.sent")).toEqual([]);
    expect(outcome.linesOf("message.suppressed")).toEqual([
      expect.objectContaining({ channel: "inbox", reason: "expired", rule: "inbox-expiry" }),
    ]);
  });
});
