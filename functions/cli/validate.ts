/**
 * `nudge validate [files...]`: checks journey files, by default every journey in journeys/, and the template
 * files beside them (journeys/templates/). Prints `ok: N journeys valid`, then a line per campaign (a schedule
 * trigger: its next occurrences, counted from `--now` or the clock, campaign-lines.ts) and exits 0, or one line per problem
 * on stderr and exits 1 (a template file no journey sends is a warning line, and still exits 0); a usage problem
 * (an unknown option, no journeys/ folder) is thrown as a UsageError, which main reports with exit 2.
 */
import { basename, dirname, relative, resolve } from "node:path";
import {
  formatProblem,
  type JourneyProblem,
  journeyFilesIn,
  type LoadedJourney,
  POLICY_FILE,
  TRAITS_FILE,
} from "../journey/load.ts";
import { loadPolicyFile } from "../journey/policy-file.ts";
import { templatesDirOf } from "../journey/template-library.ts";
import { loadTraitsFile } from "../journey/traits-file.ts";
import { validateJourneyFiles } from "../journey/validate.ts";
import { UsageError } from "./args.ts";
import { campaignLines, nowOption } from "./campaign-lines.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { parseCommandArgs } from "./usage.ts";

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
  // The template files beside a named journey are its own: their problems are reported with it.
  const templateDirs = new Set(paths.map((path) => relative(cwd, templatesDirOf(path)) || "."));
  const siblings = await defaultJourneyFiles(cwd).catch(() => []);
  // The named files come first, so a duplicate journey id and version is reported on the sibling, not on them.
  const result = await validateJourneyFiles([...paths, ...siblings], cwd);
  return {
    journeys: result.journeys.filter((entry) => named.has(entry.file)),
    problems: result.problems.filter((problem) => named.has(problem.file) || templateDirs.has(dirname(problem.file))),
  };
}

export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { positional: named, values } = parseCommandArgs("validate", args);
  const now = nowOption(values);
  // The platform's policy file is checked as such, whether named or found beside the journeys.
  // The platform's files (policy, traits) are checked as such, whether named or found beside the journeys.
  const dirsOf = (name: string) =>
    named.filter((file) => basename(file) === name).map((file) => dirname(resolve(io.cwd, file)));
  const policyDirs = dirsOf(POLICY_FILE);
  const traitsDirs = dirsOf(TRAITS_FILE);
  const positional = named.filter((file) => basename(file) !== POLICY_FILE && basename(file) !== TRAITS_FILE);
  if (named.length === 0) policyDirs.push(resolve(io.cwd, JOURNEYS_DIR));
  if (named.length === 0) traitsDirs.push(resolve(io.cwd, JOURNEYS_DIR));
  const policyProblems: JourneyProblem[] = [];
  for (const dir of policyDirs) policyProblems.push(...(await loadPolicyFile(dir, io.cwd)).problems);
  // The traits file beside the journeys is checked with them (its problems reported), and named in the
  // summary only when it was named itself: the folder's summary line stays the one scripts know.
  const traitsFiles = named.filter((file) => basename(file) === TRAITS_FILE).length;
  for (const dir of traitsDirs) policyProblems.push(...(await loadTraitsFile(dir, io.cwd)).problems);
  let result: { journeys: LoadedJourney[]; problems: JourneyProblem[]; warnings?: JourneyProblem[] };
  let count: number;
  if (positional.length === 0 && named.length > 0) {
    result = { journeys: [], problems: [] };
    count = 0;
  } else if (positional.length > 0) {
    count = new Set(positional.map((file) => resolve(io.cwd, file))).size;
    result = await validateNamedFiles(positional, io.cwd);
  } else {
    const files = await defaultJourneyFiles(io.cwd);
    if (files.length === 0) throw new UsageError(`no journey files in ${JOURNEYS_DIR}/`);
    count = files.length;
    // Only here, with every journey of the folder loaded, is an unused template file known to be unused.
    result = await validateJourneyFiles(files, io.cwd);
  }
  result.problems.push(...policyProblems);
  // Exactly one line per problem (and per warning), nothing else: editors and CI annotate from these lines.
  for (const problem of result.problems) io.stderr(formatProblem(problem));
  for (const warning of result.warnings ?? [])
    io.stderr(formatProblem({ ...warning, message: `warning: ${warning.message}` }));
  if (result.problems.length > 0) return ExitCode.failed;
  const checked = [
    ...(count > 0 || policyDirs.length + traitsFiles === 0 ? [`${count} ${count === 1 ? "journey" : "journeys"}`] : []),
    ...(policyDirs.length > 0 ? ["the policy file"] : []),
    ...(traitsFiles > 0 ? ["the traits file"] : []),
  ];
  const what = checked.length === 1 ? checked[0] : `${checked.slice(0, -1).join(", ")} and ${checked.at(-1)}`;
  io.stdout(`ok: ${what} valid`);
  for (const line of await campaignLines(result.journeys, now, io.cwd)) io.stdout(line);
  return ExitCode.ok;
}
