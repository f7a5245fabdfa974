import { describe, expect, it } from "vitest";
import type { StatsCounter } from "../../functions/engine/model.ts";
import { CounterTotals } from "../../functions/runtime/counter-totals.ts";

/** Statistics added up: a batch's before the runtime's flush writes them, the in-memory store's (counter-totals.ts). */

const counter = (overrides: Partial<StatsCounter>): StatsCounter => ({
  journeyId: "new-user-coupon",
  version: 3,
  day: "2026-11-11",
  name: "entered",
  amount: 1,
  ...overrides,
});

describe("CounterTotals", () => {
  it("adds up each journey, version, day, hour and name apart, however their counters interleave", () => {
    // Prepare: Double 11 counters of two journeys, two versions, two days and an hour, interleaved.
    const stats = new CounterTotals();
    const added = [
      counter({}),
      counter({ journeyId: "dormancy-reactivation" }),
      counter({}),
      counter({ version: 4 }),
      counter({ day: "2026-11-12" }),
      counter({ name: "message.sent" }),
      counter({ hour: "10" }),
      counter({}),
      counter({ hour: "10", amount: 2 }),
      counter({ journeyId: "dormancy-reactivation", day: "2026-11-12" }),
      counter({ name: "coupon.value", amount: 20 }),
      counter({ name: "coupon.value", amount: 30 }),
    ];

    // Act
    for (const each of added) stats.add({ ...each });
    const taken = stats.take();

    // Assess: in the order first added, each with its sum.
    expect(
      taken.map(({ journeyId, version, day, hour, name, amount }) => [journeyId, version, day, hour, name, amount]),
    ).toEqual([
      ["new-user-coupon", 3, "2026-11-11", undefined, "entered", 3],
      ["dormancy-reactivation", 3, "2026-11-11", undefined, "entered", 1],
      ["new-user-coupon", 4, "2026-11-11", undefined, "entered", 1],
      ["new-user-coupon", 3, "2026-11-12", undefined, "entered", 1],
      ["new-user-coupon", 3, "2026-11-11", undefined, "message.sent", 1],
      ["new-user-coupon", 3, "2026-11-11", "10", "entered", 3],
      ["dormancy-reactivation", 3, "2026-11-12", undefined, "entered", 1],
      ["new-user-coupon", 3, "2026-11-11", undefined, "coupon.value", 50],
    ]);
  });

  it("starts afresh after a take: a counter added then is a new one, not the taken one's", () => {
    // Prepare
    const stats = new CounterTotals();
    stats.add(counter({}));
    const first = stats.take();

    // Act
    stats.add(counter({ amount: 5 }));
    const second = stats.take();

    // Assess
    expect(first.map((c) => c.amount)).toEqual([1]);
    expect(second.map((c) => c.amount)).toEqual([5]);
    expect(stats.size).toBe(0);
  });
});
