import type { JourneyProblem } from "../problems.ts";
import { didYouMean, listOf, type Path, problemAt, quote } from "./common.ts";

/**
 * What can still be checked of a journey file its schema refused (the JSON parsed, but some field is wrong):
 * its links to step ids, so that one pass reports a typo'd step id beside the schema error rather than
 * after it is fixed; and the templates it names, so that no template file it still uses is called unused.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The steps of a raw journey that are objects, with their index. */
function rawSteps(json: unknown): { step: Json; index: number }[] {
  if (!isObject(json) || !Array.isArray(json.steps)) return [];
  return json.steps.flatMap((step, index) => (isObject(step) ? [{ step, index }] : []));
}

/** Each string a step's links name, where it is written (as in links.ts stepLinks, read leniently). */
function rawLinks(step: Json): { path: Path; target: string }[] {
  const links: { path: Path; target: string }[] = [];
  for (const field of ["next", "onEvent", "onTimeout", "otherwise"]) {
    const target = step[field];
    if (typeof target === "string") links.push({ path: [field], target });
  }
  for (const list of ["branches", "variants"]) {
    const entries = step[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, i) => {
      if (isObject(entry) && typeof entry.next === "string")
        links.push({ path: [list, i, "next"], target: entry.next });
    });
  }
  return links;
}

/**
 * Links to unknown step ids in a journey the schema refused, but for those at a path the schema already
 * reported (`reported`: formatted paths).
 */
export function rawLinkProblems(file: string, json: unknown, reported: ReadonlySet<string>): JourneyProblem[] {
  const steps = rawSteps(json);
  const known = steps.flatMap(({ step }) => (typeof step.id === "string" ? [step.id] : []));
  if (known.length === 0 || !isObject(json)) return [];
  const unknown = (target: string) =>
    `unknown step ${quote(target)}${didYouMean(target, known)}; known steps: ${listOf(known)}`;
  const found: JourneyProblem[] = [];
  if (typeof json.start === "string" && !known.includes(json.start))
    found.push(problemAt(file, ["start"], unknown(json.start)));
  for (const { step, index } of steps) {
    for (const link of rawLinks(step)) {
      if (!known.includes(link.target))
        found.push(problemAt(file, ["steps", index, ...link.path], unknown(link.target)));
    }
  }
  return found.filter((problem) => !reported.has(problem.path));
}

/** The template ids a raw journey names: its send steps' `template`s and its own `templates` entries. */
export function rawTemplateNames(json: unknown): string[] {
  const sent = rawSteps(json).flatMap(({ step }) => (typeof step.template === "string" ? [step.template] : []));
  const own = isObject(json) && isObject(json.templates) ? Object.keys(json.templates) : [];
  return [...sent, ...own];
}
