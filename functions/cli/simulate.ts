import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { formatProblem, journeyFilesIn } from "../journey/load.ts";
import { validateJourneyFiles } from "../journey/validate.ts";
import { formatLine, formatText, simulate } from "../simulator/simulate.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";

async function readOrFail(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/**
 * `nudge simulate`: effect lines on stdout (NDJSON, or `--format text` for people), invalid events on
 * stderr and skipped; exit 1 when a journey is invalid, 2 for a usage problem.
 */
export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseArgs(args, { values: ["events", "journeys", "until", "format"] });
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

  const text = await readOrFail(resolve(io.cwd, eventsOption), "--events");
  const journeyDir = resolve(io.cwd, values.get("journeys") ?? "journeys");
  const files = await journeyFilesIn(journeyDir).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--journeys: cannot read ${journeyDir}: ${error.code ?? error.message}`);
  });
  const { journeys, problems } = await validateJourneyFiles(files, io.cwd);
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(formatProblem(problem));
    return ExitCode.failed;
  }
  await simulate({
    journeys: journeys.map((loaded) => loaded.journey),
    lines: text.split("\n"),
    ...(until === undefined ? {} : { until }),
    onInvalid: (invalid) => io.stderr(`line ${invalid.line}: skipped invalid event: ${invalid.message}`),
    // Lines are printed as they happen (already in time order), so memory does not grow with the output.
    onLine: (line) => io.stdout(format === "text" ? formatText(line) : formatLine(line)),
  });
  return ExitCode.ok;
}
