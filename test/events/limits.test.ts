import { describe, expect, it } from "vitest";
import { parseEvent } from "../../events/catalog.ts";
import { MAX_ID_BYTES, nestsDeeperThan, putEventsEntrySize } from "../../events/limits.ts";

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

  it("limits ids in the detail to what a key holds, not the event's own id (a journey's events carry the run key in theirs)", () => {
    // Prepare: a coupon a journey issued to a user whose id is as long as allowed, and one byte longer.
    const userId = "u".repeat(MAX_ID_BYTES);
    const issued = (user: string) => ({
      id: `new-user-coupon:${user}:1:3:coupon`,
      source: "nudge",
      "detail-type": "coupon.issued",
      time: "2026-11-18T02:00:00Z",
      detail: {
        userId: user,
        couponId: "cpn_1x2y3z",
        code: "WELCOME",
        amountOff: 20,
        expiresAt: "2026-11-25T02:00:00Z",
      },
    });
    // Act
    const atLimit = parseEvent(issued(userId));
    const over = parseEvent(issued(`${userId}u`));
    // Assess
    expect(atLimit.ok).toBe(true);
    expect(over.ok ? [] : over.error.problems).toEqual([
      {
        path: "detail.userId",
        message: `is ${MAX_ID_BYTES + 1} bytes long, more than the ${MAX_ID_BYTES} an id may have (it is part of a DynamoDB key)`,
      },
    ]);
  });
});
