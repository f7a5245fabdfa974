import { type TraitsFile, traitProblems, traitsFileSchema } from "../engine/traits/config.ts";
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
