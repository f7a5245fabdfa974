import { dirname, relative, resolve } from "node:path";
import { closestMatch, type DefinedSegments, type DefinedTraits, problemAt } from "./checks/common.ts";
import { checkEvents, eventTypesOf } from "./checks/events.ts";
import { checkLinks } from "./checks/links.ts";
import { checkMigration } from "./checks/migration.ts";
import { checkPlaceholders } from "./checks/placeholders.ts";
import { checkSchedule } from "./checks/schedule.ts";
import { checkTraits } from "./checks/traits.ts";
import { type JourneyProblem, type LoadedJourney, loadJourneyFiles, type RefusedJourney } from "./load.ts";
import { segmentIds } from "./segments-folder.ts";
import { type TemplateLibrary, templatesDirOf } from "./template-library.ts";
import { definedTraits } from "./traits-file.ts";

/**
 * The checks a journey must pass beyond its schema (schema.ts): the step graph (checks/links.ts), the event
 * types it names and its key (checks/events.ts), and the placeholders it fills from the run's context
 * (checks/placeholders.ts), a migration map's versions and steps (checks/migration.ts), those of the template files its send steps use included, and the computed traits it
 * reads, which the traits file beside it must define (checks/traits.ts), and a campaign's schedule, zone, segment and
 * key (checks/schedule.ts). Some look across files: an event type is
 * known when another journey emits it, and a journey id and version may be defined once only.
 */

/**
 * A loaded journey with what the traits file beside it defines, when known, and the segments beside it
 * (validateJourneyFiles reads both).
 */
export type CheckedJourney = LoadedJourney & { traits?: DefinedTraits; segments?: DefinedSegments };

/** Graph and cross-file checks beyond the schema; the traits a journey reads only when its `traits` are given. */
export function checkJourneys(loaded: readonly CheckedJourney[]): JourneyProblem[] {
  const types = eventTypesOf(loaded.map((entry) => entry.journey));
  const problems: JourneyProblem[] = [];
  const seen = new Map<string, string>();
  const versions = versionsById(loaded);
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
    problems.push(
      ...checkLinks(entry),
      ...checkEvents(entry, types),
      ...checkPlaceholders(entry, types),
      ...checkTraits(entry),
      ...checkSchedule(entry, types),
      ...checkMigration(entry, versions.get(journey.id) ?? new Map()),
    );
  }
  return problems;
}

/** Each journey's versions among the files checked (the first file of a version, if it is defined twice). */
function versionsById(loaded: readonly CheckedJourney[]): Map<string, Map<number, CheckedJourney["journey"]>> {
  const byId = new Map<string, Map<number, CheckedJourney["journey"]>>();
  for (const { journey } of loaded) {
    const versions = byId.get(journey.id) ?? new Map();
    if (!versions.has(journey.version)) versions.set(journey.version, journey);
    byId.set(journey.id, versions);
  }
  return byId;
}

/**
 * Template files no loaded journey sends: not wrong, but likely a typo in a send step or a leftover. Only
 * meaningful when every journey of their folder was loaded.
 */
export function unusedTemplates(
  loaded: readonly LoadedJourney[],
  libraries: readonly TemplateLibrary[],
  refused: readonly RefusedJourney[] = [],
): JourneyProblem[] {
  const used = new Set(loaded.flatMap((entry) => Object.values(entry.templateFiles ?? {})));
  const named = new Set(
    loaded.flatMap(({ journey }) => journey.steps.flatMap((s) => (s.type === "send" ? [s.template] : []))),
  );
  // A journey that failed its checks still uses the templates it names: no warning to delete those, and
  // none at all beside a file that is not even JSON, whose templates cannot be known.
  const namedByRefused = new Set(refused.flatMap((entry) => entry.templateNames ?? []));
  const blind = new Set(
    refused.filter((entry) => entry.templateNames === undefined).map((entry) => templatesDirOf(entry.file)),
  );
  return libraries.flatMap((library) => {
    // A send step naming no template ("guide1") means the one it is a likely typo of ("guide-1"): that
    // file is in use, and the typo is the problem, reported at the step.
    const ids = [...library.templates.keys()];
    const typoOf = new Set(
      [...named, ...namedByRefused]
        .flatMap((name) => (ids.includes(name) ? [] : [closestMatch(name, ids) ?? []]))
        .flat(),
    );
    return [...library.templates.values()]
      .filter(({ file, template }) => !used.has(file) && !namedByRefused.has(template.id) && !typoOf.has(template.id))
      .filter(() => !blind.has(library.dir))
      .map(({ file, template }) => ({
        file,
        path: "",
        message: named.has(template.id)
          ? `no journey sends this file: the journeys that send template ${JSON.stringify(template.id)} have a "templates" entry of that id, which wins over the file`
          : `no journey sends template ${JSON.stringify(template.id)}; name it in a send step's "template", or remove the file`,
      }));
  });
}

/** What the folder beside a journey defines: its traits file's names and its segments' ids. */
interface FolderDefinitions {
  traits: DefinedTraits | undefined;
  segments: DefinedSegments;
}

/**
 * Each journey with what the traits file of its folder defines and the segments beside it (for a campaign's
 * segment), read once per folder.
 */
async function withFolderDefinitions(loaded: readonly LoadedJourney[], cwd: string): Promise<CheckedJourney[]> {
  const byDir = new Map<string, Promise<FolderDefinitions>>();
  return Promise.all(
    loaded.map(async (entry) => {
      const dir = dirname(resolve(cwd, entry.file));
      let definitions = byDir.get(dir);
      if (definitions === undefined) {
        definitions = Promise.all([definedTraits(dir, cwd), segmentIds(dir, cwd)]).then(([traits, segments]) => ({
          traits,
          segments,
        }));
        byDir.set(dir, definitions);
      }
      const { traits, segments } = await definitions;
      return traits === undefined ? { ...entry, segments } : { ...entry, traits, segments };
    }),
  );
}

/**
 * loadJourneyFiles + checkJourneys (with the traits file beside each journey): every problem of every file (template files after the journeys); only
 * journeys without problems are returned. `warnings` name template files no journey sends.
 */
export async function validateJourneyFiles(
  paths: readonly string[],
  cwd: string,
): Promise<{ journeys: LoadedJourney[]; problems: JourneyProblem[]; warnings: JourneyProblem[] }> {
  const unique = [...new Map(paths.map((path) => [resolve(cwd, path), path])).values()];
  const loaded = await loadJourneyFiles(unique, cwd);
  const checked = checkJourneys(await withFolderDefinitions(loaded.journeys, cwd));
  const failed = new Set(checked.map((problem) => problem.file));
  // Each file's problems together, files in the order given (sort is stable), template files last.
  const names = unique.map((path) => relative(cwd, path) || path);
  const rank = (problem: JourneyProblem) => {
    const index = names.indexOf(problem.file);
    return index === -1 ? names.length : index;
  };
  const problems = [...loaded.problems, ...checked].sort((a, b) => rank(a) - rank(b));
  return {
    journeys: loaded.journeys.filter((entry) => !failed.has(entry.file)),
    problems,
    warnings: unusedTemplates(loaded.journeys, loaded.libraries, loaded.refused),
  };
}
