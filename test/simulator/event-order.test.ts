import { describe, expect, it } from "vitest";
import { type InvalidInput, orderEventLines, parseEventLines } from "../../functions/simulator/event-order.ts";
import { shopEvent } from "../engine/fixtures.ts";

const line = (id: string, time: string) => JSON.stringify(shopEvent("user.registered", time, { userId: id }, id));

/** An event as EventBridge writes it, its fields in EventBridge's order. */
const busLine = (id: string, time: string) => {
  const { source, detail } = shopEvent("user.registered", time, { userId: id }, id);
  const envelope = { version: "0", id, "detail-type": "user.registered", source, account: "123456789012", time };
  return JSON.stringify({ ...envelope, region: "cn-north-1", resources: [], detail });
};

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

  it("fails too when a line changes into another valid event between the readings", () => {
    // Prepare: line 2 names another user the second time (a valid event: only its text tells it changed)
    const bus = [busLine("a", "2026-11-01T02:00:00Z"), busLine("b", "2026-11-01T05:00:00Z")];
    let readings = 0;
    const lines = {
      *[Symbol.iterator]() {
        readings++;
        yield* readings === 1 ? bus : [bus[0] as string, busLine("b2", "2026-11-01T05:00:00Z"), ...bus.slice(2)];
      },
    };
    // Act / Assess
    expect(() => [...orderEventLines(lines).events]).toThrow(/line 2: the events changed/);
  });

  it("gives each event as its check does, whether its line is in EventBridge's field order or not", () => {
    // Prepare: one line as EventBridge writes an event; one in another order with a field the envelope drops
    const inOrder = busLine("a", "2026-11-01T02:00:00Z");
    const parsed = JSON.parse(busLine("b", "2026-11-01T03:00:00Z")) as Record<string, unknown>;
    const reordered = JSON.stringify({ detail: parsed.detail, extra: true, ...parsed });
    const lines = [inOrder, reordered];
    // Act: read twice (an array), against parsed whole
    const twice = [...orderEventLines(lines).events];
    const whole = parseEventLines(lines).events;
    // Assess: the same events, their fields in the same order
    expect(twice.map((event) => JSON.stringify(event))).toEqual(whole.map((event) => JSON.stringify(event)));
    expect(JSON.stringify(twice[0])).toBe(inOrder);
    expect(twice[1]).not.toHaveProperty("extra");
  });
});
