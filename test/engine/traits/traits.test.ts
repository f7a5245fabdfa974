import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../../events/catalog.ts";
import type { Profile } from "../../../functions/engine/model.ts";
import { applyEventToProfile } from "../../../functions/engine/profile.ts";
import {
  parseTraitsFile,
  type TraitsFile,
  traitProblems,
  traitsFileSchema,
} from "../../../functions/engine/traits/config.ts";
import { dayNumber } from "../../../functions/engine/traits/days.ts";
import { applyEventToTraits, type TraitStates } from "../../../functions/engine/traits/state.ts";
import { traitValues } from "../../../functions/engine/traits/values.ts";
import { shopEvent } from "../fixtures.ts";

const SHIPPED: TraitsFile = parseTraitsFile(
  JSON.parse(readFileSync(new URL("../../../journeys/traits.json", import.meta.url), "utf8")),
);
const DAY = 86_400_000;
const SHANGHAI = "Asia/Shanghai";

/** The states after the events, in the order given. */
function statesAfter(events: ShopEvent[], zone = SHANGHAI, file = SHIPPED): TraitStates | undefined {
  return events.reduce<TraitStates | undefined>(
    (states, event) => applyEventToTraits(file, states, event, zone) ?? states,
    undefined,
  );
}

const order = (time: string, amount: number, orderId = `o-${time}`) =>
  shopEvent("order.placed", time, { userId: "u1", orderId, amount, currency: "CNY" });
const refund = (time: string, amount: number, orderId: string) =>
  shopEvent("order.refunded", time, { userId: "u1", orderId, amount });
const checkIn = (time: string) => shopEvent("user.checked_in", time, { userId: "u1" });

describe("the traits file", () => {
  it("ships the defaults the docs promise, valid", () => {
    // Assess
    expect(Object.keys(SHIPPED.traits)).toEqual(
      expect.arrayContaining([
        "ordersTotal",
        "orders365d",
        "spend365d",
        "lastOrderAt",
        "lastCartAt",
        "lastFavoriteAt",
        "checkinStreak",
        "growthValue",
        "rfm",
      ]),
    );
  });

  it("refuses an unknown key, a score that reads an undefined trait, and traits that read each other in a loop", () => {
    // Prepare
    const typo = { traits: { orders: { kind: "count", event: "order.placed", windw: "P30D" } } };
    const dangling = { traits: { value: { kind: "score", terms: [{ trait: "spend", weight: 1 }] } } };
    const loop = {
      traits: {
        a: { kind: "score", terms: [{ trait: "b", weight: 1 }] },
        b: { kind: "score", terms: [{ trait: "a", weight: 1 }] },
      },
    };
    // Act
    const shape = traitsFileSchema.safeParse(typo);
    // Assess
    expect(shape.success).toBe(false);
    expect(traitProblems(traitsFileSchema.parse(dangling))).toEqual([
      { path: "traits.value", message: 'reads "spend", which no trait defines' },
    ]);
    expect(traitProblems(traitsFileSchema.parse(loop))).toEqual([
      { path: "traits.a", message: "traits read each other in a loop: a → b → a" },
    ]);
  });
});

describe("aggregates", () => {
  it("lets a rolling window's value change with time alone: an order leaves spend365d a year after it", () => {
    // Prepare
    const states = statesAfter([order("2026-01-10T04:00:00Z", 268.5), order("2026-06-01T04:00:00Z", 100)]);
    // Act
    const at = (iso: string) => traitValues(SHIPPED, states, Date.parse(iso), SHANGHAI);
    // Assess
    expect(at("2026-12-01T00:00:00Z")).toMatchObject({
      orders365d: 2,
      spend365d: 368.5,
      ordersTotal: 2,
      spendTotal: 368.5,
    });
    expect(at("2027-01-11T00:00:00Z")).toMatchObject({
      orders365d: 1,
      spend365d: 100,
      ordersTotal: 2,
      spendTotal: 368.5,
    });
    expect(at("2027-06-02T00:00:00Z")).toMatchObject({
      orders365d: 0,
      spend365d: 0,
      lastOrderAt: "2026-06-01T04:00:00Z",
    });
  });

  it("subtracts refunds, counts only photo reviews, and gives the same values whatever order events arrive in", () => {
    // Prepare
    const events = [
      order("2026-11-01T04:00:00Z", 600, "o1"),
      refund("2026-11-03T04:00:00Z", 200, "o1"),
      shopEvent("review.posted", "2026-11-04T04:00:00Z", { userId: "u1", orderId: "o1", photoCount: 2 }),
      shopEvent("review.posted", "2026-11-05T04:00:00Z", { userId: "u1", orderId: "o2" }),
    ];
    const now = Date.parse("2026-11-10T00:00:00Z");
    // Act
    const inOrder = traitValues(SHIPPED, statesAfter(events), now, SHANGHAI);
    const reversed = traitValues(SHIPPED, statesAfter([...events].reverse()), now, SHANGHAI);
    // Assess
    expect(inOrder).toMatchObject({ spend365d: 400, spendTotal: 400, photoReviews: 1 });
    expect(reversed).toEqual(inOrder);
  });
});

describe("streaks", () => {
  it("counts consecutive days in the user's zone, keeps the streak until their midnight, and resets it after a missed day", () => {
    // Prepare: check-ins at 08:00 in Shanghai on Nov 20, 21 and 22 (00:00 UTC).
    const states = statesAfter(["2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"].map(checkIn));
    const at = (iso: string) => traitValues(SHIPPED, states, Date.parse(iso), SHANGHAI);
    // Act / Assess: 20:00 on the 23rd, not checked in yet; 00:01 on the 24th, a day missed.
    expect(at("2026-11-22T12:00:00Z")).toMatchObject({ checkinStreak: 3, checkedInToday: true, checkinDays: 3 });
    expect(at("2026-11-23T12:00:00Z")).toMatchObject({ checkinStreak: 3, checkedInToday: false });
    expect(at("2026-11-23T16:01:00Z")).toMatchObject({ checkinStreak: 0, checkedInToday: false, checkinDays: 3 });
  });

  it("counts days across a daylight-saving change in the user's own zone", () => {
    // Prepare: New York, 21:30 local on Oct 31, Nov 1 (the day clocks go back) and Nov 2.
    const zone = "America/New_York";
    const times = ["2026-11-01T01:30:00Z", "2026-11-02T02:30:00Z", "2026-11-03T02:30:00Z"];
    const states = statesAfter(times.map(checkIn), zone);
    // Act: 22:00 local on Nov 2.
    const values = traitValues(SHIPPED, states, Date.parse("2026-11-03T03:00:00Z"), zone);
    // Assess
    expect(values).toMatchObject({ checkinStreak: 3, checkedInToday: true });
  });

  it("fills a gap with a late check-in", () => {
    // Prepare: the 20th and 22nd, then the 21st arrives late.
    const late = ["2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z", "2026-11-21T00:00:00Z"].map(checkIn);
    // Act
    const values = traitValues(SHIPPED, statesAfter(late), Date.parse("2026-11-22T12:00:00Z"), SHANGHAI);
    // Assess
    expect(values.checkinStreak).toBe(3);
  });
});

describe("growth value and tiers", () => {
  it("rises to silver with spend, check-in days and photo reviews, and falls back with a refund", () => {
    // Prepare: 420 yuan, 10 check-in days (50), 2 photo reviews (40) = 510.
    const days = Array.from({ length: 10 }, (_, i) =>
      checkIn(new Date(Date.parse("2026-11-01T01:00:00Z") + i * DAY).toISOString()),
    );
    const reviews = ["o1", "o2"].map((orderId) =>
      shopEvent("review.posted", "2026-11-12T01:00:00Z", { userId: "u1", orderId, photoCount: 1 }),
    );
    const events = [order("2026-11-01T02:00:00Z", 420, "o1"), ...days, ...reviews];
    const now = Date.parse("2026-11-20T00:00:00Z");
    // Act
    const before = traitValues(SHIPPED, statesAfter(events), now, SHANGHAI);
    const after = traitValues(
      SHIPPED,
      statesAfter([...events, refund("2026-11-15T00:00:00Z", 20, "o1")]),
      now,
      SHANGHAI,
    );
    // Assess
    expect(before).toMatchObject({ growthValue: 510, growthTier: "silver" });
    expect(after).toMatchObject({ growthValue: 490, growthTier: "normal" });
  });
});

describe("RFM", () => {
  it("moves a champion to can't-lose as its orders age, and gives a user with no order no group", () => {
    // Prepare: 10 orders of 600 yuan in October 2026.
    const orders = Array.from({ length: 10 }, (_, i) => order(`2026-10-${String(i + 10)}T04:00:00Z`, 600));
    const states = statesAfter(orders);
    const at = (iso: string) => traitValues(SHIPPED, states, Date.parse(iso), SHANGHAI);
    // Act / Assess
    expect(at("2026-10-25T00:00:00Z")).toMatchObject({ rfm: { r: 5, f: 5, m: 5 }, rfmGroup: "champions" });
    expect(at("2027-04-25T00:00:00Z")).toMatchObject({ rfm: { r: 1, f: 5, m: 5 }, rfmGroup: "cant-lose" });
    expect(at("2026-11-01T00:00:00Z")).not.toHaveProperty("rfmGroup", "new");
    const none = traitValues(
      SHIPPED,
      statesAfter([checkIn("2026-11-01T00:00:00Z")]),
      Date.parse("2026-11-02T00:00:00Z"),
      SHANGHAI,
    );
    expect(none).not.toHaveProperty("rfm");
    expect(none).not.toHaveProperty("rfmGroup");
  });

  it("calls a recent first order new, and a lapsed one hibernating", () => {
    // Prepare
    const states = statesAfter([order("2026-11-01T04:00:00Z", 99)]);
    // Act / Assess
    expect(traitValues(SHIPPED, states, Date.parse("2026-11-05T00:00:00Z"), SHANGHAI)).toMatchObject({
      rfm: { r: 5, f: 1, m: 1 },
      rfmGroup: "new",
    });
    expect(traitValues(SHIPPED, states, Date.parse("2027-05-05T00:00:00Z"), SHANGHAI)).toMatchObject({
      rfm: { r: 1, f: 1, m: 1 },
      rfmGroup: "hibernating",
    });
  });
});

describe("the profile's traits", () => {
  const setting = { file: SHIPPED, defaultZone: SHANGHAI };

  it("counts an order, a refund and a photo review once, however often each is delivered", () => {
    // Prepare
    const events = [
      order("2026-11-01T04:00:00Z", 600, "o1"),
      refund("2026-11-03T04:00:00Z", 200, "o1"),
      shopEvent("review.posted", "2026-11-04T04:00:00Z", { userId: "u1", orderId: "o1", photoCount: 2 }, "rev-1"),
    ];
    // Act: each delivered twice, the second time late.
    let profile: Profile | undefined;
    for (const event of [...events, ...events]) profile = applyEventToProfile(profile, event, setting) ?? profile;
    const values = traitValues(SHIPPED, profile?.traitStates, Date.parse("2026-11-10T00:00:00Z"), SHANGHAI);
    // Assess
    expect(values).toMatchObject({ ordersTotal: 1, spendTotal: 400, photoReviews: 1, growthValue: 420 });
    expect(profile).toMatchObject({ orderCount: 1, totalSpent: 400 });
  });

  it("learns from events only the traits need, and changes nothing on a repeat", () => {
    // Prepare
    const checkedIn = checkIn("2026-11-20T00:00:00Z");
    // Act
    const first = applyEventToProfile(undefined, checkedIn, setting);
    const again = applyEventToProfile(first, { ...checkedIn, id: "another-id" }, setting);
    // Assess: a check-in day is a day, whatever the event's id.
    expect(first?.traitStates?.checkinStreak?.days).toEqual([
      [dayNumber(Date.parse(checkedIn.time), SHANGHAI), dayNumber(Date.parse(checkedIn.time), SHANGHAI)],
    ]);
    expect(again).toBeUndefined();
    expect(applyEventToProfile(undefined, checkedIn)).toBeUndefined();
  });
});
