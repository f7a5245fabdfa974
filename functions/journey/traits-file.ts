import { type TraitsFile, traitProblems, traitsFileSchema } from "../engine/traits/config.ts";
import { type JourneyProblem, TRAITS_FILE } from "./load.ts";
import { readPlatformJson } from "./platform-file.ts";
import { schemaProblems } from "./problems.ts";

/**
 * The platform's computed traits live in one file beside the journeys, `journeys/traits.json`
 * (functions/engine/traits/config.ts). No file: no traits. A file with problems gives them, one a line at
 * its JSON path, and no traits: nothing half-read is run.
 */
export async function loadTraitsFile(
  journeysDir: string,
  cwd = process.cwd(),
): Promise<{ traits?: TraitsFile; file?: string; problems: JourneyProblem[] }> {
  const read = await readPlatformJson(journeysDir, TRAITS_FILE, cwd);
  if (read.absent) return { problems: [] };
  const { file, raw } = read;
  if (read.problems.length > 0) return { file, problems: read.problems };
  const result = traitsFileSchema.safeParse(raw, { reportInput: true });
  if (!result.success)
    return { file, problems: schemaProblems(file, result.error, { schema: traitsFileSchema, input: raw }) };
  const problems = traitProblems(result.data).map((problem) => ({ file, ...problem }));
  return problems.length > 0 ? { file, problems } : { traits: result.data, file, problems: [] };
}
