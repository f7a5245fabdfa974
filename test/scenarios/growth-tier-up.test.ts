import { beforeAll, describe, expect, it } from "vitest";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import { brief, event, platformTraits, plus, run } from "./helpers.ts";

/**
 * What journeys/growth-tier-up.json promises: when the growth tier rises (net spend + 5 a check-in day +
 * 20 a photo review), a congratulation naming the new tier and its perks, once per tier reached; a refund
 * that lowers the tier sends nothing, and reaching a tier again sends nothing new.
 */
const J = "growth-tier-up";
let traits: TraitsFile;
beforeAll(async () => {
  traits = await platformTraits();
});

// 10:00 in Shanghai: out of the platform's quiet hours.
const T0 = "2026-09-01T02:00:00Z";
const order = (time: string, orderId: string, amount: number) =>
  event("order.placed", time, { userId: "u_1", orderId, amount, currency: "CNY" }, `order-${orderId}`);
const refund = (time: string, orderId: string, amount: number) =>
  event("order.refunded", time, { userId: "u_1", orderId, amount, refundId: `r-${orderId}` }, `refund-${orderId}`);
const checkIn = (time: string) => event("user.checked_in", time, { userId: "u_1" }, `checkin-${time}`);
const photoReview = (time: string, orderId: string) =>
  event("review.posted", time, { userId: "u_1", orderId, rating: 5, photoCount: 2 }, `review-${orderId}`);

const sent = (outcome: Awaited<ReturnType<typeof run>>) =>
  outcome.linesOf("message.sent", J).map((line) => ({ at: line.at, template: line.template, text: line.text }));

describe("growth-tier-up", () => {
  it("congratulates silver with dedicated customer service, then gold with priority shipping too", async () => {
    // Prepare: gold on Thursday 3 September (on Friday, member-day's push at 10:00 would cap it for 4 hours)
    const lines = [order(T0, "o1", 520), order(plus(T0, { d: 2 }), "o2", 1500)];

    // Act
    const outcome = await run(lines, { traits, until: plus(T0, { d: 5 }) });

    // Assess
    const messages = sent(outcome);
    expect(messages.map(({ at, template }) => ({ at, template }))).toEqual([
      { at: T0, template: "tier-up-silver" },
      { at: plus(T0, { d: 2 }), template: "tier-up-gold" },
    ]);
    expect(messages[0]?.text).toContain("银卡会员");
    expect(messages[0]?.text).toContain("专属客服");
    expect(messages[1]?.text).toContain("金卡会员");
    expect(messages[1]?.text).toContain("优先发货");
    expect(messages[1]?.text).toContain("2020");
  });

  it("sends nothing when a refund lowers the tier, nor when the tier is reached again", async () => {
    // Prepare: gold, a refund back to silver, then gold again.
    const lines = [order(T0, "o1", 2100), refund(plus(T0, { d: 2 }), "o1", 300), order(plus(T0, { d: 4 }), "o2", 400)];

    // Act
    const outcome = await run(lines, { traits, until: plus(T0, { d: 6 }) });

    // Assess: one congratulation, for gold (normal → gold skips silver: one change, one message).
    expect(sent(outcome).map((m) => m.template)).toEqual(["tier-up-gold"]);
    expect(brief(outcome.journey(J)).map((line) => line.type)).toEqual([
      "journey.entered",
      "message.sent",
      "journey.exited",
    ]);
  });

  it("reaches platinum by check-ins and photo reviews as well as spend, and counts a redelivery once", async () => {
    // Prepare: 4,850 of spend and a photo review (20) make 4,870, gold; 26 check-in days (5 each) make 5,000.
    const checkIns = Array.from({ length: 26 }, (_, d) => checkIn(plus(T0, { d: d + 1 })));
    const lines = [order(T0, "o1", 4850), photoReview(plus(T0, { h: 1 }), "o1"), ...checkIns];

    // Act: everything delivered twice.
    const outcome = await run([...lines, ...lines], { traits, until: plus(T0, { d: 30 }) });

    // Assess
    expect(sent(outcome).map(({ at, template }) => ({ at, template }))).toEqual([
      { at: T0, template: "tier-up-gold" },
      { at: plus(T0, { d: 26 }), template: "tier-up-platinum" },
    ]);
    expect(sent(outcome)[1]?.text).toContain("5000");
  });
});
