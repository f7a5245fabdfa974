import { describe, expect, it } from "vitest";
import { brief, couponOf, event, only, plus, run } from "./helpers.ts";

const J = "new-user-coupon";
const RUN = `${J}:u_1:1`;
/** Registration at 10:00 in Shanghai. */
const T0 = "2026-11-18T02:00:00Z";

const registered = (time = T0, id = "reg-u_1") => event("user.registered", time, { userId: "u_1" }, id);
const orderAt = (time: string, orderId: string) =>
  event("order.placed", time, { userId: "u_1", orderId, amount: 128, currency: "CNY" }, `order-${orderId}`);

/** What registration alone produces in this journey, all at once: the coupon's pop-up first (version 2), then the push. */
const WELCOME = [
  { at: T0, journey: J, run: RUN, type: "journey.entered" },
  { at: T0, journey: J, run: RUN, type: "coupon.issued" },
  { at: T0, journey: J, run: RUN, type: "message.sent", template: "welcome-coupon-popup" },
  { at: T0, journey: J, run: RUN, type: "message.sent", template: "welcome" },
  { at: T0, journey: J, run: RUN, type: "journey.exited", reason: "completed" },
];

describe("new-user-coupon", () => {
  it("issues a 20 CNY free-shipping coupon valid 7 days at registration, and a welcome message with its code", async () => {
    // Prepare
    const lines = [registered()];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual(WELCOME);
    const issued = only(outcome.lines, "coupon.issued", J);
    expect(issued.user).toBe("u_1");
    expect(issued.coupon).toEqual({
      couponId: expect.stringMatching(/^cpn\./),
      code: expect.stringMatching(/^NEW[2-9A-HJ-NP-Z]+$/),
      amountOff: 20,
      currency: "CNY",
      freeShipping: true,
      expiresAt: plus(T0, { d: 7 }),
    });
    const [popup, welcome] = outcome.linesOf("message.sent", J);
    expect(welcome).toMatchObject({ user: "u_1", channel: "push", template: "welcome", locale: "zh-CN" });
    if (welcome === undefined || popup === undefined) throw new Error("expected the pop-up and the welcome");
    expect(welcome.text).toContain(couponOf(issued).code);
    // The expiry (2026-11-25T02:00Z) is shown in Shanghai time.
    expect(welcome.text).toContain("11月25日 10:00");
  });

  it("shows the coupon as an order-page pop-up until it expires, withdrawn by its redemption (version 2)", async () => {
    // Prepare
    const lines = [registered()];

    // Act
    const outcome = await run(lines);

    // Assess: the pop-up names the coupon, which withdraws it once redeemed, and ends with it
    const coupon = couponOf(only(outcome.lines, "coupon.issued", J));
    const popup = outcome.linesOf("message.sent", J).find((line) => line.channel === "inbox");
    expect(popup).toMatchObject({
      user: "u_1",
      template: "welcome-coupon-popup",
      category: "marketing",
      inbox: { placement: "popup:order-page", priority: 80, expiresAt: coupon.expiresAt, couponId: coupon.couponId },
    });
    expect(popup?.text).toContain(coupon.code);
  });

  it("shows the pop-up at once to a user registered at night: quiet hours hold the push till morning, not the pop-up", async () => {
    // Prepare: 23:30 in Shanghai, in the quiet hours
    const night = "2026-11-18T15:30:00Z";

    // Act
    const outcome = await run([registered(night)]);

    // Assess
    const sent = outcome.linesOf("message.sent", J).map((line) => [line.at, line.template]);
    expect(sent[0]).toEqual([night, "welcome-coupon-popup"]);
    expect(sent[1]?.[0]).not.toBe(night);
  });

  it("gives the coupon once when the same registration event is delivered twice", async () => {
    // Prepare
    const once = [registered()];
    const twice = [registered(), orderAt(plus(T0, { h: 1 }), "SO-1"), registered()];
    const reference = await run([...once, orderAt(plus(T0, { h: 1 }), "SO-1")]);

    // Act
    const outcome = await run(twice);

    // Assess
    expect(outcome.linesOf("coupon.issued", J)).toHaveLength(1);
    // The pop-up and the push, once each.
    expect(outcome.linesOf("message.sent", J)).toHaveLength(2);
    expect(outcome.text).toBe(reference.text);
  });

  it("gives the coupon once when the user registers again with another event id", async () => {
    // Prepare
    const lines = [registered(), registered(plus(T0, { d: 2 }), "reg-u_1-again")];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual(WELCOME);
  });

  it("converts the goal on an order within 7 days, once", async () => {
    // Prepare
    const lines = [registered(), orderAt(plus(T0, { d: 3 }), "SO-1"), orderAt(plus(T0, { d: 5 }), "SO-2")];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      ...WELCOME,
      {
        at: plus(T0, { d: 3 }),
        journey: J,
        run: RUN,
        type: "goal.converted",
        event: { id: "order-SO-1", "detail-type": "order.placed" },
      },
    ]);
  });

  it("does not convert the goal on an order on day 8", async () => {
    // Prepare
    const lines = [registered(), orderAt(plus(T0, { d: 7, h: 12 }), "SO-1")];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(outcome.linesOf("goal.converted", J)).toEqual([]);
    expect(brief(outcome.journey(J))).toEqual(WELCOME);
  });
});
