import { describe, expect, it } from "vitest";
import { RecentIds } from "../../functions/runtime/recent-ids.ts";

/** The hand-on's memory of outboxes it handed on (hand-on.ts): bounded, the newest kept. */

const outboxIds = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `new-user-coupon:u${from + i}:1:0:journey.entered`);

describe("RecentIds", () => {
  it("keeps at least the newest half of its capacity and forgets what is older than its capacity", () => {
    // Prepare
    const ids = new RecentIds(8);
    const remembered = outboxIds(0, 20);

    // Act
    for (const id of remembered) ids.remember(id);

    // Assess
    const kept = remembered.filter((id) => ids.has(id));
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(kept.length).toBeLessThanOrEqual(8);
    expect(kept).toEqual(remembered.slice(-kept.length));
    expect(ids.has("new-user-coupon:u999:1:0:journey.entered")).toBe(false);
  });

  it("counts an id remembered twice once, so that it does not push out a newer one", () => {
    // Prepare
    const ids = new RecentIds(4);
    const [first, second, third] = outboxIds(0, 3) as [string, string, string];

    // Act
    ids.remember(first);
    ids.remember(second);
    ids.remember(second);
    ids.remember(third);

    // Assess
    expect([first, second, third].map((id) => ids.has(id))).toEqual([true, true, true]);
  });
});
