import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { compileJourney } from "../../functions/engine/compile.ts";
import { decideEvent } from "../../functions/engine/decide.ts";
import type { RunRecord } from "../../functions/engine/model.ts";
import { journey, shopEvent } from "./fixtures.ts";

/**
 * A journey whose trigger is also its exit event (checkin-streak: each check-in ends the waiting run and
 * starts the next). The event ends the run it finds and may start a new one, whether a run was active or
 * the last one had already ended.
 */

const perCheckIn = (steps: Parameters<typeof journey>[0]["steps"]) =>
  compileJourney(
    journey({
      trigger: { type: "event", pattern: { "detail-type": ["user.checked_in"] } },
      reentry: { type: "after-exit" },
      exitOn: [{ "detail-type": ["user.checked_in"] }],
      start: steps[0]?.id ?? "",
      steps,
    }),
  );

/** Greets at once: the run has ended when the next check-in comes. */
const greetNow = perCheckIn([{ id: "greet", type: "send", channel: "push", template: "hello", category: "service" }]);
/** Waits a day, then greets: the run still waits when the next check-in comes. */
const greetTomorrow = perCheckIn([
  { id: "later", type: "wait", for: "P1D", next: "greet" },
  { id: "greet", type: "send", channel: "push", template: "hello", category: "service" },
]);

const checkIn = (time: string) => shopEvent("user.checked_in", time, { userId: "u1" });

function decideAll(compiled: typeof greetNow, events: ShopEvent[]): { record?: RunRecord; types: string[][] } {
  let record: RunRecord | undefined;
  const types: string[][] = [];
  for (const event of events) {
    const decision = decideEvent({
      current: compiled,
      record,
      key: "u1",
      profile: undefined,
      now: Date.parse(event.time),
      event,
    });
    types.push(decision?.effects.map((effect) => effect.type) ?? []);
    record = decision?.record ?? record;
  }
  return { record, types };
}

describe("an event that is both the trigger and an exit", () => {
  it("starts a new run after the last one ended", () => {
    // Act
    const { record, types } = decideAll(greetNow, [checkIn("2026-11-02T02:00:00Z"), checkIn("2026-11-03T02:00:00Z")]);
    // Assess
    expect(types[1]).toEqual(["journey.entered", "message.sent", "journey.exited"]);
    expect(record?.entries).toBe(2);
  });

  it("ends the waiting run and starts the next", () => {
    // Act
    const { record, types } = decideAll(greetTomorrow, [
      checkIn("2026-11-02T02:00:00Z"),
      checkIn("2026-11-02T09:00:00Z"),
    ]);
    // Assess
    expect(types[1]).toEqual(["journey.exited", "journey.entered"]);
    expect(record?.run).toMatchObject({ runId: "test-journey:u1:2", status: "active" });
  });

  it("still keeps out an older one arriving late", () => {
    // Act: the check-in of 09:00 arrives after the one of 10:00 started the latest run.
    const late = checkIn("2026-11-02T01:00:00Z");
    const { record, types } = decideAll(greetNow, [checkIn("2026-11-02T02:00:00Z"), { ...late }]);
    // Assess
    expect(types[1]).toEqual([]);
    expect(record?.entries).toBe(1);
  });
});
