import { fork } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { journeyFilesIn, loadJourneyFiles } from "../functions/journey/load.ts";
import { loadPolicyFile } from "../functions/journey/policy-file.ts";
import { loadTraitsFile } from "../functions/journey/traits-file.ts";
import { DAY_MS } from "../functions/shared/time.ts";
import { fileLines } from "../functions/simulator/file-lines.ts";
import { growHeapForSimulation } from "../functions/simulator/heap-growth.ts";
import { type SimulationLine, simulate } from "../functions/simulator/simulate.ts";
import { generateShop, type ShopOptions } from "../functions/simulator/synthetic/index.ts";
import { CLI_COMPILE_OPTIONS } from "../lib/cli-compile-options.mjs";
import { gcMeter } from "./engine-steps.ts";

/**
 * Benchmark 2: a whole synthetic shop through the journeys, as `nudge simulate` runs it. The parent
 * writes the NDJSON file (streaming, so the generator's memory is not counted); a child process reads
 * it, splits it into lines and calls simulate(). The child reports its wall times and its peak RSS
 * (process.resourceUsage().maxRSS: the whole process).
 *
 * The child runs this file compiled as the `nudge` command is (bin/build-cli.mjs: esbuild, bundled,
 * minified, names kept), not through tsx's loader: `nudge simulate` runs the compiled code, which is
 * about an eighth faster than the same sources loaded module by module through tsx.
 */

const DAY = DAY_MS;
/** The repository: the child, compiled into a temporary folder, is told it (argv) rather than finding it. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface GenerationStats {
  users: number;
  lines: number;
  bytes: number;
  ms: number;
  byType: Record<string, number>;
  duplicates: number;
  delayed: number;
  invalid: number;
  /** Lines whose event time is before the latest time already seen in the file. */
  outOfOrder: number;
  /** Users whose first order came within 7 days of registering (the new-user goal, as generated). */
  firstOrderWithin7Days: number;
}

/** Writes the shop's stream to an NDJSON file and counts what went into it. */
export async function writeShopFile(options: ShopOptions, path: string): Promise<GenerationStats> {
  const started = performance.now();
  const out = createWriteStream(path);
  const stats: GenerationStats = {
    users: options.users,
    lines: 0,
    bytes: 0,
    ms: 0,
    byType: {},
    duplicates: 0,
    delayed: 0,
    invalid: 0,
    outOfOrder: 0,
    firstOrderWithin7Days: 0,
  };
  const registeredAt = new Map<string, number>();
  const ordered = new Set<string>();
  let latest = "";
  let chunk: string[] = [];
  for (const item of generateShop(options)) {
    const { event } = item;
    const text = JSON.stringify(event);
    chunk.push(text);
    stats.lines++;
    stats.bytes += Buffer.byteLength(text) + 1;
    if (item.flaw !== undefined) {
      stats.invalid++;
      continue;
    }
    if (item.duplicate) {
      stats.duplicates++;
      continue;
    }
    if (item.delayed) stats.delayed++;
    if (event.time < latest) stats.outOfOrder++;
    else latest = event.time;
    const type = event["detail-type"];
    stats.byType[type] = (stats.byType[type] ?? 0) + 1;
    const userId = event.detail.userId;
    if (typeof userId !== "string") continue;
    if (type === "user.registered") registeredAt.set(userId, Date.parse(event.time));
    if (type === "order.placed" && !ordered.has(userId)) {
      ordered.add(userId);
      const since = registeredAt.get(userId);
      if (since !== undefined && Date.parse(event.time) - since <= 7 * DAY) stats.firstOrderWithin7Days++;
    }
    if (chunk.length >= 1000) {
      if (!out.write(`${chunk.join("\n")}\n`)) await once(out, "drain");
      chunk = [];
    }
  }
  if (chunk.length > 0) out.write(`${chunk.join("\n")}\n`);
  out.end();
  await once(out, "finish");
  stats.ms = performance.now() - started;
  return stats;
}

export interface SimulationStats {
  /** Reading the file before simulate(): none now, simulate() reads it line by line (kept for the report's shape). */
  readMs: number;
  /** simulate(): reading and parsing the file, sorting, running on the virtual clock. */
  simulateMs: number;
  /** Garbage collection during simulate(). */
  gcMs: number;
  /** The child's whole life from its first line of code (module loading not included). */
  childMs: number;
  peakRssBytes: number;
  heapUsedBytes: number;
  events: number;
  invalid: number;
  inputs: number;
  decisions: number;
  steps: number;
  effects: number;
  outputLines: number;
  byType: Record<string, number>;
  /** Output lines per journey and type; exits and suppressions by reason ("journey.exited:completed"). */
  byJourney: Record<string, Record<string, number>>;
}

/** Runs the simulation of an NDJSON file in a child process, compiled as the CLI is, and returns its figures. */
export async function runSimulationChild(file: string, until: number): Promise<SimulationStats> {
  const dir = await mkdtemp(join(tmpdir(), "nudge-bench-child-"));
  try {
    const entry = await compileChild(dir);
    const child = fork(entry, ["--child", file, String(until), ROOT], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // No heap flag: `nudge simulate` runs with node's defaults, and so does its benchmark.
      execArgv: [],
    });
    let result: SimulationStats | undefined;
    child.on("message", (message) => {
      result = message as SimulationStats;
    });
    const [code] = (await once(child, "exit")) as [number | null];
    if (result === undefined) throw new Error(`the simulation child exited with code ${code} and no result`);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** This file, compiled as the CLI is (lib/cli-compile-options.mjs), into `dir`. */
async function compileChild(dir: string): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = join(dir, "simulation-child.mjs");
  await build({
    ...CLI_COMPILE_OPTIONS,
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile,
    // The compiler itself is not the child's: it stays in node_modules.
    external: [...CLI_COMPILE_OPTIONS.external, "esbuild"],
  });

  return outfile;
}

async function childMain(file: string, until: number, root: string): Promise<SimulationStats> {
  const started = performance.now();
  // Read as `nudge simulate` reads it: line by line, and twice (see orderEventLines); non-blank lines counted
  // on the first reading.
  let nonBlank = 0;
  let readings = 0;
  const lines: Iterable<string> = {
    *[Symbol.iterator]() {
      const counting = readings++ === 0;
      for (const line of fileLines(file)) {
        if (counting && line.trim() !== "") nonBlank++;
        yield line;
      }
    },
  };
  const readMs = 0;
  const { journeys, problems } = await loadJourneyFiles(await journeyFilesIn(join(root, "journeys")), root);
  // As `nudge simulate` runs them: the platform's policies and traits beside the journeys.
  const policy = await loadPolicyFile(join(root, "journeys"), root);
  const { traits, problems: traitProblems } = await loadTraitsFile(join(root, "journeys"), root);
  problems.push(...policy.problems, ...traitProblems);
  if (problems.length > 0) throw new Error(`journeys: ${JSON.stringify(problems)}`);

  const byType: Record<string, number> = {};
  const byJourney: Record<string, Record<string, number>> = {};
  let outputLines = 0;
  // Lines are counted as they come, as `nudge simulate` prints them, rather than kept.
  const count = (line: SimulationLine) => {
    outputLines++;
    byType[line.type] = (byType[line.type] ?? 0) + 1;
    const reason = typeof line.reason === "string" ? `:${line.reason}` : "";
    // A profile's line (a segment entered, a trait changed) is counted under "profiles".
    const journey = line.journey ?? "profiles";
    const counts = byJourney[journey] ?? {};
    byJourney[journey] = counts;
    counts[`${line.type}${reason}`] = (counts[`${line.type}${reason}`] ?? 0) + 1;
  };
  // As `nudge simulate` runs it: V8's heap growing factor set as the command sets it.
  growHeapForSimulation();
  const gc = gcMeter();
  const simStarted = performance.now();
  const result = await simulate({
    journeys: journeys.map((j) => j.journey),
    policies: policy.config,
    ...(traits === undefined ? {} : { traits }),
    lines,
    until,
    onLine: count,
  });
  const simulateMs = performance.now() - simStarted;
  const gcMs = (await gc.stop()).ms;

  return {
    readMs,
    simulateMs,
    gcMs,
    childMs: performance.now() - started,
    // maxRSS is in kilobytes.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: process.memoryUsage().heapUsed,
    events: nonBlank - result.invalid.length,
    invalid: result.invalid.length,
    inputs: result.inputs,
    decisions: result.decisions,
    steps: result.steps,
    effects: result.effects,
    outputLines,
    byType,
    byJourney,
  };
}

const [flag, childFile, childUntil, childRoot] = process.argv.slice(2);
if (
  flag === "--child" &&
  childFile !== undefined &&
  childRoot !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1] ?? "").href
) {
  const stats = await childMain(childFile, Number(childUntil), childRoot);
  process.send?.(stats, () => process.exit(0));
}
