import { describe, expect, it } from "vitest";
import { cartAddedNov28, event, platformTraits, registeredNov20, run, seedJourney } from "./helpers.ts";

/**
 * The shipped pre-sale campaign (issue 16): presale-warmup 7 days before a promotion starts, at 10:00 in each
 * member's zone, to cart-or-favorite-30d; on the sale's day at 10:00 local, "pay the balance today" to those who
 * paid a deposit for that promotion and "the sale starts today" to those who paid none; presale-balance reminds
 * every deposit that says when its balance opens, in the warm-up's audience or not.
 */

const DOUBLE_12 = {
  promotionId: "promo_1212",
  name: "双12狂欢节",
  startsAt: "2026-12-12T00:00:00+08:00",
  endsAt: "2026-12-13T00:00:00+08:00",
  depositStartsAt: "2026-11-28T20:00:00+08:00",
  depositEndsAt: "2026-12-11T23:59:59+08:00",
  depositMultiplier: 3,
};

const registered = registeredNov20;
const cart = cartAddedNov28;
const deposit = (userId: string, promotionId: string, balance?: string) =>
  event(
    "order.deposit_paid",
    "2026-12-07T04:00:00Z",
    {
      userId,
      orderId: `SO-${userId}`,
      promotionId,
      amount: 50,
      ...(balance === undefined ? {} : { balanceStartsAt: balance }),
    },
    `dep-${userId}`,
  );

async function presale(lines: readonly string[]) {
  const journeys = [seedJourney("presale-warmup"), seedJourney("presale-balance")];
  return run(lines, { journeys, traits: await platformTraits(), until: "2026-12-14T00:00:00Z" });
}

describe("presale-warmup and presale-balance", () => {
  it("warms up the members at 10:00 their time, then splits them on the sale's day by the deposit they paid", async () => {
    // Prepare: members with a cart in Shanghai and London; one pays a deposit for Double 12 (no balance time),
    // one for another promotion; a non-member pays one saying when the balance opens; one member pays one too.
    const lines = [
      registered("u_sh", "Asia/Shanghai"),
      registered("u_ld", "Europe/London"),
      registered("u_other", "Asia/Shanghai"),
      registered("u_out", "Asia/Shanghai"),
      registered("u_both", "Asia/Shanghai"),
      cart("u_sh"),
      cart("u_ld"),
      cart("u_other"),
      cart("u_both"),
      event("promotion.scheduled", "2026-11-29T04:00:00Z", DOUBLE_12, "promo_1212"),
      deposit("u_sh", "promo_1212"),
      deposit("u_other", "promo_other"),
      deposit("u_out", "promo_1212", "2026-12-12T00:00:00+08:00"),
      deposit("u_both", "promo_1212", "2026-12-12T00:00:00+08:00"),
    ];

    // Act
    const outcome = await presale(lines);

    // Assess: 5 and 12 December at 10:00: 02:00Z in Shanghai, 10:00Z in London.
    const sent = outcome
      .linesOf("message.sent")
      .map((line) => `${line.journey} ${line.template} ${line.user} ${line.at}`)
      .sort();
    expect(sent).toEqual([
      "presale-balance presale-pay-balance u_both 2026-12-12T02:00:00Z",
      "presale-balance presale-pay-balance u_out 2026-12-12T02:00:00Z",
      "presale-warmup presale-pay-balance u_sh 2026-12-12T02:00:00Z",
      "presale-warmup presale-sale-starts u_ld 2026-12-12T10:00:00Z",
      "presale-warmup presale-sale-starts u_other 2026-12-12T02:00:00Z",
      "presale-warmup presale-warmup u_both 2026-12-05T02:00:00Z",
      "presale-warmup presale-warmup u_ld 2026-12-05T10:00:00Z",
      "presale-warmup presale-warmup u_other 2026-12-05T02:00:00Z",
      "presale-warmup presale-warmup u_sh 2026-12-05T02:00:00Z",
    ]);
    const text = (user: string, template: string) =>
      outcome.linesOf("message.sent").find((line) => line.user === user && line.template === template)?.text;
    expect(text("u_sh", "presale-warmup")).toBe(
      "双12狂欢节预热开始啦！现在付定金，可抵3倍金额；你收藏和加购的商品都在活动中，12月12日正式开抢。",
    );
    expect(text("u_sh", "presale-pay-balance")).toBe(
      "你的预售订单 SO-u_sh 今天可以付尾款啦，记得按时支付，别让定金优惠溜走。",
    );
    expect(text("u_other", "presale-sale-starts")).toBe(
      "双12狂欢节今天正式开始！你收藏和加购的商品都在活动中，快去抢购吧。",
    );
    expect(outcome.linesOf("journey.exited", "presale-warmup").find((l) => l.user === "u_both")?.reason).toBe(
      "deposit-paid",
    );
  });

  it("sends nothing for a promotion whose warm-up time has passed, nor a balance reminder once the order is paid", async () => {
    // Prepare: a flash sale announced 5 days ahead; a deposit whose order is then placed (the balance paid).
    const flash = {
      promotionId: "promo_flash",
      name: "Flash",
      startsAt: "2026-12-06T00:00:00+08:00",
      endsAt: "2026-12-07T00:00:00+08:00",
    };
    const lines = [
      registered("u_sh", "Asia/Shanghai"),
      cart("u_sh"),
      event("promotion.scheduled", "2026-12-01T04:00:00Z", flash, "promo_flash"),
      deposit("u_sh", "promo_flash", "2026-12-12T00:00:00+08:00"),
      event(
        "order.placed",
        "2026-12-08T02:00:00Z",
        { userId: "u_sh", orderId: "SO-u_sh", amount: 199, currency: "CNY" },
        "paid",
      ),
    ];

    // Act
    const outcome = await presale(lines);

    // Assess
    expect(outcome.linesOf("message.sent")).toEqual([]);
    expect(outcome.linesOf("journey.exited", "presale-balance").map((line) => line.reason)).toEqual([
      "balance-settled",
    ]);
  });
});
