import { readsAt } from "../../engine/segments/watch.ts";
import type { Journey } from "../../language/schema.ts";
import type { JourneyProblem } from "../problems.ts";
import { type CheckInput, type DefinedTraits, didYouMean, listOf, type Path, problemAt, quote } from "./common.ts";
import { eventPatterns } from "./events.ts";

/**
 * The computed traits a journey reads must be defined in the traits file beside it (journeys/traits.json, as
 * segments-folder.ts checks the segments' conditions): `profile.traits.<name>` in its audience and branch
 * conditions, and the traits its `trait.changed` patterns name in `detail.trait`. Placeholders reading
 * `profile.traits.<name>` are checked with the other placeholders (placeholders.ts), with notATrait's reason.
 */

/** Why a trait name is not one the traits file defines, or undefined when it is. */
export function notATrait(name: string, traits: DefinedTraits): string | undefined {
  if (traits.names.includes(name)) return undefined;
  if (!traits.exists) return `${traits.file} defines no traits (there is no such file)`;
  if (traits.names.length === 0) return `${traits.file} defines no traits`;
  return `${quote(name)} is not a trait ${traits.file} defines${didYouMean(name, traits.names)}; its traits: ${listOf(traits.names)}`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The patterns matched against the run's context, which may read the profile: the audience and branch conditions. */
function contextPatterns(journey: Journey): { path: Path; pattern: unknown }[] {
  return [
    ...(journey.audience ? [{ path: ["audience"], pattern: journey.audience }] : []),
    ...journey.steps.flatMap((step, i) =>
      step.type === "branch"
        ? step.branches.map((branch, b) => ({
            path: ["steps", i, "branches", b, "condition"],
            pattern: branch.condition,
          }))
        : [],
    ),
  ];
}

const namesTraitChanged = (pattern: Record<string, unknown>) => {
  const types = pattern["detail-type"];
  return Array.isArray(types) && types.includes("trait.changed");
};

/**
 * The exact trait names a pattern on `trait.changed` takes in `detail.trait`, with their paths: at the top, in
 * `$or` alternatives of the pattern or of its detail. Matchers (`prefix`, `anything-but`...) are not names.
 */
function traitsNamedIn(pattern: Record<string, unknown>, path: Path, changed = false): { name: string; path: Path }[] {
  const onChange = changed || namesTraitChanged(pattern);
  const found: { name: string; path: Path }[] = [];
  const names = (detail: unknown, at: Path) => {
    if (!isObject(detail)) return;
    const trait = detail.trait;
    if (Array.isArray(trait))
      trait.forEach((name, i) => {
        if (typeof name === "string") found.push({ name, path: [...at, "trait", i] });
      });
    if (Array.isArray(detail.$or))
      detail.$or.forEach((branch, i) => {
        names(branch, [...at, "$or", i]);
      });
  };
  if (onChange) names(pattern.detail, [...path, "detail"]);
  if (Array.isArray(pattern.$or))
    pattern.$or.forEach((branch, i) => {
      if (isObject(branch)) found.push(...traitsNamedIn(branch, [...path, "$or", i], onChange));
    });
  return found;
}

/** Traits a journey's conditions read and its `trait.changed` patterns name that the traits file does not define. */
export function checkTraits({ file, journey, traits }: CheckInput): JourneyProblem[] {
  if (traits === undefined) return [];
  const problems: JourneyProblem[] = [];
  for (const { path, pattern } of contextPatterns(journey)) {
    for (const read of readsAt(pattern, "profile.traits", path)) {
      const reason = notATrait(read.name, traits);
      if (reason !== undefined)
        problems.push(problemAt(file, read.path, `reads profile.traits.${read.name}: ${reason}`));
    }
  }
  for (const { path, pattern } of eventPatterns(journey)) {
    for (const named of traitsNamedIn(pattern, path)) {
      const reason = notATrait(named.name, traits);
      if (reason !== undefined)
        problems.push(
          problemAt(file, named.path, `a trait.changed event for ${quote(named.name)} never comes: ${reason}`),
        );
    }
  }
  return problems;
}
