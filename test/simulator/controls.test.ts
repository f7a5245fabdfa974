import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { type SimulationLine, simulate } from "../../functions/simulator/simulate.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { journey, shopEvent } from "../engine/fixtures.ts";

/**
 * Guardrails and operator controls in the simulator: a journey whose converted orders are refunded above
 * 5% pauses itself (a journey.paused line with the reason), admits no one after, holds its runs, and an
 * operator's resume continues them; --pause/--resume at virtual times.
 */

const DAY = 86_400_000;
const START = Date.parse("2026-11-02T02:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

const guarded = journey({
  id: "welcome-coupon",
  goal: { pattern: { "detail-type": ["order.placed"] }, within: "P7D" },
  guardrails: { maxRefundRate: 0.05, minSample: 10 },
  start: "greet",
  steps: [
    { id: "greet", type: "send", channel: "push", template: "hello", next: "later" },
    { id: "later", type: "wait", for: "P3D", next: "again" },
    { id: "again", type: "send", channel: "push", template: "hello" },
  ],
});

/** 20 registrations and orders on day 0, `refunds` of them refunded on day 1, a newcomer on day 2. */
function shop(refunds: number): ShopEvent[] {
  const events: ShopEvent[] = [];
  for (let i = 1; i <= 20; i++) {
    events.push(shopEvent("user.registered", iso(START + i * 60_000), { userId: `u${i}` }));
    const order = { userId: `u${i}`, orderId: `o${i}`, amount: 100, currency: "CNY" };
    events.push(shopEvent("order.placed", iso(START + 3_600_000 + i * 60_000), order));
  }
  for (let i = 1; i <= refunds; i++)
    events.push(
      shopEvent("order.refunded", iso(START + DAY + i * 60_000), { userId: `u${i}`, orderId: `o${i}`, amount: 100 }),
    );
  events.push(shopEvent("user.registered", iso(START + 2 * DAY), { userId: "late-comer" }));
  return events;
}

const lines = (events: ShopEvent[], extra: Parameters<typeof simulate>[0]["controls"] = []) =>
  simulate({ journeys: [guarded], events, store: new MemoryStore(), controls: extra, until: START + 10 * DAY }).then(
    (result) => result.lines,
  );

const typed = (all: SimulationLine[], type: string) => all.filter((line) => line.type === type);

describe("guardrails in the simulator", () => {
  it("pauses a journey whose refunds of converted orders pass 5%, admits no one after, and resumes its held runs", async () => {
    // Prepare: 2 of 20 converted orders refunded (10%); the operator resumes on day 5.
    const resumeAt = START + 5 * DAY;
    // Act
    const all = await lines(shop(2), [{ at: resumeAt, journeyId: "welcome-coupon", paused: false }]);
    // Assess: paused within the hour after the second refund.
    expect(typed(all, "journey.paused")).toEqual([
      expect.objectContaining({
        at: "2026-11-03T03:00:00Z",
        journey: "welcome-coupon",
        reason: "guardrail:maxRefundRate 0.1 > 0.05",
        by: "guardrail",
      }),
    ]);
    expect(all.filter((line) => line.user === "late-comer")).toEqual([]);
    // The second greetings fell due on day 3, during the pause: they go out at the resume.
    const again = typed(all, "message.sent").filter((line) => line.at > iso(START + DAY));
    expect(again).toHaveLength(20);
    expect(new Set(again.map((line) => line.at))).toEqual(new Set([iso(resumeAt)]));
    expect(typed(all, "journey.resumed")).toEqual([
      expect.objectContaining({ journey: "welcome-coupon", by: "simulator" }),
    ]);
  });

  it("does not pause at 1 refund in 20 (5%, not above it)", async () => {
    // Act
    const all = await lines(shop(1));
    // Assess
    expect(typed(all, "journey.paused")).toEqual([]);
    expect(typed(all, "journey.entered").map((line) => line.user)).toContain("late-comer");
    expect(typed(all, "message.sent")).toHaveLength(42);
  });

  it("pauses and resumes at the times --pause and --resume give", async () => {
    // Prepare
    const controls = [
      { at: START + DAY, journeyId: "welcome-coupon", paused: true },
      { at: START + 4 * DAY, journeyId: "welcome-coupon", paused: false },
    ];
    // Act
    const all = await lines(shop(0), controls);
    console.log(
      all
        .filter((l) => l.at > iso(START + DAY))
        .map((l) => `${l.at} ${l.user} ${l.type}`)
        .join("\n"),
    );
    // Assess
    expect(typed(all, "journey.paused").map((line) => [line.at, line.reason])).toEqual([
      ["2026-11-03T02:00:00Z", "paused by --pause"],
    ]);
    expect(all.filter((line) => line.user === "late-comer")).toEqual([]);
    expect(
      new Set(
        typed(all, "message.sent")
          .filter((l) => l.at > iso(START + DAY))
          .map((l) => l.at),
      ),
    ).toEqual(new Set(["2026-11-06T02:00:00Z"]));
  });
});
