import { describe, expect, it } from "vitest";
import type { WakeUp } from "../../../functions/engine/model.ts";
import { MemoryTimers } from "../../../functions/store/memory/memory-timers.ts";

const occurrence: WakeUp = {
  kind: "occurrence",
  journeyId: "member-day",
  key: "@campaign",
  at: "2026-12-03T20:00:00Z",
  occurrence: "2026-12-04T10:00",
};
const runWakeUp: WakeUp = { kind: "run", journeyId: "welcome", key: "u1", at: "2026-12-03T20:00:00Z", seq: 2 };

describe("MemoryTimers", () => {
  it("keeps a campaign's occurrence once, however often it is armed, until it is taken", async () => {
    // Prepare: the occurrence armed twice (a fan-out delivered twice), a run's wake-up twice (a retried step)
    const timers = new MemoryTimers();
    for (const wakeUp of [occurrence, occurrence, runWakeUp, runWakeUp]) await timers.scheduleWakeUp(wakeUp);

    // Act
    const due = await timers.takeDueWakeUps(Date.parse("2026-12-04T00:00:00Z"), 10);
    await timers.scheduleWakeUp(occurrence);
    const again = await timers.takeDueWakeUps(Date.parse("2026-12-04T00:00:00Z"), 10);

    // Assess: the run's wake-up fires twice (its second changes nothing); once taken, an occurrence armed
    // again is new
    expect(due.map((wakeUp) => wakeUp.kind)).toEqual(["occurrence", "run", "run"]);
    expect(again).toEqual([occurrence]);
  });
});
