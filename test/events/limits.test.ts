import { describe, expect, it } from "vitest";
import { nestsDeeperThan, putEventsEntrySize } from "../../events/limits.ts";

describe("event limits", () => {
  it("counts an entry's size as EventBridge documents it: UTF-8 bytes of Source, DetailType, Detail, resources, 14 for Time", () => {
    // Prepare: a detail with a two-byte and a three-byte character.
    const entry = {
      Source: "shop",
      DetailType: "order.placed",
      Detail: '{"note":"é中"}',
      Resources: ["arn:aws:s3:::a", 7],
      Time: new Date("2026-11-18T02:00:00Z"),
      EventBusName: "not counted",
    };
    // Act
    const withTime = putEventsEntrySize(entry);
    const withoutTime = putEventsEntrySize({ ...entry, Time: undefined });
    // Assess: 4 + 12 + (11 + 2 + 3) + 14 (a resource that is not a string counts nothing) + 14.
    expect(withoutTime).toBe(4 + 12 + 16 + 14);
    expect(withTime).toBe(withoutTime + 14);
  });

  it("measures nesting of objects and arrays, stopping at the limit however deep the value", () => {
    // Prepare
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level++) deep = [deep];
    // Act / Assess
    expect(nestsDeeperThan("text", 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: [1, 2, [3]] }, 2)).toBe(true);
    expect(nestsDeeperThan(deep, 32)).toBe(true);
  });
});
