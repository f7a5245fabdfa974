/**
 * When a user's traits next change with time alone: a rolling window's oldest entry leaves it, a streak or
 * a today flag passes the user's midnight, an RFM recency score crosses its next threshold. Nudge wakes
 * the user then (one wake-up per user, not a scan of every profile), so the segments and the `trait.changed`
 * events that read those traits are exact at any moment. Pure.
 */
import { addDays, instantOfWallTime, wallTimeAt } from "../../shared/local-time.ts";
import { DAY_MS, parseDuration } from "../../shared/time.ts";
import { ownersOf, readsOf, type TraitDefinition, type TraitsFile } from "./config.ts";
import type { TraitStates } from "./state.ts";
import type { TraitValues } from "./values.ts";

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

/** The user's next two local midnights after `now`: a streak moves at most at those before another event. */
function nextMidnights(now: number, zone: string): number[] {
  const today = wallTimeAt(now, zone);
  return [1, 2].map((days) => instantOfWallTime(addDays(today, days, 0, 0), zone, now));
}

/**
 * When one trait's value may change with time alone, after `now`: every such instant known, and `more`
 * when others follow the last of them (a windowed day count moves at each midnight of its window).
 */
function changesOf(
  trait: TraitDefinition,
  state: TraitStates[string] | undefined,
  at: { now: number; zone: string; values: TraitValues },
): { times: number[]; more: boolean } {
  const { now, zone, values } = at;
  const none = { times: [], more: false };
  if (trait.kind === "score") return none;
  if (trait.kind === "rfm") {
    const last = values[trait.recency.trait];
    const lastAt = typeof last === "string" ? Date.parse(last) : Number.NaN;
    if (Number.isNaN(lastAt)) return none;
    // R is read by whole days since the last order: it drops when the days pass a bound's `atMostDays`.
    return { times: trait.recency.scores.map((bound) => lastAt + (bound.atMostDays + 1) * DAY_MS), more: false };
  }
  if (trait.kind === "streak" || trait.per === "day") {
    const lastDay = state?.days?.at(-1)?.[1];
    // An all-time day count never moves with time; a streak or a windowed one does at midnight.
    if (lastDay === undefined || (trait.kind !== "streak" && trait.window === undefined)) return none;
    return { times: nextMidnights(now, zone), more: trait.kind !== "streak" };
  }
  const windowMs = trait.window === undefined ? undefined : parseDuration(trait.window);
  if (windowMs === undefined) return none;
  // An entry counts from its time, and leaves once `now - window` reaches it (values.ts keeps those after it).
  return { times: (state?.entries ?? []).flatMap(([entryAt]) => [entryAt, entryAt + windowMs]), more: false };
}

/** Whose traits, which of them (defining names: traitsBehind), when, in which zone, with what values then. */
export interface TraitChangeRequest {
  states: TraitStates | undefined;
  traits: ReadonlySet<string>;
  now: number;
  zone: string;
  values: TraitValues;
}

/**
 * The instants after `now`, in order, at which any of `traits` (defining names: traitsBehind) may change
 * with time alone, for a user in `zone` whose values at `now` are `values`; `more` when changes may follow
 * the last one listed (then a wake-up at it looks further).
 */
export function traitChangeTimes(file: TraitsFile, request: TraitChangeRequest): { times: number[]; more: boolean } {
  const { states, traits, now, zone, values } = request;
  const times = new Set<number>();
  let more = false;
  for (const name of traits) {
    const trait = file.traits[name];
    if (trait === undefined) continue;
    const changes = changesOf(trait, states?.[name], { now, zone, values });
    for (const time of changes.times) if (time > now) times.add(time);
    more ||= changes.more;
  }
  return { times: [...times].sort((a, b) => a - b), more };
}
