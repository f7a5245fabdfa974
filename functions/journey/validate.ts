import { relative, resolve } from "node:path";
import { problemAt } from "./checks/common.ts";
import { checkEvents, eventTypesOf } from "./checks/events.ts";
import { checkLinks } from "./checks/links.ts";
import { checkPlaceholders } from "./checks/placeholders.ts";
import { type JourneyProblem, type LoadedJourney, loadJourneyFiles } from "./load.ts";

/**
 * The checks a journey must pass beyond its schema (schema.ts): the step graph (checks/links.ts), the event
 * types it names and its key (checks/events.ts), and the placeholders it fills from the run's context
 * (checks/placeholders.ts). Some look across files: an event type is known when another journey emits it,
 * and a journey id and version may be defined once only.
 */

/** Graph and cross-file checks beyond the schema. */
export function checkJourneys(loaded: readonly LoadedJourney[]): JourneyProblem[] {
  const types = eventTypesOf(loaded.map((entry) => entry.journey));
  const problems: JourneyProblem[] = [];
  const seen = new Map<string, string>();
  for (const entry of loaded) {
    const { file, journey } = entry;
    const versionKey = `${journey.id}@${journey.version}`;
    const earlier = seen.get(versionKey);
    if (earlier === undefined) {
      seen.set(versionKey, file);
    } else {
      problems.push(
        problemAt(
          file,
          ["version"],
          `journey "${journey.id}" version ${journey.version} is already defined in ${earlier}; raise the version of a changed journey, or give a new journey its own id`,
        ),
      );
    }
    problems.push(...checkLinks(entry), ...checkEvents(entry, types), ...checkPlaceholders(entry, types));
  }
  return problems;
}

/** loadJourneyFiles + checkJourneys: every problem of every file; only journeys without problems are returned. */
export async function validateJourneyFiles(
  paths: readonly string[],
  cwd: string,
): Promise<{ journeys: LoadedJourney[]; problems: JourneyProblem[] }> {
  const unique = [...new Map(paths.map((path) => [resolve(cwd, path), path])).values()];
  const loaded = await loadJourneyFiles(unique, cwd);
  const checked = checkJourneys(loaded.journeys);
  const failed = new Set(checked.map((problem) => problem.file));
  // Each file's problems together, files in the order given (sort is stable).
  const names = unique.map((path) => relative(cwd, path) || path);
  const rank = (problem: JourneyProblem) => names.indexOf(problem.file);
  const problems = [...loaded.problems, ...checked].sort((a, b) => rank(a) - rank(b));
  return { journeys: loaded.journeys.filter((entry) => !failed.has(entry.file)), problems };
}
