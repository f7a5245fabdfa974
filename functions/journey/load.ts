import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { type Journey, journeySchema } from "../language/schema.ts";
import { rawLinkProblems, rawTemplateNames } from "./checks/raw.ts";
import { type JourneyProblem, parseJsonText, schemaProblems } from "./problems.ts";
import { readTemplateLibrary, resolveTemplates, type TemplateLibrary, templatesDirOf } from "./template-library.ts";

export { formatPath, formatProblem, type JourneyProblem } from "./problems.ts";

/**
 * Parses and schema-checks one journey file's text (its file templates are not resolved: see loadJourneyFiles).
 * A journey the schema refuses still has its step links checked (checks/raw.ts), and `templateNames` says
 * which templates it names; both are unknown for a file that is not JSON.
 */
export function parseJourney(
  text: string,
  file: string,
): { journey?: Journey; problems: JourneyProblem[]; templateNames?: string[] } {
  const json = parseJsonText(text, file);
  if ("problem" in json) return { problems: [json.problem] };
  const result = journeySchema.safeParse(json.value, { reportInput: true });
  if (result.success) return { journey: result.data, problems: [] };
  const problems = schemaProblems(file, result.error, { schema: journeySchema, input: json.value });
  const reported = new Set(problems.map((problem) => problem.path));
  return {
    problems: [...problems, ...rawLinkProblems(file, json.value, reported)],
    templateNames: rawTemplateNames(json.value),
  };
}

/** A journey file that did not load: the templates it names, undefined when they cannot be known. */
export interface RefusedJourney {
  file: string;
  templateNames?: readonly string[];
}

/** The platform's policy file, beside the journeys (functions/journey/policy-file.ts). */
export const POLICY_FILE = "policy.json";
/** The platform's computed traits (functions/engine/traits/config.ts), beside the journeys. */
export const TRAITS_FILE = "traits.json";

/** Whether a file of the journeys folder is a journey: JSON, not a schema, not the policy or traits file. */
export function isJourneyFileName(name: string): boolean {
  return name.endsWith(".json") && !name.endsWith(".schema.json") && name !== POLICY_FILE && name !== TRAITS_FILE;
}

/** The journey files of a folder: every `*.json` but the JSON Schemas and the policy file, sorted by name. */
export async function journeyFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter(isJourneyFileName)
    .sort()
    .map((name) => join(dir, name));
}

export interface LoadedJourney {
  file: string;
  /** The journey, with the file templates its send steps use copied into `templates`. */
  journey: Journey;
  /** Which of `journey.templates` came from template files, by template id. */
  templateFiles?: Readonly<Record<string, string>>;
  /** The templates folder beside the journey file, as loaded. */
  templates?: TemplateLibrary;
}

/**
 * Reads and schema-checks journey files, and the templates folder beside each (once per folder); paths
 * resolve against `cwd`, and problems name files relative to it. The template files' own problems are
 * among the problems; `libraries` are the templates folders read.
 */
export async function loadJourneyFiles(
  paths: readonly string[],
  cwd: string,
): Promise<{
  journeys: LoadedJourney[];
  problems: JourneyProblem[];
  libraries: TemplateLibrary[];
  refused: RefusedJourney[];
}> {
  const journeys: LoadedJourney[] = [];
  const problems: JourneyProblem[] = [];
  const refused: RefusedJourney[] = [];
  const libraries = new Map<string, Promise<TemplateLibrary>>();
  for (const given of paths) {
    const path = resolve(cwd, given);
    const file = relative(cwd, path) || given;
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      problems.push({ file, path: "", message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}` });
      refused.push({ file });
      continue;
    }
    const parsed = parseJourney(text, file);
    problems.push(...parsed.problems);
    if (parsed.journey === undefined) {
      refused.push({ file, templateNames: parsed.templateNames });
      continue;
    }
    const dir = templatesDirOf(path);
    let library = libraries.get(dir);
    if (library === undefined) {
      library = readTemplateLibrary(dir, cwd);
      libraries.set(dir, library);
    }
    const templates = await library;
    const resolved = resolveTemplates(parsed.journey, templates);
    journeys.push({ file, journey: resolved.journey, templateFiles: resolved.templateFiles, templates });
  }
  const read = await Promise.all(libraries.values());
  for (const library of read) problems.push(...library.problems);
  return { journeys, problems, libraries: read, refused };
}

/**
 * Each journey once, its current (highest) version, in the order first seen: a folder may keep an earlier
 * version's file for its runs in flight (docs/operations.md, "Changing a journey"), and what is read per journey
 * (its statistics, its report) is one journey's, whatever its versions.
 */
export function currentVersions<T extends Pick<Journey, "id" | "version">>(journeys: readonly T[]): T[] {
  const current = new Map<string, T>();
  for (const journey of journeys) {
    const seen = current.get(journey.id);
    if (seen === undefined || journey.version > seen.version) current.set(journey.id, journey);
  }
  return [...current.values()];
}
