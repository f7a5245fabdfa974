import { join, relative } from "node:path";
import { namesOf, type TraitsFile, traitProblems, traitsFileSchema } from "../engine/traits/config.ts";
import type { DefinedTraits } from "./checks/common.ts";
import { type JourneyProblem, TRAITS_FILE } from "./load.ts";
import { readPlatformJson } from "./platform-file.ts";
import { schemaProblems } from "./problems.ts";
import { loadSegments } from "./segments-folder.ts";

/**
 * The platform's computed traits live in one file beside the journeys, `journeys/traits.json`
 * (functions/engine/traits/config.ts), and the segments that read them in `journeys/segments/`
 * (segments-folder.ts): both load here, the segments riding with the traits (`TraitsFile.segments`). No
 * file and no segment: no traits. Problems come one a line at their JSON path, with no traits: nothing
 * half-read is run.
 */
export async function loadTraitsFile(
  journeysDir: string,
  cwd = process.cwd(),
): Promise<{ traits?: TraitsFile; file?: string; problems: JourneyProblem[] }> {
  const own = await loadOwnTraits(journeysDir, cwd);
  if (own.problems.length > 0) return own;
  const loaded = await loadSegments(journeysDir, { cwd, traits: own.traits });
  if (loaded.problems.length > 0) return { ...own, traits: undefined, problems: loaded.problems };
  const segments = loaded.segments;
  if (segments === undefined || Object.keys(segments).length === 0) return own;
  return { ...own, traits: { ...(own.traits ?? { traits: {} }), segments } };
}

async function loadOwnTraits(
  journeysDir: string,
  cwd: string,
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

/**
 * The names the traits file of a journeys folder defines, for the journeys' checks of what they read
 * (`profile.traits.<name>`): none when there is no file; undefined when it cannot be read as one (not JSON, or not
 * its shape: loadTraitsFile reports that), so that the journeys are not blamed for it. A file whose traits have
 * problems of their own (a loop) still says which names it means to define.
 */
export async function definedTraits(journeysDir: string, cwd = process.cwd()): Promise<DefinedTraits | undefined> {
  const read = await readPlatformJson(journeysDir, TRAITS_FILE, cwd);
  if (read.absent) {
    const path = join(journeysDir, TRAITS_FILE);
    return { file: relative(cwd, path) || path, exists: false, names: [] };
  }
  if (read.problems.length > 0) return undefined;
  const result = traitsFileSchema.safeParse(read.raw);
  if (!result.success) return undefined;
  const names = Object.entries(result.data.traits).flatMap(([name, trait]) => namesOf(name, trait));
  return { file: read.file, exists: true, names };
}
