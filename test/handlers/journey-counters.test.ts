import type { Metrics } from "@aws-lambda-powertools/metrics";
import { describe, expect, it } from "vitest";
import type { StatsCounter } from "../../functions/engine/model.ts";
import { JourneyCounters } from "../../functions/handlers/observability.ts";

/** The calls JourneyCounters makes on Powertools' Metrics, kept. */
function recordingMetrics() {
  const added: [string, number][] = [];
  const metrics = {
    addDimension: () => undefined,
    addMetric: (name: string, _unit: unknown, value: number) => void added.push([name, value]),
    publishStoredMetrics: () => undefined,
  };
  return { metrics: metrics as unknown as Metrics, added };
}

describe("JourneyCounters: the journeys' metrics", () => {
  it("counts a journey that keeps hours once: its hour counters repeat its day's", () => {
    // Prepare: member day's counters as the runtime writes them, each to its day and to its hour.
    const { metrics, added } = recordingMetrics();
    const day: StatsCounter = {
      journeyId: "member-day",
      version: 1,
      day: "2026-11-20",
      name: "message.sent",
      amount: 3,
    };
    const counters = new JourneyCounters(metrics);
    // Act
    counters.add([day, { ...day, hour: "02" }]);
    counters.publish();
    // Assess
    expect(added).toEqual([["MessagesSent", 3]]);
  });
});
