/**
 * `nudge graph <file>`: the journey as a Mermaid flowchart. `nudge graph --all`: every journey in journeys/
 * as a Markdown section with a ```mermaid block, as the README embeds them. An invalid journey's problems go
 * to stderr, exit 1; a usage problem is thrown as a UsageError (exit 2 from main).
 */
import { journeyGraph, journeysMarkdown } from "../journey/graph.ts";
import { formatProblem } from "../journey/load.ts";
import { validateJourneyFiles } from "../journey/validate.ts";
import { UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { parseCommandArgs } from "./usage.ts";
import { defaultJourneyFiles, validateNamedFiles } from "./validate.ts";

export async function graphCommand(args: string[], io: CliIo): Promise<number> {
  const { flags, positional } = parseCommandArgs("graph", args);
  const all = flags.has("all");
  const [file, ...extra] = positional;
  if (all && file !== undefined) throw new UsageError("give a file or --all, not both");
  if (!all && file === undefined) throw new UsageError("which journey? give its file, or --all");
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}": one file at a time, or --all`);

  const result =
    file === undefined
      ? await validateJourneyFiles(await defaultJourneyFiles(io.cwd), io.cwd)
      : await validateNamedFiles([file], io.cwd);
  if (result.problems.length > 0) {
    for (const problem of result.problems) io.stderr(formatProblem(problem));
    return ExitCode.failed;
  }
  const [only] = result.journeys;
  if (file !== undefined && only !== undefined) io.stdout(journeyGraph(only.journey));
  else io.stdout(journeysMarkdown(result.journeys));
  return ExitCode.ok;
}
