/**
 * The traits' values at a moment, from what the user's state keeps (state.ts): exact at any `now`, so a
 * rolling window or a streak changes with time alone, without an event. Pure.
 */
import { DAY_MS, formatInstant, parseDuration } from "../../shared/time.ts";
import {
  type AggregateTrait,
  namesOf,
  type RfmTrait,
  readsOf,
  type ScoreTrait,
  type TraitsFile,
  tierLevels,
} from "./config.ts";
import { dayNumber, daysBetween, hasDay, streakOn } from "./days.ts";
import type { TraitState, TraitStates } from "./state.ts";

export type TraitValue = number | boolean | string | { r: number; f: number; m: number };
export type TraitValues = Record<string, TraitValue>;

/** An aggregate's value at `now`; undefined when it has none (no event yet, or none in the window). */
function aggregateValue(trait: AggregateTrait, state: TraitState, now: number, zone: string): TraitValue | undefined {
  const windowMs = trait.window === undefined ? undefined : parseDuration(trait.window);
  if (trait.per === "day") {
    const today = dayNumber(now, zone);
    const from = windowMs === undefined ? Number.NEGATIVE_INFINITY : today - Math.round(windowMs / DAY_MS) + 1;
    const days = daysBetween(state.days ?? [], from, today);
    return windowMs === undefined ? days + (state.daysBefore ?? 0) : days;
  }
  if (windowMs === undefined) {
    if (trait.kind === "first" || trait.kind === "last")
      return state.at === undefined ? undefined : formatInstant(state.at);
    if (trait.kind === "sum") return Math.max(0, state.value ?? 0);
    return trait.kind === "count" ? (state.value ?? 0) : state.value;
  }
  const inWindow = (state.entries ?? []).filter(([at]) => at > now - windowMs && at <= now);
  switch (trait.kind) {
    case "count":
      return inWindow.length;
    case "sum":
      return Math.max(
        0,
        inWindow.reduce((sum, [, amount]) => sum + amount, 0),
      );
    case "min":
    case "max": {
      const amounts = inWindow.map(([, amount]) => amount);
      if (amounts.length === 0) return undefined;
      return trait.kind === "min" ? Math.min(...amounts) : Math.max(...amounts);
    }
    case "first":
    case "last": {
      const times = inWindow.map(([at]) => at);
      if (times.length === 0) return undefined;
      return formatInstant(trait.kind === "first" ? Math.min(...times) : Math.max(...times));
    }
  }
}

const numeric = (value: TraitValue | undefined) => (typeof value === "number" ? value : 0);

function scoreValues(name: string, trait: ScoreTrait, values: TraitValues): void {
  const score = trait.terms.reduce((sum, term) => sum + term.weight * numeric(values[term.trait]), 0);
  values[name] = score;
  if (trait.tiers === undefined) return;
  const levels = tierLevels(trait.tiers);
  const tier = levels.filter((level) => level.from <= score).at(-1) ?? levels[0];
  if (tier) values[trait.tiers.trait] = tier.name;
}

const holds = (value: number, bound: { atLeast?: number; above?: number }) =>
  (bound.atLeast === undefined || value >= bound.atLeast) && (bound.above === undefined || value > bound.above);
const within = (value: number, range: { min?: number; max?: number } | undefined) =>
  range === undefined ||
  ((range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max));

/** R, F and M (1-5) and the group; none for a user whose recency trait has no time (no order yet). */
function rfmValues(name: string, trait: RfmTrait, values: TraitValues, now: number): void {
  const last = values[trait.recency.trait];
  const lastAt = typeof last === "string" ? Date.parse(last) : Number.NaN;
  if (Number.isNaN(lastAt)) return;
  const days = Math.floor((now - lastAt) / DAY_MS);
  const r = trait.recency.scores.find((bound) => days <= bound.atMostDays)?.score ?? trait.recency.otherwise;
  const f = trait.frequency.scores.find((bound) => holds(numeric(values[trait.frequency.trait]), bound))?.score ?? 1;
  const m = trait.monetary.scores.find((bound) => holds(numeric(values[trait.monetary.trait]), bound))?.score ?? 1;
  values[name] = { r, f, m };
  const group = trait.groups.find((g) => within(r, g.r) && within(f, g.f) && within(m, g.m));
  if (group) values[trait.group] = group.name;
}

const orderByFile = new WeakMap<TraitsFile, [string, ScoreTrait | RfmTrait][]>();

/**
 * Score and RFM traits after the traits they read (the file has no loops: config.ts), worked out once per
 * file: every decision of a journey that reads traits asks.
 */
function derivedInOrder(file: TraitsFile): [string, ScoreTrait | RfmTrait][] {
  const known = orderByFile.get(file);
  if (known !== undefined) return known;
  const derived = Object.entries(file.traits).filter(
    (entry): entry is [string, ScoreTrait | RfmTrait] => entry[1].kind === "score" || entry[1].kind === "rfm",
  );
  const ordered: [string, ScoreTrait | RfmTrait][] = [];
  const produced = new Set(
    Object.entries(file.traits)
      .filter(([, t]) => t.kind !== "score" && t.kind !== "rfm")
      .flatMap(([n, t]) => namesOf(n, t)),
  );
  while (ordered.length < derived.length) {
    const ready = derived.find(
      ([name, trait]) => !ordered.some(([done]) => done === name) && readsOf(trait).every((read) => produced.has(read)),
    );
    if (ready === undefined) break;
    ordered.push(ready);
    for (const defined of namesOf(ready[0], ready[1])) produced.add(defined);
  }
  orderByFile.set(file, ordered);
  return ordered;
}

/** Every trait's value at `now`, for a user in `zone`; a trait with no value is left out. */
export function traitValues(file: TraitsFile, states: TraitStates | undefined, now: number, zone: string): TraitValues {
  const values: TraitValues = {};
  for (const [name, trait] of Object.entries(file.traits)) {
    const state = states?.[name] ?? {};
    if (trait.kind === "streak") {
      const today = dayNumber(now, zone);
      values[name] = streakOn(state.days ?? [], today);
      if (trait.today) values[trait.today] = hasDay(state.days ?? [], today);
    } else if (trait.kind !== "score" && trait.kind !== "rfm") {
      const value = aggregateValue(trait, state, now, zone);
      if (value !== undefined) values[name] = value;
    }
  }
  for (const [name, trait] of derivedInOrder(file)) {
    if (trait.kind === "score") scoreValues(name, trait, values);
    else rfmValues(name, trait, values, now);
  }
  return values;
}
