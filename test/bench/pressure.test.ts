import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { PEAK_FACTOR, runPressureBench } from "../../bench/pressure.ts";
import { loadSeedJourneys, platformPolicies } from "../scenarios/helpers.ts";

const pressureFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith("nudge-bench-pressure-"));

describe("the big-sale pressure test (npm run bench -- --only pressure)", () => {
  it("reports every stage, takes every event, gets every welcome out once and cleans up, at a tiny rate", async () => {
    // Prepare: 3 events a second, stages of a second; the seed journeys and the platform's policies.
    const foldersBefore = pressureFolders();
    const ratePerSecond = 3;
    // Act
    const figures = await runPressureBench({
      journeys: loadSeedJourneys(),
      policies: platformPolicies(),
      ratePerSecond,
      stageSeconds: 1,
    });
    // Assess: the structure and the invariants, never a time (the machine may be busy).
    expect(figures.stages.map((stage) => [stage.name, stage.ratePerSecond, stage.offered])).toEqual([
      ["normal", ratePerSecond, ratePerSecond],
      ["peak", ratePerSecond * PEAK_FACTOR, ratePerSecond * PEAK_FACTOR],
      ["normal again", ratePerSecond, ratePerSecond],
    ]);
    expect(figures.mix.events).toBe(ratePerSecond * (2 + PEAK_FACTOR));
    for (const stage of figures.stages) {
      expect(stage.accepted).toBe(stage.offered);
      expect(stage.backlog.max).toBeGreaterThanOrEqual(stage.backlog.atEnd);
    }
    const { drain } = figures;
    expect(drain.drained).toBe(true);
    expect(drain.expected).toBeGreaterThan(0);
    expect(drain.received).toBe(drain.expected);
    expect(drain.duplicates).toBe(0);
    // Each welcome is measured once, in the stage its registration was published in.
    expect(figures.stages.reduce((sum, stage) => sum + stage.latency.welcomes, 0)).toBe(drain.expected);
    expect(figures.backToNormalAfterPeakMs).toBeDefined();
    expect(figures.messages).toBeGreaterThanOrEqual(drain.expected);
    expect(pressureFolders().filter((name) => !foldersBefore.includes(name))).toEqual([]);
  });
});
