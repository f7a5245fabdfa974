import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import type { Profile } from "../../functions/engine/model.ts";
import { applyEventToProfile } from "../../functions/engine/profile.ts";
import { MAX_COUNTED_KEYS } from "../../functions/engine/profile-keys.ts";

const event = (id: string, type: string, time: string, detail: Record<string, unknown>): ShopEvent => ({
  id,
  source: "shop",
  "detail-type": type,
  time,
  detail,
});

describe("the profile projection", () => {
  it("learns the user's details at registration", () => {
    // Act
    const profile = applyEventToProfile(
      undefined,
      event("e1", "user.registered", "2026-11-01T02:00:00Z", {
        userId: "u1",
        locale: "en-US",
        timezone: "Europe/Berlin",
        attributes: { tier: "gold" },
      }),
    );
    // Assess
    expect(profile).toMatchObject({
      userId: "u1",
      registeredAt: "2026-11-01T02:00:00Z",
      locale: "en-US",
      timezone: "Europe/Berlin",
      attributes: { tier: "gold" },
      orderCount: 0,
    });
  });

  it("counts orders once each, whatever order they arrive in", () => {
    // Prepare
    const later = event("o2", "order.placed", "2026-11-10T00:00:00Z", {
      userId: "u1",
      orderId: "b",
      amount: 50,
      currency: "CNY",
    });
    const earlier = event("o1", "order.placed", "2026-11-05T00:00:00Z", {
      userId: "u1",
      orderId: "a",
      amount: 30,
      currency: "CNY",
    });
    // Act
    const afterLater = applyEventToProfile(undefined, later);
    const afterBoth = applyEventToProfile(afterLater, earlier);
    const redelivered = applyEventToProfile(afterBoth, later);
    // Assess
    expect(afterBoth).toMatchObject({
      orderCount: 2,
      totalSpent: 80,
      firstOrderAt: "2026-11-05T00:00:00Z",
      lastOrderAt: "2026-11-10T00:00:00Z",
    });
    expect(redelivered).toBeUndefined();
  });

  it("keeps the later consent decision when unsubscribe and subscribe arrive out of order", () => {
    // Prepare
    const unsubscribe = event("c1", "user.unsubscribed", "2026-11-03T00:00:00Z", { userId: "u1", channel: "push" });
    const resubscribe = event("c2", "user.subscribed", "2026-11-04T00:00:00Z", { userId: "u1", channel: "push" });
    // Act: the later decision arrives first.
    const afterResubscribe = applyEventToProfile(undefined, resubscribe);
    const afterStaleUnsubscribe = applyEventToProfile(afterResubscribe, unsubscribe);
    // Assess
    expect(afterResubscribe?.consent.push).toEqual({ subscribed: true, at: "2026-11-04T00:00:00Z" });
    expect(afterStaleUnsubscribe).toBeUndefined();
  });

  it("records an unsubscribe without a channel as every marketing channel", () => {
    // Act
    const profile = applyEventToProfile(
      undefined,
      event("c1", "user.unsubscribed", "2026-11-03T00:00:00Z", { userId: "u1" }),
    );
    // Assess
    expect(profile?.consent["*"]).toEqual({ subscribed: false, at: "2026-11-03T00:00:00Z" });
  });

  it("ignores events without a user and events that teach nothing about one", () => {
    // Act / Assess
    expect(
      applyEventToProfile(undefined, event("p1", "promotion.ended", "2026-11-12T00:00:00Z", { promotionId: "d11" })),
    ).toBeUndefined();
    expect(
      applyEventToProfile(
        undefined,
        event("r1", "review.posted", "2026-11-12T00:00:00Z", { userId: "u1", orderId: "a" }),
      ),
    ).toBeUndefined();
  });

  it("counts an order once by its orderId, redelivered after a hundred other events of the user", () => {
    // Prepare: a first order, then 100 other orders and updates of the same user.
    const first = event("evt-o1", "order.placed", "2026-11-01T00:00:00Z", {
      userId: "u1",
      orderId: "o-1",
      amount: 30,
      currency: "CNY",
    });
    let profile = applyEventToProfile(undefined, first);
    for (let i = 0; i < 100; i++) {
      const time = new Date(Date.parse("2026-11-02T00:00:00Z") + i * 60_000).toISOString();
      const next =
        i % 2 === 0
          ? event(`evt-o${i + 2}`, "order.placed", time, {
              userId: "u1",
              orderId: `o-${i + 2}`,
              amount: 10,
              currency: "CNY",
            })
          : event(`evt-a${i}`, "user.updated", time, { userId: "u1", attributes: { visits: i } });
      profile = applyEventToProfile(profile, next) ?? profile;
    }
    // Act: the first order delivered again (an SQS redelivery, a DLQ redrive), and under another event id
    // (an archive replay re-published).
    const redelivered = applyEventToProfile(profile, first);
    const republished = applyEventToProfile(profile, { ...first, id: "evt-replayed" });
    // Assess
    expect(profile).toMatchObject({ orderCount: 51, totalSpent: 530 });
    expect(redelivered).toBeUndefined();
    expect(republished).toBeUndefined();
  });

  it("takes off a refund once by its business key: the order's id, or its refundId for partial refunds", () => {
    // Prepare
    const order = event("o1", "order.placed", "2026-11-01T00:00:00Z", {
      userId: "u1",
      orderId: "o-1",
      amount: 100,
      currency: "CNY",
    });
    const refund = (id: string, amount: number, refundId?: string) =>
      event(id, "order.refunded", "2026-11-03T00:00:00Z", {
        userId: "u1",
        orderId: "o-1",
        amount,
        ...(refundId === undefined ? {} : { refundId }),
      });
    const ordered = applyEventToProfile(undefined, order);
    // Act
    const refunded = applyEventToProfile(ordered, refund("r1", 40));
    const again = applyEventToProfile(refunded, refund("r1-replayed", 40));
    const partials = [refund("p1", 10, "rf-1"), refund("p2", 15, "rf-2"), refund("p1", 10, "rf-1")].reduce(
      (profile: Profile | undefined, next) => applyEventToProfile(profile, next) ?? profile,
      ordered,
    );
    // Assess
    expect(refunded?.totalSpent).toBe(60);
    expect(again).toBeUndefined();
    expect(partials?.totalSpent).toBe(75);
  });

  it("keeps each attribute's latest value by event time: an older update or a redelivered one changes nothing", () => {
    // Prepare
    const silver = event("a1", "user.updated", "2026-11-01T00:00:00Z", {
      userId: "u1",
      attributes: { tier: "silver" },
    });
    const gold = event("a2", "user.updated", "2026-11-02T00:00:00Z", {
      userId: "u1",
      attributes: { tier: "gold", city: "Chengdu" },
    });
    const afterGold = applyEventToProfile(applyEventToProfile(undefined, silver), gold);
    // Act
    const silverAgain = applyEventToProfile(afterGold, silver);
    const goldAgain = applyEventToProfile(afterGold, gold);
    // Assess
    expect(afterGold?.attributes).toEqual({ tier: "gold", city: "Chengdu" });
    expect(silverAgain).toBeUndefined();
    expect(goldAgain).toBeUndefined();
  });

  it("sets only an update's flat attributes, in the order JSON gives them, and never a __proto__ key", () => {
    // Prepare: attributes parsed from JSON as the ingest does, with a nested object, null and a __proto__ key.
    const attributes: unknown = JSON.parse(
      '{"tier":"gold","2":"second","1":1,"vip":true,"address":{"city":"Chengdu"},"note":null,"__proto__":"x"}',
    );
    // Act
    const profile = applyEventToProfile(
      undefined,
      event("a1", "user.updated", "2026-11-01T00:00:00Z", { userId: "u1", attributes }),
    );
    // Assess
    expect(Object.entries(profile?.attributes ?? {})).toEqual([
      ["1", 1],
      ["2", "second"],
      ["tier", "gold"],
      ["vip", true],
    ]);
    expect(Object.keys(profile?.fieldTimes ?? {})).toEqual([
      "attributes.1",
      "attributes.2",
      "attributes.tier",
      "attributes.vip",
    ]);
    expect(Object.getPrototypeOf(profile?.attributes)).toBe(Object.prototype);
  });

  it("treats the same consent decision redelivered as no change", () => {
    // Prepare
    const unsubscribe = event("c1", "user.unsubscribed", "2026-11-03T00:00:00Z", { userId: "u1", channel: "sms" });
    const profile = applyEventToProfile(undefined, unsubscribe);
    // Act
    const again = applyEventToProfile(profile, unsubscribe);
    // Assess
    expect(profile?.consent.sms).toEqual({ subscribed: false, at: "2026-11-03T00:00:00Z" });
    expect(again).toBeUndefined();
  });

  it("keeps the business-key memory bounded: 8 characters an order, the oldest forgotten past the limit", () => {
    // Prepare
    let profile: Profile | undefined;
    const orders = MAX_COUNTED_KEYS + 10;
    // Act
    for (let i = 0; i < orders; i++) {
      const time = new Date(Date.parse("2026-01-01T00:00:00Z") + i * 60_000).toISOString();
      const order = event(`e${i}`, "order.placed", time, {
        userId: "u1",
        orderId: `o-${i}`,
        amount: 1,
        currency: "CNY",
      });
      profile = applyEventToProfile(profile, order) ?? profile;
    }
    const latest = event("again", "order.placed", "2027-01-01T00:00:00Z", {
      userId: "u1",
      orderId: `o-${orders - 1}`,
      amount: 1,
      currency: "CNY",
    });
    // Assess
    expect(profile?.orderCount).toBe(orders);
    expect(profile?.countedKeys).toHaveLength(MAX_COUNTED_KEYS * 8);
    expect(applyEventToProfile(profile, latest)).toBeUndefined();
  });
});
