/**
 * `npm run bench [-- --users 10000]`: the engine's throughput and a whole synthetic shop through the five
 * seed journeys. Prints a compact report, then one JSON line with every figure (for docs/benchmarks.md).
 *
 * Options:
 *   --users N          users of the simulation benchmark (default 100000)
 *   --days N           length of the period in days (default 60)
 *   --start ISO        start of the period (default 2026-10-01T00:00:00Z)
 *   --seed N           generator seed (default 1)
 *   --engine-users N   users of the engine-steps stream (default: min(users, 20000))
 *   --repeat N         timed passes of the engine benchmarks; the median is reported (default 3)
 *   --only engine|simulation|bundles   run one of the default parts
 *   --compare REV      the engine part against another git revision (e.g. f785e69), both sides in fresh
 *                      processes taking turns, --repeat passes each: the ratios are the figures to trust
 *   --only dynamodb    DynamoDB consumed capacity per step, on dynalite (never part of the default run)
 *   --dynamodb-users N users of the dynamodb part's shop (default 150; its period is --days)
 *   --only timers      the timer wheel on dynalite: tick cost against pending count, lateness of a burst
 *   --timers-pending N wake-ups pending in the timers part (default 1000000)
 *   --timers-due N     of which due in the same minute (default 100000)
 *   --timers-send-ms N a model of SQS's SendMessageBatch latency: each of the tick's sends waits N ms (default 0)
 *   --timers-lookahead-s N  the tick's lookahead, LOOKAHEAD_SECONDS (default 300, at most 900)
 *   --bundle-runs N    fresh Node.js processes per bundle for the cold-init median (default 7)
 *   --only local       the local platform end to end over its EventBridge endpoint (never part of the default run)
 *   --local-burst N    registrations published at once in the local part (default 5000)
 *   --only pressure    the big-sale pressure test on the local platform: a normal day's event mix at the normal
 *                      rate, three times that, then the normal rate again (never part of the default run)
 *   --pressure-rate N  events a second at the normal rate (default 30; the peak is 3 times that)
 *   --pressure-seconds N  seconds each of the three stages lasts (default 20)
 *   --only campaign    a campaign's DynamoDB cost per recipient: member day fanned out in parts, then the
 *                      entries, on dynalite (never part of the default run)
 *   --campaign-members N  silver members in the audience (default 5000)
 *   --campaign-memory-members N  the same timed in memory, as nudge simulate runs it (default 100000)
 *   --only campaign-local  member day on the local platform, the wall time until every message is out
 *   --campaign-local-members N  its silver members (default 100000)
 *   --only transactional  service messages (payment-failed, message.requested) published on the local platform
 *                      during a campaign's backlog on push: PutEvents to outbox p50/p99 against the 2 s target
 *   --transactional-backlog N  the campaign messages waiting on push's campaigns' lane (default 100000)
 *   --transactional-backlog-lane L  where they wait: campaigns (default) or transactional (one lane, to compare)
 *
 * Not a test: nothing fails on a missed target, the report just says so.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { TICK_LOOKAHEAD_SECONDS } from "../functions/handlers/batching.ts";
import { journeyFilesIn, loadJourneyFiles } from "../functions/journey/load.ts";
import { loadTraitsFile } from "../functions/journey/traits-file.ts";
import type { Journey } from "../functions/language/schema.ts";
import { MAX_DELAY_SECONDS } from "../functions/runtime/tick-engine.ts";
import { DAY_MS } from "../functions/shared/time.ts";
import { BUNDLE_TARGETS, type BundleFigures, measureBundles } from "./bundles.ts";
import { localCampaignPart } from "./campaign-local.ts";
import { compareEngine, compareFigures } from "./compare.ts";
import { prepareStream } from "./engine-steps.ts";
import { localPart } from "./local.ts";
import { campaignPart } from "./report-campaign.ts";
import { dynamoDbPart } from "./report-dynamodb.ts";
import { enginePart } from "./report-engine.ts";
import { pressurePart } from "./report-pressure.ts";
import { runSimulationChild, writeShopFile } from "./simulation.ts";
import { timersPart } from "./timers.ts";
import { transactionalPart } from "./transactional.ts";

const DAY = DAY_MS;
const TARGETS = {
  stepsPerSecond: 100_000,
  /** The runtime over the MemoryStore at most this many times the time of the pure engine making its decisions. */
  runtimeSlowdown: 1.5,
  /** The pure engine against an earlier revision (--compare): at least as fast. */
  compareRatio: 1,
  simulationSeconds: 60,
  peakRssBytes: 2 ** 30,
};

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    days: { type: "string", default: "60" },
    start: { type: "string", default: "2026-10-01T00:00:00Z" },
    seed: { type: "string", default: "1" },
    "engine-users": { type: "string" },
    repeat: { type: "string", default: "3" },
    only: { type: "string" },
    compare: { type: "string" },
    "dynamodb-users": { type: "string", default: "150" },
    "timers-pending": { type: "string", default: "1000000" },
    "timers-due": { type: "string", default: "100000" },
    "timers-send-ms": { type: "string", default: "0" },
    "timers-lookahead-s": { type: "string", default: String(TICK_LOOKAHEAD_SECONDS) },
    "bundle-runs": { type: "string", default: "7" },
    "local-burst": { type: "string", default: "5000" },
    "pressure-rate": { type: "string", default: "30" },
    "pressure-seconds": { type: "string", default: "20" },
    "campaign-members": { type: "string", default: "5000" },
    "campaign-memory-members": { type: "string", default: "100000" },
    "campaign-local-members": { type: "string", default: "100000" },
    "transactional-backlog": { type: "string", default: "100000" },
    "transactional-backlog-lane": { type: "string", default: "campaigns" },
  },
});

function whole(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    console.error(`bench: --${name}: expected a whole number ${range}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const users = whole("users", values.users, 1);
const days = whole("days", values.days, 1);
const seed = whole("seed", values.seed, 0);
const engineUsers = whole("engine-users", values["engine-users"] ?? String(Math.min(users, 20_000)), 1);
const repeat = whole("repeat", values.repeat, 1);
const start = values.start;
const startMs = Date.parse(start);
if (Number.isNaN(startMs)) {
  console.error(`bench: --start: expected an ISO-8601 instant, got ${JSON.stringify(start)}`);
  process.exit(2);
}
const until = startMs + days * DAY;
const only = values.only;
const PARTS = [
  "engine",
  "simulation",
  "dynamodb",
  "timers",
  "bundles",
  "local",
  "pressure",
  "campaign",
  "campaign-local",
  "transactional",
];
if (only !== undefined && !PARTS.includes(only)) {
  console.error(`bench: --only: expected one of ${PARTS.map((p) => `"${p}"`).join(", ")}, got ${JSON.stringify(only)}`);
  process.exit(2);
}
const bundleRuns = whole("bundle-runs", values["bundle-runs"], 1);

const root = fileURLToPath(new URL("..", import.meta.url));
const loaded = await loadJourneyFiles(await journeyFilesIn(join(root, "journeys")), root);
if (loaded.problems.length > 0) {
  console.error(`bench: the journeys do not load: ${JSON.stringify(loaded.problems)}`);
  process.exit(1);
}
const journeys: Journey[] = loaded.journeys.map((j) => j.journey);
// The platform's computed traits, kept on the profiles as every platform keeps them (journeys/traits.json).
const { traits } = await loadTraitsFile(join(root, "journeys"), root);

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10);
const mark = (ok: boolean) => (ok ? "ok" : "MISSED");
const report: Record<string, unknown> = {
  bench: "nudge",
  node: process.version,
  options: { users, days, start, seed, engineUsers, repeat },
};

console.log(
  `Nudge bench: node ${process.version}, ${journeys.length} journeys (${journeys.map((j) => j.id).join(", ")})`,
);

const compare = values.compare;
if (compare !== undefined && only !== undefined && only !== "engine") {
  console.error(`bench: --compare runs the engine part; it does not go with --only ${only}`);
  process.exit(2);
}

if (compare !== undefined) {
  // 1. The engine part of this checkout and of another revision, taking turns, in fresh processes.
  const args = [
    "--engine-users",
    String(engineUsers),
    "--days",
    String(days),
    "--start",
    start,
    "--seed",
    String(seed),
  ];
  const comparison = await compareEngine({ root, rev: compare, passes: repeat, args });
  const { ours, theirs, pureRatio, runtimeRatio } = compareFigures(comparison);
  // Over the engine making the runtime's decisions (part 1c), as the engine part reports it.
  const same = ours.sameDecisions;
  const slowdown = ours.runtime === 0 || same === undefined ? Number.POSITIVE_INFINITY : same / ours.runtime;
  const name = `${compare} (${comparison.commit.slice(0, 8)})`;
  console.log(
    `\n1. Engine steps against ${name}: ${fmt(engineUsers)} users over ${days} days, each side's own journeys; ` +
      `${repeat} passes each, taking turns in fresh processes (medians; each side timed as its own bench times it)`,
  );
  console.log(
    `   pure engine: ${fmt(ours.pure)} steps/s here, ${fmt(theirs.pure)} at ${compare}: ratio ${pureRatio.toFixed(2)}` +
      `  [target >= ${TARGETS.compareRatio.toFixed(1)}: ${mark(pureRatio >= TARGETS.compareRatio)}]`,
  );
  console.log(
    `   runtime over MemoryStore: ${fmt(ours.runtime)} steps/s here, ${fmt(theirs.runtime)} at ${compare}: ` +
      `ratio ${runtimeRatio.toFixed(2)}; ${slowdown.toFixed(2)}x the time of the engine making the same decisions here` +
      `  [target <= ${TARGETS.runtimeSlowdown}x: ${mark(slowdown <= TARGETS.runtimeSlowdown)}]`,
  );
  report.compare = { ...comparison, medians: { ours, theirs }, pureRatio, runtimeRatio, runtimeSlowdown: slowdown };
}

if (compare === undefined && (only === undefined || only === "engine")) {
  // 1. Engine steps per second over a prepared stream (generation and parsing not timed).
  const prepared = prepareStream({ users: engineUsers, days, start, seed });
  console.log(
    `\n1. Engine steps, one core, in-memory store: ${fmt(engineUsers)} users over ${days} days, ` +
      `${fmt(prepared.events.length)} events (${prepared.invalid} invalid lines skipped), ${repeat} passes`,
  );
  const targets = { stepsPerSecond: TARGETS.stepsPerSecond, runtimeSlowdown: TARGETS.runtimeSlowdown };
  const engine = await enginePart(journeys, { prepared, until, repeat, targets }, { fmt, mark });
  report.engine = { users: engineUsers, ...engine };
}

if (only === undefined || only === "simulation") {
  // 2. The whole shop through the five journeys, in a child process (wall time and peak RSS).
  const dir = await mkdtemp(join(tmpdir(), "nudge-bench-"));
  try {
    const file = join(dir, "shop.ndjson");
    const generated = await writeShopFile({ users, days, start, seed }, file);
    console.log(
      `\n2. Simulation: ${fmt(users)} users over ${days} days from ${start} (seed ${seed}): ` +
        `${fmt(generated.lines)} lines, ${(generated.bytes / 2 ** 20).toFixed(1)} MiB, generated in ${fmt(generated.ms)} ms`,
    );
    console.log(
      `   stream: ${fmt(generated.duplicates)} duplicate deliveries (${pct(generated.duplicates, generated.lines)}%), ` +
        `${fmt(generated.outOfOrder)} out of time order (${pct(generated.outOfOrder, generated.lines)}%), ` +
        `${fmt(generated.invalid)} invalid (${pct(generated.invalid, generated.lines)}%)`,
    );
    console.log(
      `   events: ${Object.entries(generated.byType)
        .sort((a, b) => b[1] - a[1])
        .map(([type, n]) => `${type} ${fmt(n)}`)
        .join(", ")}`,
    );
    const sim = await runSimulationChild(file, until);
    const seconds = sim.simulateMs / 1000;
    const peak = sim.peakRssBytes;
    console.log(
      `   wall: simulate() ${seconds.toFixed(1)} s, of which GC ${(sim.gcMs / 1000).toFixed(1)} s ` +
        `(reading the file line by line included)` +
        `  [target < ${TARGETS.simulationSeconds} s: ${mark(seconds < TARGETS.simulationSeconds)}]`,
    );
    console.log(
      `   peak RSS: ${(peak / 2 ** 20).toFixed(0)} MiB, node's default heap limit (heap used at the end ${(sim.heapUsedBytes / 2 ** 20).toFixed(0)} MiB)` +
        `  [target < 1024 MiB: ${mark(peak < TARGETS.peakRssBytes)}]`,
    );
    console.log(
      `   ${fmt(sim.events)} events, ${fmt(sim.invalid)} invalid, ${fmt(sim.inputs)} inputs, ${fmt(sim.steps)} steps, ` +
        `${fmt(sim.effects)} effects, ${fmt(sim.outputLines)} output lines; ${fmt(sim.steps / seconds)} steps/s overall`,
    );
    console.log(
      `   output: ${Object.entries(sim.byType)
        .sort((a, b) => b[1] - a[1])
        .map(([type, n]) => `${type} ${fmt(n)}`)
        .join(", ")}`,
    );
    for (const [journey, counts] of Object.entries(sim.byJourney).sort()) {
      const text = Object.entries(counts)
        .sort()
        .map(([type, n]) => `${type} ${fmt(n)}`)
        .join(", ");
      console.log(`     ${journey}: ${text}`);
    }
    const j = (journey: string, type: string) => sim.byJourney[journey]?.[type] ?? 0;
    const newUserRuns = j("new-user-coupon", "journey.entered") + j("new-user-coupon", "holdout");
    const dormancyRuns = j("dormancy-reactivation", "journey.entered") + j("dormancy-reactivation", "holdout");
    const promoRuns = j("post-promotion-review", "journey.entered");
    const sanity = {
      newUserConversionPct: pct(j("new-user-coupon", "goal.converted"), newUserRuns),
      generatedFirstOrderWithin7DaysPct: pct(generated.firstOrderWithin7Days, users),
      dormancyRuns,
      dormancyRunsPctOfUsers: pct(dormancyRuns, users),
      dormancyHoldoutPct: pct(j("dormancy-reactivation", "holdout"), dormancyRuns),
      dormancyConversionPct: pct(j("dormancy-reactivation", "goal.converted"), dormancyRuns),
      onboardingSuppressedPct: pct(
        j("onboarding-guide", "message.suppressed:unsubscribed"),
        j("onboarding-guide", "message.sent") + j("onboarding-guide", "message.suppressed:unsubscribed"),
      ),
      couponNudges: j("coupon-expiry-nudge", "message.sent"),
      couponRunsExitedOnRedemption: j("coupon-expiry-nudge", "journey.exited:exit-event"),
      promotionReviewRuns: promoRuns,
      promotionReviewRequestsPct: pct(j("post-promotion-review", "message.sent"), promoRuns),
      promotionReviewedWithin24hPct: pct(j("post-promotion-review", "journey.exited:reviewed"), promoRuns),
      promotionRefundExits: j("post-promotion-review", "journey.exited:exit-event"),
    };
    console.log(
      `   sanity: new-user first-order conversion ${sanity.newUserConversionPct}% (generated: ` +
        `${sanity.generatedFirstOrderWithin7DaysPct}% of users order within 7 days); dormancy runs ${fmt(dormancyRuns)} ` +
        `(${sanity.dormancyRunsPctOfUsers}% of users), holdout ${sanity.dormancyHoldoutPct}% (journey: 10%), ` +
        `converted ${sanity.dormancyConversionPct}%; onboarding guides suppressed (unsubscribed) ` +
        `${sanity.onboardingSuppressedPct}%; coupon nudges ${fmt(sanity.couponNudges)}, ` +
        `${fmt(sanity.couponRunsExitedOnRedemption)} ended by a redemption; promotion review runs ${fmt(promoRuns)}: ` +
        `${sanity.promotionReviewRequestsPct}% asked, ${sanity.promotionReviewedWithin24hPct}% reviewed within 24 h, ` +
        `${fmt(sanity.promotionRefundExits)} refunded`,
    );
    report.simulation = {
      users,
      days,
      generation: {
        lines: generated.lines,
        bytes: generated.bytes,
        ms: Math.round(generated.ms),
        duplicates: generated.duplicates,
        outOfOrder: generated.outOfOrder,
        invalid: generated.invalid,
        byType: generated.byType,
      },
      simulateMs: Math.round(sim.simulateMs),
      gcMs: Math.round(sim.gcMs),
      readMs: Math.round(sim.readMs),
      peakRssBytes: peak,
      peakRssMiB: Math.round(peak / 2 ** 20),
      events: sim.events,
      invalid: sim.invalid,
      inputs: sim.inputs,
      steps: sim.steps,
      effects: sim.effects,
      outputLines: sim.outputLines,
      stepsPerSecond: Math.round(sim.steps / seconds),
      byType: sim.byType,
      byJourney: sim.byJourney,
      sanity,
      targetsMet: { wallTime: seconds < TARGETS.simulationSeconds, peakRss: peak < TARGETS.peakRssBytes },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (only === "dynamodb") {
  const dynamoUsers = whole("dynamodb-users", values["dynamodb-users"], 1);
  report.dynamodb = await dynamoDbPart(journeys, { dynamoUsers, days, start, seed, until, traits }, { fmt, mark });
}

if (only === undefined || only === "bundles") {
  // 4. The Lambda functions: bundle size and cold init, as the CDK app bundles them.
  console.log(
    `\n4. Lambda bundles (esbuild, minified, ESM, node22 target; the seed journeys embedded): cold init = loading ` +
      `the bundle in a fresh Node.js ${process.version} process, median of ${bundleRuns}`,
  );
  const figures: BundleFigures[] = await measureBundles({ root, journeys, runs: bundleRuns });
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  for (const f of figures) {
    console.log(
      `   ${f.handler.padEnd(8)} deployed (AWS SDK bundled): ${kib(f.bytes)}, init ${f.initMs.toFixed(0)} ms ` +
        `(CPU ${f.initCpuMs.toFixed(0)} ms; runs ${f.initRunsMs.map((ms) => ms.toFixed(0)).join("/")})` +
        `  [targets < ${kib(BUNDLE_TARGETS.bytes)}: ${mark(f.bytes < BUNDLE_TARGETS.bytes)}, < ${BUNDLE_TARGETS.initMs} ms: ${mark(f.initMs < BUNDLE_TARGETS.initMs)}]`,
    );
    console.log(
      `   ${"".padEnd(8)} AWS SDK left to the runtime:  ${kib(f.bytesWithoutSdk)}, init ${f.initMsWithoutSdk.toFixed(0)} ms ` +
        `(CPU ${f.initCpuMsWithoutSdk.toFixed(0)} ms; SDK loaded from node_modules)`,
    );
  }
  report.bundles = {
    runs: bundleRuns,
    functions: figures.map((f) => ({
      ...f,
      initMs: Math.round(f.initMs),
      initRunsMs: f.initRunsMs.map(Math.round),
      initCpuMs: Math.round(f.initCpuMs),
      initMsWithoutSdk: Math.round(f.initMsWithoutSdk),
      initCpuMsWithoutSdk: Math.round(f.initCpuMsWithoutSdk),
    })),
    targets: BUNDLE_TARGETS,
  };
}

if (only === "timers") {
  const pending = whole("timers-pending", values["timers-pending"], 1000);
  const due = whole("timers-due", values["timers-due"], 1, pending - 1000);
  const sendMs = whole("timers-send-ms", values["timers-send-ms"], 0);
  const lookaheadMs = whole("timers-lookahead-s", values["timers-lookahead-s"], 60, MAX_DELAY_SECONDS) * 1000;
  report.timers = await timersPart({ pending, due, sendMs, lookaheadMs }, { fmt, mark });
}

if (only === "local") {
  // 6. The local platform (`npm start`) end to end: PutEvents to the outbox, the real handlers on dynalite.
  report.local = await localPart({ journeys, burst: whole("local-burst", values["local-burst"], 10) }, { fmt, mark });
}

if (only === "pressure") {
  // 7. The big-sale pressure test: normal, three times normal, normal again, on the local platform.
  const ratePerSecond = whole("pressure-rate", values["pressure-rate"], 1);
  const stageSeconds = whole("pressure-seconds", values["pressure-seconds"], 1);
  const journeysDir = join(root, "journeys");
  report.pressure = await pressurePart({ journeys, journeysDir, ratePerSecond, stageSeconds }, { fmt, mark });
}

if (only === "campaign") {
  // 8. A campaign's cost per recipient on DynamoDB: member day's fan-out in parts, then each member's entry.
  const members = whole("campaign-members", values["campaign-members"], 1);
  const memoryMembers = whole("campaign-memory-members", values["campaign-memory-members"], 1);
  report.campaign = await campaignPart({ journeys, traits, members, memoryMembers }, { fmt, mark });
}

if (only === "campaign-local") {
  // 9. Member day on the local platform: 100,000 members, the wall time until their messages are out.
  const members = whole("campaign-local-members", values["campaign-local-members"], 2);
  report.campaignLocal = await localCampaignPart({ journeys, traits, members }, { fmt, mark });
}

if (only === "transactional") {
  // 10. The transactional lane: service messages during a campaign's backlog, PutEvents to outbox.
  const backlog = whole("transactional-backlog", values["transactional-backlog"], 1);
  const backlogLane = values["transactional-backlog-lane"];
  if (backlogLane !== "campaigns" && backlogLane !== "transactional") {
    console.error(`bench: --transactional-backlog-lane: expected campaigns or transactional, got ${backlogLane}`);
    process.exit(2);
  }
  report.transactional = await transactionalPart({ journeys, backlog, backlogLane }, { fmt, mark });
}

console.log(`\n${JSON.stringify(report)}`);
