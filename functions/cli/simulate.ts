import { resolve } from "node:path";
import { formatProblem, journeyFilesIn } from "../journey/load.ts";
import { loadPolicyFile } from "../journey/policy-file.ts";
import { loadTraitsFile } from "../journey/traits-file.ts";
import { validateJourneyFiles } from "../journey/validate.ts";
import type { JourneyStore } from "../runtime/ports.ts";
import { parseScheduledControls, type ScheduledControl } from "../simulator/controls.ts";
import {
  DEFAULT_SIMULATOR_TABLE,
  openSimulatorDynamoDb,
  type SimulatorDynamoDb,
} from "../simulator/embedded-dynamodb.ts";
import { type FaultOptions, formatFaultReport } from "../simulator/faults.ts";
import { checkReadable, fileLines } from "../simulator/file-lines.ts";
import { growHeapForSimulation } from "../simulator/heap-growth.ts";
import { formatLine, formatText, simulate } from "../simulator/simulate.ts";
import { UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { parseCommandArgs } from "./usage.ts";

function openOrFail(path: string, option: string): Iterable<string> {
  try {
    checkReadable(path);
    return fileLines(path);
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/** A rate option: a number from 0 to 1, or undefined when not given. */
function rateOption(values: Map<string, string>, name: string): number | undefined {
  const text = values.get(name);
  if (text === undefined) return undefined;
  const rate = text.trim() === "" ? Number.NaN : Number(text);
  if (!(rate >= 0 && rate <= 1)) throw new UsageError(`--${name}: expected a number from 0 to 1, got "${text}"`);
  return rate;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

type StoreChoice = { kind: "memory" } | { kind: "dynamodb"; endpoint: string | undefined; tableName: string };

function storeOption(values: Map<string, string>): StoreChoice {
  const kind = values.get("store") ?? "memory";
  if (kind !== "memory" && kind !== "dynamodb")
    throw new UsageError(`--store: expected memory or dynamodb, got "${kind}"`);
  const endpoint = values.get("dynamodb-endpoint");
  const tableName = values.get("table");
  if (kind === "memory") {
    if (endpoint !== undefined) throw new UsageError("--dynamodb-endpoint needs --store dynamodb");
    if (tableName !== undefined) throw new UsageError("--table needs --store dynamodb");
    return { kind };
  }
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    throw new UsageError(
      `--dynamodb-endpoint: expected an http(s) URL such as "http://localhost:8000", got "${endpoint}"`,
    );
  }
  // A table name as DynamoDB allows it: 3 to 255 of letters, digits, "_", "-" and ".".
  if (tableName !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new UsageError(`--table: expected 3 to 255 letters, digits, "_", "-" or ".", got "${tableName}"`);
  }
  return { kind, endpoint, tableName: tableName ?? DEFAULT_SIMULATOR_TABLE };
}

/** The seed of the fault choices: an integer. */
function seedOption(values: Map<string, string>): number | undefined {
  const text = values.get("seed");
  if (text === undefined) return undefined;
  const seed = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(seed))
    throw new UsageError(`--seed: expected an integer, got "${text}"`);
  return seed;
}

/**
 * `nudge simulate`: effect lines on stdout (NDJSON, or `--format text` for people), invalid events on
 * stderr and skipped; exit 1 when a journey is invalid, 2 for a usage problem. `--store dynamodb` runs
 * the journeys on the DynamoDB store (an embedded dynalite, or `--dynamodb-endpoint`); `--duplicate-rate`
 * and `--crash-rate` inject faults (see simulator/faults.ts) and report them on stderr at the end: the
 * effect lines stay those of a clean run.
 */
export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("simulate", args);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const eventsOption = values.get("events");
  if (eventsOption === undefined) throw new UsageError("--events <file.ndjson> is required");
  const format = values.get("format") ?? "ndjson";
  if (format !== "ndjson" && format !== "text")
    throw new UsageError(`--format: expected ndjson or text, got "${format}"`);
  const untilText = values.get("until");
  const until = untilText === undefined ? undefined : Date.parse(untilText);
  if (until !== undefined && Number.isNaN(until)) {
    throw new UsageError(`--until: expected an ISO-8601 time such as "2026-12-31T00:00:00Z", got "${untilText}"`);
  }
  const storeChoice = storeOption(values);
  const duplicateRate = rateOption(values, "duplicate-rate");
  const crashRate = rateOption(values, "crash-rate");
  const seed = seedOption(values);
  const withFaults = duplicateRate !== undefined || crashRate !== undefined;
  if (seed !== undefined && !withFaults) throw new UsageError("--seed needs --duplicate-rate or --crash-rate");
  const faults: FaultOptions | undefined = withFaults
    ? {
        ...(duplicateRate === undefined ? {} : { duplicateRate }),
        ...(crashRate === undefined ? {} : { crashRate }),
        ...(seed === undefined ? {} : { seed }),
      }
    : undefined;

  const controls: ScheduledControl[] = [];
  for (const [option, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    const given = values.get(option);
    if (given === undefined) continue;
    try {
      controls.push(...parseScheduledControls(given, paused, `--${option}`));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  // Read line by line as the simulation parses them: a large file is never in memory whole.
  const lines = openOrFail(resolve(io.cwd, eventsOption), "--events");
  const journeyDir = resolve(io.cwd, values.get("journeys") ?? "journeys");
  const files = await journeyFilesIn(journeyDir).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--journeys: cannot read ${journeyDir}: ${error.code ?? error.message}`);
  });
  const { journeys, problems } = await validateJourneyFiles(files, io.cwd);
  const policy = await loadPolicyFile(journeyDir, io.cwd);
  problems.push(...policy.problems);
  const traits = await loadTraitsFile(journeyDir, io.cwd);
  problems.push(...traits.problems);
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(formatProblem(problem));
    return ExitCode.failed;
  }
  let dynamodb: SimulatorDynamoDb | undefined;
  let store: JourneyStore | undefined;
  if (storeChoice.kind === "dynamodb") {
    dynamodb = await openSimulatorDynamoDb({
      ...(storeChoice.endpoint === undefined ? {} : { endpoint: storeChoice.endpoint }),
      tableName: storeChoice.tableName,
    });
    store = dynamodb.store;
  }
  growHeapForSimulation();
  try {
    const result = await simulate({
      journeys: journeys.map((loaded) => loaded.journey),
      lines,
      ...(until === undefined ? {} : { until }),
      ...(store === undefined ? {} : { store }),
      ...(faults === undefined ? {} : { faults }),
      ...(controls.length === 0 ? {} : { controls }),
      policies: policy.config,
      ...(traits.traits === undefined ? {} : { traits: traits.traits }),
      onInvalid: (invalid) => {
        // One line per problem, each naming the line of the file it comes from.
        for (const problem of invalid.message.split("\n"))
          io.stderr(`line ${invalid.line}: skipped invalid event: ${problem}`);
      },
      // Lines are printed as they happen (already in time order), so memory does not grow with the output.
      onLine: (line) => io.stdout(format === "text" ? formatText(line) : formatLine(line)),
    });
    if (faults !== undefined) {
      io.stderr(
        formatFaultReport(
          result.inputs,
          result.faults ?? { duplicates: 0, crashesAfterSave: 0, crashesBeforeSave: 0, retries: 0 },
        ),
      );
    }
  } finally {
    await dynamodb?.close();
  }
  return ExitCode.ok;
}
