import { describe, expect, it } from "vitest";
import { brief, couponOf, event, only, plus, run } from "./helpers.ts";

const J = "new-user-coupon";
const RUN = `${J}:u_1:1`;
/** Registration at 10:00 in Shanghai. */
const T0 = "2026-11-18T02:00:00Z";

const registered = (time = T0, id = "reg-u_1") => event("user.registered", time, { userId: "u_1" }, id);
const orderAt = (time: string, orderId: string) =>
  event("order.placed", time, { userId: "u_1", orderId, amount: 128, currency: "CNY" }, `order-${orderId}`);

/** What registration alone produces in this journey, all at once. */
const WELCOME = [
  { at: T0, journey: J, run: RUN, type: "journey.entered" },
  { at: T0, journey: J, run: RUN, type: "coupon.issued" },
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
    const welcome = only(outcome.lines, "message.sent", J);
    expect(welcome).toMatchObject({ user: "u_1", channel: "push", template: "welcome", locale: "zh-CN" });
    expect(welcome.text).toContain(couponOf(issued).code);
    // The expiry (2026-11-25T02:00Z) is shown in Shanghai time.
    expect(welcome.text).toContain("11月25日 10:00");
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
    expect(outcome.linesOf("message.sent", J)).toHaveLength(1);
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
