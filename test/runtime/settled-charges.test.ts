import { describe, expect, it } from "vitest";
import { MAX_SETTLED_PER_WRITE, SettledCharges } from "../../functions/runtime/settled-charges.ts";

/** Settlements waiting for the next charge on their budget item, or the batch's flush (settled-charges.ts). */

const memberDay = (day: string, shard: number) => ({ journeyId: "member-day", day, shard });
const couponIds = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `cpn.${prefix}.u${i}`);

describe("SettledCharges", () => {
  it("keeps each budget item's coupons apart, by journey, day and shard", () => {
    // Prepare
    const settled = new SettledCharges();

    // Act
    settled.add(memberDay("2026-11-11", 0), ["cpn.a"]);
    settled.add(memberDay("2026-11-11", 3), ["cpn.b"]);
    settled.add(memberDay("2026-11-12", 0), ["cpn.c"]);
    settled.add({ journeyId: "new-user-coupon", day: "2026-11-11", shard: 0 }, ["cpn.d"]);

    // Assess
    expect(settled.has(memberDay("2026-11-11", 0), "cpn.a")).toBe(true);
    expect(settled.has(memberDay("2026-11-11", 3), "cpn.a")).toBe(false);
    expect(settled.has(memberDay("2026-11-12", 0), "cpn.a")).toBe(false);
    expect(settled.has({ journeyId: "new-user-coupon", day: "2026-11-11", shard: 0 }, "cpn.a")).toBe(false);
    expect(settled.peek(memberDay("2026-11-11", 3), "")).toEqual(["cpn.b"]);
    expect(settled.peek(memberDay("2026-11-11", 0), "cpn.a")).toEqual([]);
  });

  it("forgets what a write removed, and drains the rest as settlements of at most MAX_SETTLED_PER_WRITE", () => {
    // Prepare
    const settled = new SettledCharges();
    const many = couponIds("member-day.1.issue-silver", MAX_SETTLED_PER_WRITE + 5);
    settled.add(memberDay("2026-11-11", 2), many);
    settled.add(memberDay("2026-11-12", 0), ["cpn.c"]);

    // Act
    settled.remove(memberDay("2026-11-12", 0), ["cpn.c"]);
    settled.remove(memberDay("2026-11-11", 2), many.slice(0, 3));
    const drained = settled.drain();

    // Assess
    expect(drained).toEqual([
      {
        journeyId: "member-day",
        day: "2026-11-11",
        shard: 2,
        settled: many.slice(3, MAX_SETTLED_PER_WRITE + 3),
        released: [],
      },
      {
        journeyId: "member-day",
        day: "2026-11-11",
        shard: 2,
        settled: many.slice(MAX_SETTLED_PER_WRITE + 3),
        released: [],
      },
    ]);
    expect(settled.drain()).toEqual([]);
    expect(settled.has(memberDay("2026-11-11", 2), many[4] ?? "")).toBe(false);
  });

  it("names no shard in the settlement of an unsharded budget (shard 0)", () => {
    // Prepare
    const settled = new SettledCharges();
    settled.add({ journeyId: "new-user-coupon", day: "2026-11-11", shard: 0 }, ["cpn.d"]);

    // Act
    const drained = settled.drain();

    // Assess
    expect(drained).toEqual([{ journeyId: "new-user-coupon", day: "2026-11-11", settled: ["cpn.d"], released: [] }]);
  });
});
