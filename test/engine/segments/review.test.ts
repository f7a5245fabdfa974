import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Profile } from "../../../functions/engine/model.ts";
import { reviewProfile } from "../../../functions/engine/segments/review.ts";
import { compileWatch } from "../../../functions/engine/segments/watch.ts";
import { parseTraitsFile, type TraitsFile } from "../../../functions/engine/traits/config.ts";
import { traitChangeTimes, traitsBehind } from "../../../functions/engine/traits/next-change.ts";
import { applyEventToTraits, type TraitStates } from "../../../functions/engine/traits/state.ts";
import { traitValues } from "../../../functions/engine/traits/values.ts";
import type { Journey } from "../../../functions/language/schema.ts";

/** The shipped traits, with one segment of each kind of time dependence. */
const FILE: TraitsFile = {
  ...parseTraitsFile(JSON.parse(readFileSync(new URL("../../../journeys/traits.json", import.meta.url), "utf8"))),
  segments: {
    "carted-30d": {
      id: "carted-30d",
      name: "carted",
      condition: { profile: { traits: { carts30d: [{ numeric: [">", 0] }] } } },
    },
    "streak-3": {
      id: "streak-3",
      name: "streak",
      condition: { profile: { traits: { checkinStreak: [{ numeric: [">=", 3] }] } } },
    },
  },
};
const DAY = 86_400_000;
const T0 = Date.parse("2026-03-01T02:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

function stateAfter(events: { type: string; at: number }[], zone: string) {
  let states: TraitStates = {};
  for (const [i, e] of events.entries())
    states =
      applyEventToTraits(
        FILE,
        states,
        {
          id: `e${i}`,
          source: "shop",
          "detail-type": e.type,
          time: at(e.at),
          detail: { userId: "u1", productId: "p" },
        },
        zone,
      ) ?? states;
  return states;
}

const profileWith = (traitStates: TraitStates, extra: Partial<Profile> = {}): Profile => ({
  userId: "u1",
  attributes: {},
  consent: {},
  orderCount: 0,
  totalSpent: 0,
  traitStates,
  ...extra,
});

describe("when traits next change with time alone", () => {
  it("finds a rolling window's end, a streak's midnight in the user's zone across DST, and an RFM threshold", () => {
    // Prepare: a cart on day 0; check-ins in New York on the three days before the spring change (2026-03-08).
    const zone = "America/New_York";
    const checkIns = [5, 6, 7].map((d) => ({ type: "user.checked_in", at: Date.parse(`2026-03-0${d}T15:00:00Z`) }));
    const states = stateAfter([{ type: "cart.item_added", at: T0 }, ...checkIns], zone);
    const now = Date.parse("2026-03-07T16:00:00Z");
    const values = traitValues(FILE, states, now, zone);
    const next = (names: string[]) =>
      traitChangeTimes(FILE, { states, traits: traitsBehind(FILE, names), now, zone, values }).times[0];

    // Act / Assess: the cart leaves the 30-day window at T0 + 30 days.
    expect(next(["carts30d"])).toBe(T0 + 30 * DAY);
    // The streak's today flag turns at New York's midnight (05:00Z in winter).
    expect(next(["checkinStreak"])).toBe(Date.parse("2026-03-08T05:00:00Z"));
    // No order yet: RFM never changes with time.
    expect(next(["rfmGroup"])).toBeUndefined();
  });

  it("wakes an RFM group when the days since the last order pass each recency bound", () => {
    // Prepare
    const states =
      applyEventToTraits(
        FILE,
        {},
        {
          id: "o1",
          source: "shop",
          "detail-type": "order.placed",
          time: at(T0),
          detail: { userId: "u1", orderId: "o1", amount: 100, currency: "CNY" },
        },
        "Asia/Shanghai",
      ) ?? {};
    const zone = "Asia/Shanghai";
    const next = (now: number) =>
      traitChangeTimes(FILE, {
        states,
        traits: traitsBehind(FILE, ["rfmGroup"]),
        now,
        zone,
        values: traitValues(FILE, states, now, zone),
      }).times[0];

    // Act / Assess: R drops after 30, 60, 90 and 180 whole days; F and M when the order leaves 365 days.
    expect(next(T0)).toBe(T0 + 31 * DAY);
    expect(next(T0 + 31 * DAY)).toBe(T0 + 61 * DAY);
    expect(next(T0 + 181 * DAY)).toBe(T0 + 365 * DAY);
    expect(next(T0 + 365 * DAY)).toBeUndefined();
  });
});

describe("reviewProfile", () => {
  const setting = (journeys: Journey[] = []) => ({
    file: FILE,
    defaultZone: "Asia/Shanghai",
    watch: compileWatch(FILE, journeys),
  });

  it("enters a segment with an event of a stable id, stores the membership and arms the profile's wake-up", () => {
    // Prepare
    const states = stateAfter([{ type: "cart.item_added", at: T0 }], "Asia/Shanghai");
    const profile = profileWith(states);

    // Act
    const review = reviewProfile(setting(), { profile, now: T0, cause: "cart-1" });
    const again = reviewProfile(setting(), { profile, now: T0, cause: "cart-1" });

    // Assess
    expect(review.events.map((e) => [e.id, e["detail-type"], e.detail])).toEqual([
      ["segment.entered:u1:carted-30d:cart-1", "segment.entered", { userId: "u1", segment: "carted-30d" }],
    ]);
    expect(again.events).toEqual(review.events);
    expect(review.profile?.segments).toEqual(["carted-30d"]);
    expect(review.wakeUp).toEqual({ kind: "profile", journeyId: "@profile", key: "u1", at: at(T0 + 30 * DAY) });
  });

  it("keeps an earlier wake-up armed, and leaves the segment when it fires", () => {
    // Prepare: the wake-up is armed for day 30; a second cart on day 10 would move it to day 40.
    const states = stateAfter(
      [
        { type: "cart.item_added", at: T0 },
        { type: "cart.item_added", at: T0 + 10 * DAY },
      ],
      "Asia/Shanghai",
    );
    const armed = profileWith(states, { segments: ["carted-30d"], wakeAt: at(T0 + 30 * DAY) });

    // Act
    const onCart = reviewProfile(setting(), { profile: armed, now: T0 + 10 * DAY, cause: "cart-2" });
    const onEarlyWake = reviewProfile(setting(), { profile: armed, now: T0 + 30 * DAY, cause: "wake" });
    const onLastWake = reviewProfile(setting(), {
      profile: { ...armed, wakeAt: at(T0 + 40 * DAY) },
      now: T0 + 40 * DAY,
      cause: "wake",
    });

    // Assess
    expect(onCart).toEqual({ events: [] });
    expect(onEarlyWake.events).toEqual([]);
    expect(onEarlyWake.wakeUp?.at).toBe(at(T0 + 40 * DAY));
    expect(onLastWake.events.map((e) => e["detail-type"])).toEqual(["segment.exited"]);
    expect(onLastWake.profile?.segments).toBeUndefined();
    expect(onLastWake.profile?.wakeAt).toBeUndefined();
  });
});
