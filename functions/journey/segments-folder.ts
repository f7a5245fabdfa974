import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { type SegmentDefinition, segmentFileSchema } from "../engine/segments/config.ts";
import { traitsReadBy } from "../engine/segments/watch.ts";
import { namesOf, type TraitsFile } from "../engine/traits/config.ts";
import { validatePattern } from "../language/pattern/index.ts";
import type { DefinedSegments } from "./checks/common.ts";
import type { JourneyProblem } from "./load.ts";
import { readPlatformJson } from "./platform-file.ts";
import { schemaProblems } from "./problems.ts";

/** The segments' folder beside the journeys: one file a segment, named by its id. */
export const SEGMENTS_DIR = "segments";

/** The segment files of a folder's `segments/`, sorted; undefined when there is no such folder. */
async function segmentFileNames(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith(".json") && !name.endsWith(".schema.json")).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * The ids of the segments beside a journeys folder, for the campaigns that name one: each file's name, which
 * is its id (a file whose id differs, or with other problems, is reported by loadSegments, not here).
 */
export async function segmentIds(journeysDir: string, cwd: string): Promise<DefinedSegments> {
  const dir = join(journeysDir, SEGMENTS_DIR);
  const names = await segmentFileNames(dir);
  return {
    dir: relative(cwd, dir) || dir,
    exists: names !== undefined,
    ids: (names ?? []).map((name) => name.slice(0, -".json".length)),
  };
}

/**
 * Reads `journeys/segments/*.json` (no folder: no segments). Each file is checked: its shape, its id (the
 * file's name), its condition as EventBridge would check a pattern, over `{profile}` only, and every
 * `profile.traits.<name>` it reads defined by `traits`. A folder with problems gives them and no segments.
 */
export async function loadSegments(
  journeysDir: string,
  request: { cwd: string; traits: TraitsFile | undefined },
): Promise<{ segments?: Record<string, SegmentDefinition>; problems: JourneyProblem[] }> {
  const dir = join(journeysDir, SEGMENTS_DIR);
  const names = await segmentFileNames(dir);
  if (names === undefined) return { problems: [] };
  const segments: Record<string, SegmentDefinition> = {};
  const problems: JourneyProblem[] = [];
  for (const name of names) {
    const read = await readPlatformJson(dir, name, request.cwd);
    if (read.absent) continue;
    const { file, raw } = read;
    if (read.problems.length > 0) {
      problems.push(...read.problems);
      continue;
    }
    const result = segmentFileSchema.safeParse(raw, { reportInput: true });
    if (!result.success) {
      problems.push(...schemaProblems(file, result.error, { schema: segmentFileSchema, input: raw }));
      continue;
    }
    const own = segmentProblems(result.data, { name, traits: request.traits });
    problems.push(...own.map((problem) => ({ file, ...problem })));
    if (own.length === 0) segments[result.data.id] = result.data;
  }
  return problems.length > 0 ? { problems } : { segments, problems };
}

function segmentProblems(
  segment: SegmentDefinition,
  context: { name: string; traits: TraitsFile | undefined },
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (`${segment.id}.json` !== context.name)
    problems.push({ path: "id", message: `expected "${context.name.replace(/\.json$/, "")}", the file's name` });
  try {
    validatePattern(segment.condition);
  } catch (error) {
    problems.push({ path: "condition", message: error instanceof Error ? error.message : String(error) });
    return problems;
  }
  for (const key of Object.keys(segment.condition))
    if (key !== "profile" && key !== "$or")
      problems.push({ path: `condition.${key}`, message: `a segment's condition reads the profile only: "profile"` });
  const defined = new Set(
    Object.entries(context.traits?.traits ?? {}).flatMap(([name, trait]) => namesOf(name, trait)),
  );
  for (const trait of traitsReadBy(segment.condition))
    if (!defined.has(trait))
      problems.push({
        path: "condition",
        message: `reads profile.traits.${trait}, which journeys/traits.json does not define`,
      });
  return problems;
}
