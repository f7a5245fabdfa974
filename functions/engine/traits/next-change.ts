/**
 * When a user's traits next change with time alone: a rolling window's oldest entry leaves it, a streak or
 * a today flag passes the user's midnight, an RFM recency score crosses its next threshold. Nudge wakes
 * the user then (one wake-up per user, not a scan of every profile), so the segments and the `trait.changed`
 * events that read those traits are exact at any moment. Pure.
 */
import { addDays, instantOfWallTime, wallTimeAt } from "../../shared/local-time.ts";
import { DAY_MS, parseDuration } from "../../shared/time.ts";
import { namesOf, readsOf, type TraitDefinition, type TraitsFile } from "./config.ts";
import type { TraitStates } from "./state.ts";
import type { TraitValues } from "./values.ts";

/** The defining trait of every name a trait defines (`growthTier` → `growthValue`). */
function ownersOf(file: TraitsFile): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [name, trait] of Object.entries(file.traits))
    for (const defined of namesOf(name, trait)) owners.set(defined, name);
  return owners;
}

/** The defining traits behind `names`, with every trait they read, transitively. */
export function traitsBehind(file: TraitsFile, names: Iterable<string>): Set<string> {
  const owners = ownersOf(file);
  const behind = new Set<string>();
  const visit = (name: string) => {
    const owner = owners.get(name);
    if (owner === undefined || behind.has(owner)) return;
    behind.add(owner);
    const trait = file.traits[owner];
    if (trait !== undefined) for (const read of readsOf(trait)) visit(read);
  };
  for (const name of names) visit(name);
  return behind;
}

/** The user's next local midnight after `now`. */
function nextMidnight(now: number, zone: string): number {
  const today = wallTimeAt(now, zone);
  return instantOfWallTime(addDays(today, 1, 0, 0), zone, now);
}

/** When one trait's value next changes with time alone; undefined: not before an event comes. */
function changeOf(
  trait: TraitDefinition,
  state: TraitStates[string] | undefined,
  at: { now: number; zone: string; values: TraitValues },
): number | undefined {
  const { now, zone, values } = at;
  if (trait.kind === "score") return undefined;
  if (trait.kind === "rfm") {
    const last = values[trait.recency.trait];
    const lastAt = typeof last === "string" ? Date.parse(last) : Number.NaN;
    if (Number.isNaN(lastAt)) return undefined;
    // R is read by whole days since the last order: it drops when the days pass a bound's `atMostDays`.
    const crossings = trait.recency.scores.map((bound) => lastAt + (bound.atMostDays + 1) * DAY_MS);
    return earliestAfter(crossings, now);
  }
  if (trait.kind === "streak" || trait.per === "day") {
    const lastDay = state?.days?.at(-1)?.[1];
    if (lastDay === undefined) return undefined;
    // A windowed day count or a streak moves at midnight while it has a recent day; an all-time count never.
    if (trait.kind !== "streak" && trait.window === undefined) return undefined;
    return nextMidnight(now, zone);
  }
  const windowMs = trait.window === undefined ? undefined : parseDuration(trait.window);
  if (windowMs === undefined) return undefined;
  // An entry leaves the window once `now - window` reaches it (values.ts keeps those after it).
  return earliestAfter(
    (state?.entries ?? []).flatMap(([entryAt]) => [entryAt, entryAt + windowMs]),
    now,
  );
}

function earliestAfter(times: readonly number[], now: number): number | undefined {
  let earliest: number | undefined;
  for (const time of times) if (time > now && (earliest === undefined || time < earliest)) earliest = time;
  return earliest;
}

/**
 * The next instant after `now` at which any of `traits` (defining names: traitsBehind) changes with time
 * alone, for a user in `zone` whose values at `now` are `values`; undefined when none will before an event.
 */
export function nextTraitChangeAt(
  file: TraitsFile,
  request: {
    states: TraitStates | undefined;
    traits: ReadonlySet<string>;
    now: number;
    zone: string;
    values: TraitValues;
  },
): number | undefined {
  const { states, traits, now, zone, values } = request;
  const changes: number[] = [];
  for (const name of traits) {
    const trait = file.traits[name];
    if (trait === undefined) continue;
    const change = changeOf(trait, states?.[name], { now, zone, values });
    if (change !== undefined) changes.push(change);
  }
  return earliestAfter(changes, now);
}
