import { loadPolicyFile } from "../functions/journey/policy-file.ts";
import type { Journey } from "../functions/language/schema.ts";
import { PEAK_FACTOR, type PressureFigures, runPressureBench, type StageFigures } from "./pressure.ts";
import type { Printing } from "./report-dynamodb.ts";

/** The latency a platform keeping up must hold at the normal rate. */
const NORMAL_P99_TARGET_MS = 1_000;

/** Part 7's targets met, as the JSON line reports them. */
export interface PressureTargets {
  everyEventAccepted: boolean;
  normalP99: boolean;
  backToNormalWithinPeak: boolean;
  drainedWithinPeak: boolean;
  everyWelcomeOnce: boolean;
}

const seconds = (ms: number | undefined) => (ms === undefined ? "never" : `${(ms / 1000).toFixed(1)} s`);

function targetsOf(figures: PressureFigures): PressureTargets {
  const peakMs = (figures.stages.find((stage) => stage.name === "peak")?.seconds ?? 0) * 1000;
  const { drain } = figures;
  return {
    everyEventAccepted: figures.stages.every((stage) => stage.accepted === stage.offered),
    normalP99: (figures.stages[0]?.latency.p99Ms ?? Number.POSITIVE_INFINITY) < NORMAL_P99_TARGET_MS,
    backToNormalWithinPeak: figures.backToNormalAfterPeakMs !== undefined && figures.backToNormalAfterPeakMs < peakMs,
    drainedWithinPeak: drain.drained && drain.ms < peakMs,
    everyWelcomeOnce: drain.received === drain.expected && drain.duplicates === 0,
  };
}

function stageLine(stage: StageFigures, index: number, { fmt, mark }: Printing): string {
  const { latency, backlog } = stage;
  const p99Target =
    index === 0
      ? `  [target p99 < ${fmt(NORMAL_P99_TARGET_MS)} ms: ${mark(latency.p99Ms < NORMAL_P99_TARGET_MS)}]`
      : "";
  return (
    `   ${`${stage.name}:`.padEnd(14)}${fmt(stage.offered)} offered (${stage.offeredPerSecond.toFixed(1)}/s), ` +
    `${fmt(stage.accepted)} accepted [target all: ${mark(stage.accepted === stage.offered)}]; ` +
    `PutEvents → welcome line p50 ${fmt(latency.p50Ms)} ms, p99 ${fmt(latency.p99Ms)} ms ` +
    `(${fmt(latency.welcomes)} welcomes)${p99Target}; backlog at the end ${fmt(backlog.atEnd)}, most ${fmt(backlog.max)}`
  );
}

/**
 * Part 7 (`--only pressure`): the big-sale pressure test on the local platform. Prints the report with its
 * targets; returns its figures for the JSON line.
 */
export async function pressurePart(
  run: { journeys: Journey[]; journeysDir: string; ratePerSecond: number; stageSeconds: number },
  printing: Printing,
) {
  const { fmt, mark } = printing;
  const { journeys, ratePerSecond, stageSeconds } = run;
  // The platform's own policies (journeys/policy.json), as `npm start` runs them.
  const policy = await loadPolicyFile(run.journeysDir);
  if (policy.problems.length > 0) throw new Error(`the policy file does not load: ${JSON.stringify(policy.problems)}`);
  console.log(
    `\n7. Big-sale pressure test (local platform, PutEventsCommand → outbox line; dynalite on disk, real clock, ` +
      `quiet hours off): a normal day's mix of the synthetic shop at ${fmt(ratePerSecond)} events/s for ` +
      `${stageSeconds} s, ${fmt(ratePerSecond * PEAK_FACTOR)}/s for ${stageSeconds} s, ${fmt(ratePerSecond)}/s for ${stageSeconds} s`,
  );
  const figures = await runPressureBench({ journeys, policies: policy.config, ratePerSecond, stageSeconds });
  const total = figures.mix.events;
  const mixText = Object.entries(figures.mix.byType)
    .sort((a, b) => b[1] - a[1])
    .map(([type, count]) => `${type} ${Math.round((100 * count) / total)}%`)
    .join(", ");
  console.log(`   mix: ${fmt(total)} events of ${figures.mix.day}: ${mixText}`);
  for (const [index, stage] of figures.stages.entries()) console.log(stageLine(stage, index, printing));
  const targets = targetsOf(figures);
  const normalMost = figures.stages[0]?.backlog.max ?? 0;
  console.log(
    `   after the peak: backlog back to the normal stage's most (${fmt(normalMost)}) in ` +
      `${seconds(figures.backToNormalAfterPeakMs)}  [target < ${stageSeconds} s, the peak's duration: ` +
      `${mark(targets.backToNormalWithinPeak)}]`,
  );
  const { drain } = figures;
  console.log(
    `   drain after the last stage: ${seconds(drain.ms)}${drain.drained ? "" : " (gave up)"} until the backlog was ` +
      `empty and the welcomes out: ${fmt(drain.received)} of ${fmt(drain.expected)}, ${fmt(drain.duplicates)} more ` +
      `than once  [targets < ${stageSeconds} s: ${mark(targets.drainedWithinPeak)}; every welcome once: ` +
      `${mark(targets.everyWelcomeOnce)}]; ${fmt(figures.messages)} messages in all`,
  );
  return { options: { ratePerSecond, stageSeconds, peakFactor: PEAK_FACTOR }, ...rounded(figures), targets };
}

/** The figures with times in whole ms, for the JSON line. */
function rounded(figures: PressureFigures): PressureFigures {
  const ms = (value: number) => Math.round(value);
  return {
    ...figures,
    stages: figures.stages.map((stage) => ({
      ...stage,
      offeredPerSecond: Math.round(stage.offeredPerSecond * 10) / 10,
      latency: {
        welcomes: stage.latency.welcomes,
        p50Ms: ms(stage.latency.p50Ms),
        p99Ms: ms(stage.latency.p99Ms),
        maxMs: ms(stage.latency.maxMs),
      },
    })),
    backToNormalAfterPeakMs:
      figures.backToNormalAfterPeakMs === undefined ? undefined : ms(figures.backToNormalAfterPeakMs),
    drain: { ...figures.drain, ms: ms(figures.drain.ms) },
  };
}
