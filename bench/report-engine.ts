import type { Journey } from "../functions/language/schema.ts";
import { gcMeter, median, type PreparedStream, type RuntimeRun, runRuntime } from "./engine-steps.ts";
import { type PureEngineRun, runPureEngine } from "./pure-engine.ts";
import type { Printing } from "./report-dynamodb.ts";

/** The engine part's targets (bench/run.ts holds them with the others). */
export interface EngineTargets {
  stepsPerSecond: number;
  /** The runtime over the MemoryStore at most this many times the time of the engine making its decisions. */
  runtimeSlowdown: number;
}

const rate = (count: number, ms: number) => (count / ms) * 1000;

/** 1a: the pure engine told nothing of sends or budgets, printed with its target. */
function pureWithoutState(
  journeys: readonly Journey[],
  run: { prepared: PreparedStream; until: number; repeat: number; targets: EngineTargets },
  { fmt, mark }: Printing,
) {
  const { prepared, until, repeat, targets } = run;
  const pure: PureEngineRun[] = [];
  for (let i = 0; i < repeat; i++)
    pure.push(runPureEngine(journeys, prepared.events, { until, withPolicyState: false }));
  const pureRates = pure.map((r) => rate(r.steps, r.ms));
  const pureSteps = median(pureRates);
  const first = pure[0];
  console.log(
    `   engine (pure decide functions over in-memory maps, events and timers): ${fmt(pureSteps)} steps/s ` +
      `(${spreadOf(pureRates, fmt)}), ${fmt(median(pure.map((r) => rate(r.decisions, r.ms))))} decisions/s; per pass ` +
      `${fmt(first?.calls ?? 0)} inputs offered, ${fmt(first?.decisions ?? 0)} decisions, ${fmt(first?.steps ?? 0)} steps` +
      `  [target >= ${fmt(targets.stepsPerSecond)} steps/s: ${mark(pureSteps >= targets.stepsPerSecond)}]`,
  );
  return { pure, pureSteps };
}

const spreadOf = (xs: readonly number[], fmt: Printing["fmt"]) =>
  `min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))}`;

/**
 * The runtime (1b) and the engine making its decisions (1c) take turns, pass by pass (as --compare's sides do):
 * a ratio of figures measured minutes apart would carry the machine's drift between them. Both are timed warm:
 * 1a's passes have run the engine's code by then, so the runtime runs one pass first, not timed, for its own
 * (without it, the runtime's first timed pass would count V8 compiling the runtime's code, which 1c's never
 * counts). The engine is handed the pauses of that pass.
 */
async function takingTurns(
  journeys: readonly Journey[],
  run: { prepared: PreparedStream; until: number; repeat: number },
) {
  const { prepared, until, repeat } = run;
  const warmUp = await runRuntime(journeys, prepared.events, until);
  const runs: (RuntimeRun & { gcMs: number })[] = [];
  const same: PureEngineRun[] = [];
  for (let i = 0; i < repeat; i++) {
    const gc = gcMeter();
    const runtimeRun = await runRuntime(journeys, prepared.events, until);
    runs.push({ ...runtimeRun, gcMs: (await gc.stop()).ms });
    same.push(
      runPureEngine(journeys, prepared.events, { until, withPolicyState: true, pausedFrom: warmUp.pausedFrom }),
    );
  }
  return { runs, same };
}

/**
 * Part 1: engine steps per second over a prepared stream (generation and parsing not timed), three ways:
 * 1a. the pure engine told nothing of sends or budgets (the figure --compare sets against earlier revisions);
 * 1b. the runtime over the MemoryStore, the simulator: store ports, outbox, journal, statistics, guardrails,
 *     output lines;
 * 1c. the pure engine handed the state the runtime reads (send logs, budget days, the guardrails' pauses),
 *     kept in Maps: the runtime's own decisions, checked step for step. The runtime's slowdown is over 1c:
 *     the two do the same work, and what differs is what the runtime adds.
 */
export async function enginePart(
  journeys: readonly Journey[],
  run: { prepared: PreparedStream; until: number; repeat: number; targets: EngineTargets },
  { fmt, mark }: Printing,
) {
  const { prepared, targets } = run;
  const spread = (xs: readonly number[]) => spreadOf(xs, fmt);
  const { pure, pureSteps } = pureWithoutState(journeys, run, { fmt, mark });
  const pureFirst = pure[0];

  const { runs, same } = await takingTurns(journeys, run);
  const first = runs[0];
  const stepsRates = runs.map((r) => rate(r.steps, r.ms));
  const runtimeSteps = median(stepsRates);
  console.log(
    `   runtime over MemoryStore (the simulator): ${fmt(runtimeSteps)} steps/s (${spread(stepsRates)}), ` +
      `${fmt(median(runs.map((r) => rate(r.decisions, r.ms))))} decisions/s, ${fmt(median(runs.map((r) => rate(r.inputs, r.ms))))} inputs/s; ` +
      `per pass ${fmt(first?.inputs ?? 0)} inputs, ${fmt(first?.decisions ?? 0)} decisions, ${fmt(first?.steps ?? 0)} steps, ` +
      `${fmt(first?.effects ?? 0)} effects, GC ${runs.map((r) => fmt(r.gcMs)).join("/")} ms; ` +
      `decide calls ${((first?.decideCalls ?? 0) / Math.max(1, first?.decisions ?? 0)).toFixed(2)} a decision, ` +
      `at most ${first?.mostDecideCalls ?? 0} for one input and journey (bound 32)`,
  );

  const pausedFrom = first?.pausedFrom ?? new Map<string, number>();
  const sameRates = same.map((r) => rate(r.steps, r.ms));
  const sameSteps = median(sameRates);
  const sameFirst = same[0];
  // The same work, or the ratio compares nothing: decisions, steps and effects must agree exactly.
  const agrees =
    sameFirst !== undefined &&
    first !== undefined &&
    sameFirst.decisions === first.decisions &&
    sameFirst.steps === first.steps &&
    sameFirst.effects === first.effects;
  const slowdown = runtimeSteps === 0 || !agrees ? Number.POSITIVE_INFINITY : sameSteps / runtimeSteps;
  const paused = [...pausedFrom.keys()].join(", ") || "none";
  console.log(
    `   engine making the runtime's decisions (send logs, budget days and the guardrails' pauses [${paused}] in maps): ` +
      `${fmt(sameSteps)} steps/s (${spread(sameRates)}); per pass ${fmt(sameFirst?.decisions ?? 0)} decisions, ` +
      `${fmt(sameFirst?.steps ?? 0)} steps, ${fmt(sameFirst?.effects ?? 0)} effects: ` +
      `${agrees ? "the runtime's, exactly" : "NOT the runtime's"}`,
  );
  console.log(
    `   the runtime takes ${slowdown.toFixed(2)}x the time of the engine making the same decisions ` +
      `(${(pureSteps / Math.max(1, runtimeSteps)).toFixed(2)}x in steps/s against 1a, whose decisions differ)` +
      `  [target <= ${targets.runtimeSlowdown}x: ${mark(slowdown <= targets.runtimeSlowdown)}]`,
  );
  return {
    events: prepared.events.length,
    inputs: first?.inputs,
    decisions: first?.decisions,
    steps: first?.steps,
    effects: first?.effects,
    outputLines: first?.outputLines,
    passesMs: runs.map((r) => Math.round(r.ms)),
    passesGcMs: runs.map((r) => Math.round(r.gcMs)),
    stepsPerSecond: Math.round(runtimeSteps),
    stepsPerSecondMin: Math.round(Math.min(...stepsRates)),
    stepsPerSecondMax: Math.round(Math.max(...stepsRates)),
    pureEngine: {
      inputsOffered: pureFirst?.calls,
      decisions: pureFirst?.decisions,
      steps: pureFirst?.steps,
      passesMs: pure.map((r) => Math.round(r.ms)),
      stepsPerSecond: Math.round(pureSteps),
    },
    sameDecisions: {
      pausedFrom: Object.fromEntries([...pausedFrom].map(([id, at]) => [id, new Date(at).toISOString()])),
      decisions: sameFirst?.decisions,
      steps: sameFirst?.steps,
      effects: sameFirst?.effects,
      agrees,
      passesMs: same.map((r) => Math.round(r.ms)),
      stepsPerSecond: Math.round(sameSteps),
    },
    runtimeSlowdown: slowdown,
    targetMet: pureSteps >= targets.stepsPerSecond,
    runtimeTargetMet: slowdown <= targets.runtimeSlowdown,
  };
}
