import { describe, expect, it } from "vitest";
import { brief, event, keyedLines, only, plus, run } from "./helpers.ts";

const J = "post-promotion-review";
const DELIVERED = "2026-11-23T05:48:21Z";
const NEXT_DAY = plus(DELIVERED, { h: 24 });

/** An order.delivered event; `promotionId: null` leaves the field out. */
const delivered = (orderId: string, time = DELIVERED, promotionId: string | null = "promo_double11") =>
  event(
    "order.delivered",
    time,
    { userId: "u_1", orderId, ...(promotionId === null ? {} : { promotionId }) },
    `delivered-${orderId}`,
  );
const reviewed = (orderId: string, time: string) =>
  event("review.posted", time, { userId: "u_1", orderId, rating: 5 }, `review-${orderId}`);
const refunded = (orderId: string, time: string) =>
  event("order.refunded", time, { userId: "u_1", orderId, amount: 59.9 }, `refund-${orderId}`);

const line = keyedLines(J);
const requested = (orderId: string, at = NEXT_DAY) => [
  line(at, orderId, "message.sent", { template: "review-request" }),
  line(at, orderId, "journey.exited", { reason: "completed" }),
];

describe("post-promotion-review", () => {
  it("asks for a review 24 hours after a promotion order is delivered", async () => {
    // Prepare
    const lines = [delivered("SO-1")];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([line(DELIVERED, "SO-1", "journey.entered"), ...requested("SO-1")]);
    const request = only(outcome.lines, "message.sent", J);
    expect(request).toMatchObject({ user: "u_1", channel: "push", locale: "zh-CN" });
    expect(request.text).toContain("SO-1");
  });

  it("runs once per order: two promotion orders get a request each", async () => {
    // Prepare
    const later = plus(DELIVERED, { h: 2 });
    const lines = [delivered("SO-1"), delivered("SO-2", later)];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      line(DELIVERED, "SO-1", "journey.entered"),
      line(later, "SO-2", "journey.entered"),
      ...requested("SO-1"),
      // Two hours after the first request, the second meets the cap of one push per 4 hours: it waits
      // until the cap frees, plus (100 - 30) s for the journey's priority.
      line(plus(later, { h: 24 }), "SO-2", "message.deferred", { template: "review-request", reason: "capped" }),
      ...requested("SO-2", plus(NEXT_DAY, { h: 4, s: 70 })),
    ]);
  });

  it("starts no run for an order without a promotionId", async () => {
    // Prepare
    const lines = [delivered("SO-1", DELIVERED, null)];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(outcome.journey(J)).toEqual([]);
  });

  it("sends no request when the order was reviewed within 24 hours (exit: reviewed)", async () => {
    // Prepare
    const at = plus(DELIVERED, { h: 5 });
    const lines = [delivered("SO-1"), reviewed("SO-1", at)];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      line(DELIVERED, "SO-1", "journey.entered"),
      line(at, "SO-1", "goal.converted", { event: { id: "review-SO-1", "detail-type": "review.posted" } }),
      line(at, "SO-1", "journey.exited", { reason: "reviewed" }),
    ]);
  });

  it("still asks when only another order was reviewed", async () => {
    // Prepare
    const lines = [delivered("SO-1"), reviewed("SO-OTHER", plus(DELIVERED, { h: 5 }))];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([line(DELIVERED, "SO-1", "journey.entered"), ...requested("SO-1")]);
  });

  it("sends no request when the order was refunded within 24 hours (exit-event order.refunded)", async () => {
    // Prepare
    const at = plus(DELIVERED, { h: 3 });
    const lines = [delivered("SO-1"), refunded("SO-1", at)];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      line(DELIVERED, "SO-1", "journey.entered"),
      line(at, "SO-1", "journey.exited", { reason: "exit-event", event: "order.refunded" }),
    ]);
  });

  it("counts a review after the request as the journey's goal", async () => {
    // Prepare
    const at = plus(DELIVERED, { d: 3 });
    const lines = [delivered("SO-1"), reviewed("SO-1", at)];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      line(DELIVERED, "SO-1", "journey.entered"),
      ...requested("SO-1"),
      line(at, "SO-1", "goal.converted", { event: { id: "review-SO-1", "detail-type": "review.posted" } }),
    ]);
  });
});
