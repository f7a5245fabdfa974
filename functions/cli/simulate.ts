import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { formatProblem, journeyFilesIn } from "../journey/load.ts";
import { validateJourneyFiles } from "../journey/validate.ts";
import { formatLine, simulate } from "../simulator/simulate.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";

export const simulateUsage =
  "simulate --events <file.ndjson> [--journeys <dir>] [--until <ISO-8601 time>]   run journeys over events on a virtual clock";

/** `nudge simulate`: effect lines on stdout (NDJSON), invalid events on stderr; exit 1 if journeys are invalid. */
export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(args, { values: ["events", "journeys", "until"] });
    if (!options.values.has("events")) throw new UsageError("--events <file.ndjson> is required");
    if (options.positional.length > 0) throw new UsageError(`unexpected argument "${options.positional[0]}"`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`nudge simulate: ${error.message}\nUsage: nudge ${simulateUsage}`);
    return ExitCode.usage;
  }
  const untilText = options.values.get("until");
  const until = untilText === undefined ? undefined : Date.parse(untilText);
  if (until !== undefined && Number.isNaN(until)) {
    io.stderr(`nudge simulate: --until: expected an ISO-8601 time such as "2026-12-31T00:00:00Z", got "${untilText}"`);
    return ExitCode.usage;
  }
  const eventsPath = resolve(io.cwd, options.values.get("events") ?? "");
  let text: string;
  try {
    text = await readFile(eventsPath, "utf8");
  } catch (error) {
    io.stderr(`nudge simulate: --events: cannot read ${eventsPath}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    return ExitCode.usage;
  }
  const journeyDir = resolve(io.cwd, options.values.get("journeys") ?? "journeys");
  let files: string[];
  try {
    files = await journeyFilesIn(journeyDir);
  } catch (error) {
    io.stderr(
      `nudge simulate: --journeys: cannot read ${journeyDir}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
    return ExitCode.usage;
  }
  const { journeys, problems } = await validateJourneyFiles(files, io.cwd);
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(formatProblem(problem));
    return ExitCode.failed;
  }
  const result = await simulate({
    journeys: journeys.map((j) => j.journey),
    lines: text.split("\n"),
    ...(until === undefined ? {} : { until }),
    onInvalid: (invalid) => io.stderr(`line ${invalid.line}: skipped invalid event: ${invalid.message}`),
  });
  for (const line of result.lines) io.stdout(formatLine(line));
  return ExitCode.ok;
}
