import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type * as z from "zod";
import { type Journey, journeySchema } from "./schema.ts";

/** One thing wrong with a journey file: which file, where in it (a JSON path), and what. */
export interface JourneyProblem {
  file: string;
  path: string;
  message: string;
}

export function formatProblem(problem: JourneyProblem): string {
  return problem.path === ""
    ? `${problem.file}: ${problem.message}`
    : `${problem.file}: ${problem.path}: ${problem.message}`;
}

/** `["steps", 2, "for"]` -> `steps[2].for` */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$-]*$/.test(segment))
      text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `required, expected ${issue.expected}`
        : `expected ${issue.expected}, got ${JSON.stringify(issue.input)}`;
    case "unrecognized_keys":
      return `unknown ${issue.keys.length === 1 ? "field" : "fields"} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_union":
      return "note" in issue && issue.note === "No matching discriminator"
        ? `expected one of ${(issue as { options?: unknown[] }).options?.map((o) => JSON.stringify(o)).join(", ")}`
        : issue.message;
    default:
      return issue.message;
  }
}

/** Where a JSON syntax error is, as line:column, from the character offset Node reports. */
function syntaxErrorLocation(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : "");
  if (match === null) return "";
  const before = text.slice(0, Number(match[1]));
  const line = before.split("\n").length;
  return ` at line ${line}, column ${before.length - before.lastIndexOf("\n")}`;
}

/** Parses and schema-checks one journey file's text. */
export function parseJourney(text: string, file: string): { journey?: Journey; problems: JourneyProblem[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/ in JSON at position \d+.*$/, "") : String(error);
    return { problems: [{ file, path: "", message: `not valid JSON${syntaxErrorLocation(text, error)}: ${reason}` }] };
  }
  const result = journeySchema.safeParse(raw);
  if (result.success) return { journey: result.data, problems: [] };
  return {
    problems: result.error.issues.map((issue) => ({
      file,
      path: formatPath(issue.path),
      message: describeIssue(issue),
    })),
  };
}

/** The platform's policy file, beside the journeys (functions/journey/policy-file.ts). */
export const POLICY_FILE = "policy.json";

/** The journey files of a folder: every `*.json` but the JSON Schemas and the policy file, sorted by name. */
export async function journeyFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((name) => name.endsWith(".json") && !name.endsWith(".schema.json") && name !== POLICY_FILE)
    .sort()
    .map((name) => join(dir, name));
}

export interface LoadedJourney {
  file: string;
  journey: Journey;
}

/** Reads and schema-checks journey files; paths resolve against `cwd`, and problems name files relative to it. */
export async function loadJourneyFiles(
  paths: readonly string[],
  cwd: string,
): Promise<{ journeys: LoadedJourney[]; problems: JourneyProblem[] }> {
  const journeys: LoadedJourney[] = [];
  const problems: JourneyProblem[] = [];
  for (const given of paths) {
    const path = resolve(cwd, given);
    const file = relative(cwd, path) || given;
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      problems.push({ file, path: "", message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? error}` });
      continue;
    }
    const parsed = parseJourney(text, file);
    problems.push(...parsed.problems);
    if (parsed.journey) journeys.push({ file, journey: parsed.journey });
  }
  return { journeys, problems };
}
