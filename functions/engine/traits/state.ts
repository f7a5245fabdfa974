/**
 * What the traits keep per user to know their values at any moment (values.ts): per aggregate, its
 * running value, or (rolling window) its entries within the window; per day-counting trait, its day runs.
 * Applying an event is pure and idempotent by its caller: the profile counts an event once by its
 * business key (functions/engine/profile.ts), then applies it here.
 */
import type { ShopEvent } from "../../../events/catalog.ts";
import { type CompiledPattern, compilePattern } from "../../language/pattern/index.ts";
import { parseDuration } from "../../shared/time.ts";
import type { AggregateTrait, TraitsFile } from "./config.ts";
import { type DayRuns, dayNumber, withDay } from "./days.ts";

/** `[epoch ms, amount]`: an event in a rolling window (amount 1 for a count, negative for a subtraction). */
export type Entry = [number, number];

export interface TraitState {
  /** All time: count or net sum, or min/max of the field. */
  value?: number;
  /** All time: first/last event time (epoch ms). */
  at?: number;
  /** Rolling window: the entries not yet past the window of the latest one. */
  entries?: Entry[];
  /** Day-counting traits and streaks: the days with an event, and the days of runs dropped as too old. */
  days?: DayRuns;
  daysBefore?: number;
}

export type TraitStates = Record<string, TraitState>;

/** The traits' `where` patterns, compiled once each (a trait definition is shared while its file is loaded). */
const compiledWhere = new WeakMap<object, CompiledPattern>();

/** Whether the event is one the aggregate counts (`event`, and `where` when given). */
function counts(trait: { event: string; where?: Record<string, unknown> }, event: ShopEvent): boolean {
  if (event["detail-type"] !== trait.event) return false;
  if (trait.where === undefined) return true;
  let where = compiledWhere.get(trait.where);
  if (where === undefined) {
    where = compilePattern(trait.where);
    compiledWhere.set(trait.where, where);
  }
  return where.matches(event);
}

const numberOf = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/** The aggregate with one event applied (`sign` -1: a subtraction); undefined when it changes nothing. */
function applyAggregate(
  trait: AggregateTrait,
  state: TraitState,
  input: { event: ShopEvent; at: number; sign: number; zone: string },
): TraitState | undefined {
  const { event, at, sign, zone } = input;
  if (trait.per === "day") {
    const { runs, dropped } = withDay(state.days ?? [], dayNumber(at, zone));
    if (runs === state.days) return undefined;
    return { ...state, days: runs, daysBefore: (state.daysBefore ?? 0) + dropped };
  }
  const field = sign < 0 ? trait.subtract?.field : trait.field;
  const amount = trait.kind === "count" ? 1 : field === undefined ? 0 : numberOf(event.detail[field]);
  if (amount === undefined) return undefined;
  const windowMs = trait.window === undefined ? undefined : parseDuration(trait.window);
  if (windowMs !== undefined) {
    const entries = [...(state.entries ?? []), [at, sign * amount] as Entry].sort((a, b) => a[0] - b[0]);
    const latest = entries.at(-1)?.[0] ?? at;
    return { ...state, entries: entries.filter(([time]) => time > latest - windowMs) };
  }
  switch (trait.kind) {
    case "count":
    case "sum":
      return { ...state, value: (state.value ?? 0) + sign * amount };
    case "min":
      return state.value !== undefined && state.value <= amount ? undefined : { ...state, value: amount };
    case "max":
      return state.value !== undefined && state.value >= amount ? undefined : { ...state, value: amount };
    case "first":
      return state.at !== undefined && state.at <= at ? undefined : { ...state, at };
    case "last":
      return state.at !== undefined && state.at >= at ? undefined : { ...state, at };
  }
}

/**
 * The states with one (new) event applied, at its own time in the user's zone; undefined when no trait
 * counts it.
 */
export function applyEventToTraits(
  file: TraitsFile,
  states: TraitStates | undefined,
  event: ShopEvent,
  zone: string,
): TraitStates | undefined {
  const at = Date.parse(event.time);
  if (Number.isNaN(at)) return undefined;
  let next: TraitStates | undefined;
  const set = (name: string, state: TraitState | undefined) => {
    if (state === undefined) return;
    next ??= { ...states };
    next[name] = state;
  };
  for (const [name, trait] of Object.entries(file.traits)) {
    const state = next?.[name] ?? states?.[name] ?? {};
    if (trait.kind === "streak") {
      if (event["detail-type"] !== trait.event) continue;
      const { runs, dropped } = withDay(state.days ?? [], dayNumber(at, zone));
      if (runs !== state.days) set(name, { ...state, days: runs, daysBefore: (state.daysBefore ?? 0) + dropped });
    } else if (trait.kind !== "score" && trait.kind !== "rfm") {
      if (counts(trait, event)) set(name, applyAggregate(trait, state, { event, at, sign: 1, zone }));
      else if (trait.subtract !== undefined && event["detail-type"] === trait.subtract.event)
        set(name, applyAggregate(trait, state, { event, at, sign: -1, zone }));
    }
  }
  return next;
}

interface EventTypes {
  /** Every detail-type a trait counts or subtracts: the events the profile must see for the traits. */
  all: Set<string>;
  /** Those a count or a sum adds up: one of them must count once by its business key. */
  keyed: Set<string>;
}

const typesByFile = new WeakMap<TraitsFile, EventTypes>();

/** The detail-types the traits learn from, worked out once per file. */
export function traitEventTypes(file: TraitsFile): EventTypes {
  let types = typesByFile.get(file);
  if (types !== undefined) return types;
  types = { all: new Set(), keyed: new Set() };
  for (const trait of Object.values(file.traits)) {
    if (trait.kind === "score" || trait.kind === "rfm") continue;
    const events = [trait.event, ...("subtract" in trait && trait.subtract ? [trait.subtract.event] : [])];
    for (const type of events) {
      types.all.add(type);
      // first/last/min/max, days and streaks are idempotent by state; counts and sums are not.
      if ((trait.kind === "count" || trait.kind === "sum") && !("per" in trait && trait.per === "day"))
        types.keyed.add(type);
    }
  }
  typesByFile.set(file, types);
  return types;
}
