import { describe, expect, it } from "vitest";
import { entryOf, newMap } from "../../functions/shared/maps.ts";

describe("entryOf", () => {
  it("makes the value the first time a key is asked for, and hands back the same one after", () => {
    // Prepare: member day's budget days by journey, as the in-memory budgets keep them.
    const byJourney = new Map<string, Map<string, number>>();
    let made = 0;
    const create = () => {
      made++;
      return newMap<string, number>();
    };

    // Act
    const first = entryOf(byJourney, "member-day", create);
    first.set("2026-11-11", 20);
    const again = entryOf(byJourney, "member-day", create);
    const other = entryOf(byJourney, "new-user-coupon", create);

    // Assess
    expect(again).toBe(first);
    expect(again.get("2026-11-11")).toBe(20);
    expect(other).not.toBe(first);
    expect(made).toBe(2);
    expect([...byJourney.keys()]).toEqual(["member-day", "new-user-coupon"]);
  });

  it("keeps a value under an object key of a WeakMap", () => {
    // Prepare
    const caps = [{ id: "daily" }];
    const worked = new WeakMap<object, string[]>();

    // Act
    entryOf(worked, caps, () => []).push("cap:daily");

    // Assess
    expect(worked.get(caps)).toEqual(["cap:daily"]);
  });
});
