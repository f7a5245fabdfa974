import { describe, expect, it } from "vitest";
import { brief, couponOf, event, only, plus, run } from "./helpers.ts";

const J = "coupon-expiry-nudge";
/** Issued at 09:00:03 in Shanghai. */
const ISSUED = "2026-11-24T01:00:03Z";

function issued(couponId: string, code: string, expiresAt: string, time = ISSUED) {
  return event(
    "coupon.issued",
    time,
    { userId: "u_1", couponId, code, amountOff: 20, expiresAt, minSpend: 99, freeShipping: false },
    `issued-${couponId}`,
  );
}
const redeemed = (couponId: string, time: string) =>
  event("coupon.redeemed", time, { userId: "u_1", couponId, orderId: `SO-${couponId}` }, `redeemed-${couponId}`);

const line = (at: string, couponId: string, type: string, extra: Record<string, unknown> = {}) => ({
  at,
  journey: J,
  run: `${J}:${couponId}:1`,
  type,
  ...extra,
});

describe("coupon-expiry-nudge", () => {
  it("reminds the user with the code 24 hours before the coupon expires", async () => {
    // Prepare: it expires at 23:59:59 on 24 December, Shanghai time.
    const lines = [issued("cpn_thanks_20", "THANKS20-9KQ4", "2026-12-24T23:59:59+08:00")];
    const nudgeAt = "2026-12-23T15:59:59Z";
    // 23:59:59 in Shanghai is in the quiet hours (21:00-09:00): the nudge goes at 09:00, plus (100 - 70) s.
    const sentAt = "2026-12-24T01:00:30Z";

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      line(ISSUED, "cpn_thanks_20", "journey.entered"),
      line(nudgeAt, "cpn_thanks_20", "message.deferred", { template: "expiring", reason: "quiet-hours" }),
      line(sentAt, "cpn_thanks_20", "message.sent", { template: "expiring" }),
      line(sentAt, "cpn_thanks_20", "journey.exited", { reason: "completed" }),
    ]);
    expect(only(outcome.lines, "message.deferred", J)).toMatchObject({ rule: "quiet-hours", until: sentAt });
    const nudge = only(outcome.lines, "message.sent", J);
    expect(nudge).toMatchObject({ user: "u_1", channel: "push", locale: "zh-CN" });
    expect(nudge.text).toContain("THANKS20-9KQ4");
    expect(nudge.text).toContain("12月24日 23:59");
  });

  it("drops a nudge that quiet hours would defer past the coupon's expiry, saying so", async () => {
    // Prepare: issued at 22:00 in Shanghai, expiring at 06:00 the next morning: due at once, in quiet hours.
    const late = "2026-11-24T14:00:00Z";
    const lines = [issued("cpn_night", "NIGHT-1", "2026-11-25T06:00:00+08:00", late)];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(outcome.linesOf("message.sent", J)).toEqual([]);
    expect(only(outcome.lines, "message.suppressed", J)).toMatchObject({
      at: late,
      template: "expiring",
      reason: "expired-while-deferred",
      rule: "quiet-hours",
    });
  });

  it("runs once per coupon: two coupons of one user get a nudge each, with its own code", async () => {
    // Prepare
    const lines = [
      issued("cpn_a", "CODE-A", plus(ISSUED, { d: 5 })),
      issued("cpn_b", "CODE-B", plus(ISSUED, { d: 10 }), plus(ISSUED, { h: 1 })),
    ];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      line(ISSUED, "cpn_a", "journey.entered"),
      line(plus(ISSUED, { h: 1 }), "cpn_b", "journey.entered"),
      line(plus(ISSUED, { d: 4 }), "cpn_a", "message.sent", { template: "expiring" }),
      line(plus(ISSUED, { d: 4 }), "cpn_a", "journey.exited", { reason: "completed" }),
      line(plus(ISSUED, { d: 9 }), "cpn_b", "message.sent", { template: "expiring" }),
      line(plus(ISSUED, { d: 9 }), "cpn_b", "journey.exited", { reason: "completed" }),
    ]);
    const [a, b] = outcome.linesOf("message.sent", J);
    expect(a?.text).toContain("CODE-A");
    expect(b?.text).toContain("CODE-B");
  });

  it("nudges at once a coupon issued with less than 24 hours left", async () => {
    // Prepare
    const lines = [issued("cpn_short", "SHORT-1", plus(ISSUED, { h: 10 }))];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      line(ISSUED, "cpn_short", "journey.entered"),
      line(ISSUED, "cpn_short", "message.sent", { template: "expiring" }),
      line(ISSUED, "cpn_short", "journey.exited", { reason: "completed" }),
    ]);
    expect(only(outcome.lines, "message.sent", J).text).toContain("SHORT-1");
  });

  it("sends nothing for a coupon already expired at issue: the message is suppressed as expired", async () => {
    // Prepare
    const lines = [issued("cpn_old", "OLD-1", plus(ISSUED, { h: -1 }))];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      line(ISSUED, "cpn_old", "journey.entered"),
      line(ISSUED, "cpn_old", "message.suppressed", { template: "expiring", reason: "expired" }),
      line(ISSUED, "cpn_old", "journey.exited", { reason: "completed" }),
    ]);
    expect(outcome.linesOf("message.sent", J)).toEqual([]);
  });

  it("sends nothing for a coupon redeemed before the nudge; another coupon's redemption changes nothing", async () => {
    // Prepare
    const lines = [
      issued("cpn_a", "CODE-A", plus(ISSUED, { d: 5 })),
      issued("cpn_b", "CODE-B", plus(ISSUED, { d: 5 }), plus(ISSUED, { h: 1 })),
      redeemed("cpn_a", plus(ISSUED, { d: 2 })),
    ];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      line(ISSUED, "cpn_a", "journey.entered"),
      line(plus(ISSUED, { h: 1 }), "cpn_b", "journey.entered"),
      line(plus(ISSUED, { d: 2 }), "cpn_a", "journey.exited", { reason: "exit-event", event: "coupon.redeemed" }),
      line(plus(ISSUED, { d: 4 }), "cpn_b", "message.sent", { template: "expiring" }),
      line(plus(ISSUED, { d: 4 }), "cpn_b", "journey.exited", { reason: "completed" }),
    ]);
  });

  describe("the new-user coupon of new-user-coupon", () => {
    const T0 = "2026-11-18T02:00:00Z";
    const registered = event("user.registered", T0, { userId: "u_1" });
    /** Before dormancy-reactivation (30 idle days) issues a coupon of its own. */
    const until = plus(T0, { d: 20 });

    it("gets its nudge 6 days after registration, with its code", async () => {
      // Prepare
      const lines = [registered];

      // Act
      const outcome = await run(lines, { until });

      // Assess
      const coupon = couponOf(only(outcome.lines, "coupon.issued", "new-user-coupon"));
      expect(brief(outcome.journey(J))).toEqual([
        line(T0, coupon.couponId, "journey.entered"),
        line(plus(T0, { d: 6 }), coupon.couponId, "message.sent", { template: "expiring" }),
        line(plus(T0, { d: 6 }), coupon.couponId, "journey.exited", { reason: "completed" }),
      ]);
      const nudge = only(outcome.lines, "message.sent", J);
      expect(nudge.user).toBe("u_1");
      expect(nudge.text).toContain(coupon.code);
    });

    it("gets no nudge when the user redeems it first", async () => {
      // Prepare: the coupon id is deterministic, so a first simulation tells it.
      const { couponId } = couponOf(
        only((await run([registered], { until })).lines, "coupon.issued", "new-user-coupon"),
      );
      const lines = [registered, redeemed(couponId, plus(T0, { d: 2 }))];

      // Act
      const outcome = await run(lines, { until });

      // Assess
      expect(brief(outcome.journey(J))).toEqual([
        line(T0, couponId, "journey.entered"),
        line(plus(T0, { d: 2 }), couponId, "journey.exited", { reason: "exit-event", event: "coupon.redeemed" }),
      ]);
    });
  });
});
