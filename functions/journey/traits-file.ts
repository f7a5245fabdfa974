import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { type TraitsFile, traitProblems, traitsFileSchema } from "../engine/traits/config.ts";
import { type JourneyProblem, TRAITS_FILE } from "./load.ts";
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
  const path = join(journeysDir, TRAITS_FILE);
  const file = relative(cwd, path) || path;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { problems: [] };
    return { file, problems: [{ file, path: "", message: `cannot read: ${error}` }] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { file, problems: [{ file, path: "", message: `not valid JSON: ${error}` }] };
  }
  const result = traitsFileSchema.safeParse(raw, { reportInput: true });
  if (!result.success)
    return { file, problems: schemaProblems(file, result.error, { schema: traitsFileSchema, input: raw }) };
  const problems = traitProblems(result.data).map((problem) => ({ file, ...problem }));
  return problems.length > 0 ? { file, problems } : { traits: result.data, file, problems: [] };
}
