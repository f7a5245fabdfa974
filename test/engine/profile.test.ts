import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { applyEventToProfile } from "../../functions/engine/profile.ts";

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
});
