import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepareStream, runRuntime } from "../../bench/engine-steps.ts";
import { runPureEngine } from "../../bench/pure-engine.ts";
import { journeyFilesIn, loadJourneyFiles } from "../../functions/journey/load.ts";

/**
 * The bench's runtime ratio is only a measure of the runtime's overhead if its denominator does the same work:
 * the pure engine handed the state the runtime reads (part 1c) must make the runtime's decisions exactly.
 */

const root = join(import.meta.dirname, "..", "..");
const START = "2026-10-01T00:00:00Z";
const UNTIL = Date.parse("2026-11-30T00:00:00Z");

async function seedJourneys() {
  const { journeys } = await loadJourneyFiles(await journeyFilesIn(join(root, "journeys")), root);
  return journeys.map((loaded) => loaded.journey);
}

describe("the bench's engine making the runtime's decisions", () => {
  it("makes the runtime's decisions, steps and effects on a synthetic shop, where the engine told nothing does not", async () => {
    // Prepare: the seed journeys over two months of a 2,000-user shop, as the engine part runs them.
    const journeys = await seedJourneys();
    const { events } = prepareStream({ users: 2_000, days: 60, start: START, seed: 3 });

    // Act
    const runtime = await runRuntime(journeys, events, UNTIL);
    const withState = runPureEngine(journeys, events, {
      until: UNTIL,
      withPolicyState: true,
      pausedFrom: runtime.pausedFrom,
    });
    const told = runPureEngine(journeys, events, { until: UNTIL, withPolicyState: false });

    // Assess
    expect(runtime.decisions).toBeGreaterThan(1_000);
    const counts = (run: { decisions: number; steps: number; effects: number }) => [
      run.decisions,
      run.steps,
      run.effects,
    ];
    expect(counts(withState)).toEqual(counts(runtime));
    // The caps and budgets hold messages back in the runtime: the engine told no state decides otherwise.
    expect(counts(told)).not.toEqual(counts(runtime));
  });
});
