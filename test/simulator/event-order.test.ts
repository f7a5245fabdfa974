import { describe, expect, it } from "vitest";
import { type InvalidInput, orderEventLines, parseEventLines } from "../../functions/simulator/event-order.ts";
import { shopEvent } from "../engine/fixtures.ts";

const line = (id: string, time: string) => JSON.stringify(shopEvent("user.registered", time, { userId: id }, id));

// Late lines (earlier than one before them), equal times among both kinds, an invalid line and blank ones.
const LINES = [
  line("a", "2026-11-01T02:00:00Z"),
  line("b", "2026-11-01T05:00:00Z"),
  line("late-1", "2026-11-01T02:00:00Z"),
  "",
  line("c", "2026-11-01T05:00:00Z"),
  '{"id":"broken"}',
  line("late-2", "2026-11-01T01:00:00Z"),
  line("d", "2026-11-01T06:00:00Z"),
  line("late-3", "2026-11-01T05:00:00Z"),
  line("e", "2026-11-01T06:00:00Z"),
  line("late-4", "2026-11-01T05:00:00Z"),
  "",
];

describe("orderEventLines", () => {
  it("gives the events of lines it reads twice in the order of a stable sort by time, each invalid line once", () => {
    // Prepare
    let readings = 0;
    const lines = {
      *[Symbol.iterator]() {
        readings++;
        yield* LINES;
      },
    };
    const reported: InvalidInput[] = [];
    // Act
    const ordered = orderEventLines(lines, (invalid) => reported.push(invalid));
    const ids = [...ordered.events].map((event) => event.id);
    // Assess: the whole parse and sort gives the same
    expect(ids).toEqual(parseEventLines(LINES).events.map((event) => event.id));
    expect(ids).toEqual(["late-2", "a", "late-1", "b", "c", "late-3", "late-4", "d", "e"]);
    expect(readings).toBe(2);
    expect(reported.map((invalid) => invalid.line)).toEqual([6]);
    expect(ordered.invalid).toEqual(reported);
    expect(ordered.last).toBe(Date.parse("2026-11-01T06:00:00Z"));
  });

  it("gives the same order from an iterator, which it reads once, and nothing from no line", () => {
    // Act
    const ordered = orderEventLines(LINES.values());
    const none = orderEventLines([]);
    // Assess
    expect([...ordered.events].map((event) => event.id)).toEqual([
      "late-2",
      "a",
      "late-1",
      "b",
      "c",
      "late-3",
      "late-4",
      "d",
      "e",
    ]);
    expect(ordered.invalid.map((invalid) => invalid.line)).toEqual([6]);
    expect(ordered.last).toBe(Date.parse("2026-11-01T06:00:00Z"));
    expect([...none.events]).toEqual([]);
    expect(none.last).toBeUndefined();
  });

  it("fails rather than runs other events when the lines change between the two readings", () => {
    // Prepare: the second reading finds an invalid line where a valid one was
    let readings = 0;
    const lines = {
      *[Symbol.iterator]() {
        readings++;
        yield* readings === 1 ? LINES : ["{}", ...LINES.slice(1)];
      },
    };
    // Act / Assess
    expect(() => [...orderEventLines(lines).events]).toThrow(/line 1: the events changed/);
  });
});
