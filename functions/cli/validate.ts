/**
 * `nudge validate [files...]`: checks journey files, by default every journey in journeys/. Prints
 * `ok: N journeys valid` and exits 0, or one line per problem on stderr and exits 1; a usage problem
 * (an unknown option, no journeys/ folder) is thrown as a UsageError, which main reports with exit 2.
 */
import { relative, resolve } from "node:path";
import { formatProblem, type JourneyProblem, journeyFilesIn, type LoadedJourney } from "../journey/load.ts";
import { validateJourneyFiles } from "../journey/validate.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";

export const JOURNEYS_DIR = "journeys";

/** Every journey file in journeys/ under cwd; a UsageError when the folder cannot be read. */
export async function defaultJourneyFiles(cwd: string): Promise<string[]> {
  const dir = resolve(cwd, JOURNEYS_DIR);
  try {
    return await journeyFilesIn(dir);
  } catch (error) {
    throw new UsageError(`cannot read ${JOURNEYS_DIR}/: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/**
 * Validates the named files (absolute, or relative to cwd) as they would run next to the journeys in
 * journeys/: those count for the cross-file checks (an event type another journey emits is known), but
 * only the named files' problems and journeys are returned.
 */
export async function validateNamedFiles(
  files: readonly string[],
  cwd: string,
): Promise<{ journeys: LoadedJourney[]; problems: JourneyProblem[] }> {
  const paths = files.map((file) => resolve(cwd, file));
  const named = new Set(paths.map((path) => relative(cwd, path) || path));
  const siblings = await defaultJourneyFiles(cwd).catch(() => []);
  // The named files come first, so a duplicate journey id and version is reported on the sibling, not on them.
  const result = await validateJourneyFiles([...paths, ...siblings], cwd);
  return {
    journeys: result.journeys.filter((entry) => named.has(entry.file)),
    problems: result.problems.filter((problem) => named.has(problem.file)),
  };
}

export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { positional } = parseArgs(args, {});
  let result: { journeys: LoadedJourney[]; problems: JourneyProblem[] };
  let count: number;
  if (positional.length > 0) {
    count = new Set(positional.map((file) => resolve(io.cwd, file))).size;
    result = await validateNamedFiles(positional, io.cwd);
  } else {
    const files = await defaultJourneyFiles(io.cwd);
    if (files.length === 0) throw new UsageError(`no journey files in ${JOURNEYS_DIR}/`);
    count = files.length;
    result = await validateJourneyFiles(files, io.cwd);
  }
  // Exactly one line per problem, nothing else: editors and CI annotate from these lines.
  for (const problem of result.problems) io.stderr(formatProblem(problem));
  if (result.problems.length > 0) return ExitCode.failed;
  io.stdout(`ok: ${count} ${count === 1 ? "journey" : "journeys"} valid`);
  return ExitCode.ok;
}
