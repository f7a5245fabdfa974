/**
 * What Nudge watches on a profile beyond its fields: the segments' conditions, and the traits a journey
 * asks `trait.changed` for. Compiled once per traits file and journeys; reviewed at each profile change
 * and each profile wake-up (review.ts).
 */

import { type CompiledPattern, compilePattern } from "../../language/pattern/index.ts";
import type { Journey } from "../../language/schema.ts";
import { namesOf, type TraitsFile } from "../traits/config.ts";
import { traitsBehind } from "../traits/next-change.ts";

export interface CompiledSegment {
  id: string;
  condition: CompiledPattern;
}

export interface ProfileWatch {
  /** The traits file cut down to the traits the watch reads and those they read: a review computes only them. */
  file: TraitsFile;
  segments: readonly CompiledSegment[];
  /** The traits (any name a trait defines) whose changes are published as `trait.changed`. */
  published: ReadonlySet<string>;
  /** The defining traits the segments and the published traits read: their changes with time wake the user. */
  timed: ReadonlySet<string>;
  /** Whether a review needs the traits' values at all. */
  readsTraits: boolean;
  /**
   * Whether the segments read nothing of the profile but its traits: then a change that leaves the traits'
   * states as they were (a registration, an unsubscribe) changes no membership, and needs no review.
   */
  readsOnlyTraits: boolean;
  /** Whether a journey's pattern (trigger, exit, wait) takes this `trait.changed` event. */
  changeWanted(event: unknown): boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Where in a pattern a name is written: its JSON path (`["steps", 2, "branches", 0, "condition", "profile"]`). */
export type PatternPath = readonly (string | number)[];

/**
 * The names a pattern over `{profile}` reads at a path (`profile` for its fields, `profile.traits`), through
 * `$or`, each with where it is written: `from` and the keys and indexes below it.
 */
export function readsAt(
  pattern: unknown,
  at: "profile" | "profile.traits",
  from: PatternPath = [],
): { name: string; path: PatternPath }[] {
  const reads: { name: string; path: PatternPath }[] = [];
  const walk = (node: unknown, path: string, written: PatternPath) => {
    if (Array.isArray(node))
      node.forEach((branch, index) => {
        walk(branch, path, [...written, index]);
      });
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$or") walk(value, path, [...written, key]);
      else if (path === at) reads.push({ name: key, path: [...written, key] });
      else if (path === "" || path === "profile") walk(value, path === "" ? key : `${path}.${key}`, [...written, key]);
    }
  };
  walk(pattern, "", from);
  return reads;
}

/** The names a pattern over `{profile}` reads at a path (readsAt, without where). */
const namesReadAt = (pattern: unknown, at: "profile" | "profile.traits") =>
  new Set(readsAt(pattern, at).map((read) => read.name));

/** The trait names a pattern over `{profile}` reads (`profile.traits.<name>`), through `$or` too. */
export const traitsReadBy = (pattern: unknown) => namesReadAt(pattern, "profile.traits");

/**
 * The traits the journeys ask `trait.changed` for: those named in `detail.trait` of a trigger, exit or wait
 * on it; every trait when one of them names none.
 */
export function publishedTraits(file: TraitsFile, journeys: readonly Journey[]): Set<string> {
  const names = new Set<string>();
  const all = () => Object.entries(file.traits).flatMap(([name, trait]) => namesOf(name, trait));
  for (const journey of journeys) {
    for (const pattern of changePatternsOf(journey)) {
      const detail = pattern.detail;
      const named = isObject(detail) && Array.isArray(detail.trait) ? detail.trait : undefined;
      if (named === undefined || !named.every((name) => typeof name === "string"))
        for (const name of all()) names.add(name);
      else for (const name of named) names.add(name as string);
    }
  }
  return names;
}

/** The journey's patterns (trigger, exits, waits) on `trait.changed`. */
function changePatternsOf(journey: Journey): Record<string, unknown>[] {
  const patterns: Record<string, unknown>[] = [];
  if (journey.trigger.type === "event") patterns.push(journey.trigger.pattern);
  patterns.push(...journey.exitOn);
  for (const step of journey.steps) if (step.type === "wait-for-event") patterns.push(step.pattern);
  return patterns.filter((pattern) => {
    const types = pattern["detail-type"];
    return Array.isArray(types) && types.includes("trait.changed");
  });
}

/** The watch for a traits file (segments included) and the journeys; undefined when nothing is watched. */
export function compileWatch(file: TraitsFile, journeys: readonly Journey[]): ProfileWatch | undefined {
  const segments = Object.values(file.segments ?? {})
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((segment) => ({ id: segment.id, condition: compilePattern(segment.condition) }));
  const published = publishedTraits(file, journeys);
  if (segments.length === 0 && published.size === 0) return undefined;
  const read = new Set(published);
  for (const segment of Object.values(file.segments ?? {}))
    for (const name of traitsReadBy(segment.condition)) read.add(name);
  const wanted = journeys.flatMap(changePatternsOf).map((pattern) => compilePattern(pattern));
  const timed = traitsBehind(file, read);
  const watched: TraitsFile = {
    traits: Object.fromEntries(Object.entries(file.traits).filter(([name]) => timed.has(name))),
  };
  return {
    file: watched,
    segments,
    published,
    timed,
    readsTraits: read.size > 0,
    readsOnlyTraits: Object.values(file.segments ?? {}).every((segment) =>
      [...namesReadAt(segment.condition, "profile")].every((field) => field === "traits"),
    ),
    changeWanted: (event) => wanted.some((pattern) => pattern.matches(event)),
  };
}
