import { entryOf, newMap } from "../shared/maps.ts";
import { flat, formatInstant, parseInstant, utcDay, utcHour } from "../shared/time.ts";
import type { CouponIssuer } from "./coupon-ids.ts";
import type { JourneyEffect, StatsCounter } from "./model.ts";

type Counted = readonly [name: string, amount: number];

/**
 * The counters that add 1 under a name, by name part: one array for each name, built once. Every saved
 * decision's effects are counted, and a name built each time (`exited.${reason}`) is a new string that every
 * map it meets must hash again.
 */
const COUNTED_ONCE = new Map<string, Map<string, readonly Counted[]>>();

function once(prefix: string, reason = ""): readonly Counted[] {
  const byReason = entryOf(COUNTED_ONCE, prefix, newMap<string, readonly Counted[]>);
  let counted = byReason.get(reason);
  if (counted === undefined) {
    // Not frozen: V8 iterates and destructures a frozen array by the slow, allocating path.
    counted = [[flat(`${prefix}${reason}`), 1]];
    if (byReason.size >= 1_000) byReason.clear(); // bounded: reasons come from the engine's few
    byReason.set(reason, counted);
  }
  return counted;
}

/** The counters of a name of its own, adding 1 (no reason to look up: see once). */
const ENTERED: readonly Counted[] = [["entered", 1]];
const HOLDOUT: readonly Counted[] = [["holdout", 1]];
const MIGRATED: readonly Counted[] = [["migrated", 1]];
const SENT: readonly Counted[] = [["message.sent", 1]];
const EMITTED: readonly Counted[] = [["event.emitted", 1]];

/** The counter an effect adds to, and by how much; none for effects that count nothing. */
function countersOf(effect: JourneyEffect): readonly Counted[] {
  switch (effect.type) {
    case "journey.entered":
      return ENTERED;
    case "holdout":
      return HOLDOUT;
    case "journey.exited":
      return once("exited.", effect.reason);
    case "journey.migrated":
      return MIGRATED;
    case "coupon.issued":
      return [
        ["coupon.issued", 1],
        ["coupon.value", effect.coupon.amountOff],
      ];
    case "message.sent":
      return SENT;
    case "message.suppressed":
      return once("message.suppressed.", effect.reason);
    case "message.deferred":
      return once("message.deferred.", effect.reason);
    case "coupon.withheld":
      return once("coupon.withheld.", effect.reason);
    case "goal.converted": {
      // Holdout conversions apart: the report's uplift compares the two groups' rates.
      const group = effect.holdout ? ".holdout" : "";
      return effect.value === undefined
        ? once("goal.converted", group)
        : [
            [`goal.converted${group}`, 1],
            [`goal.value${group}`, effect.value],
          ];
    }
    case "event.emitted":
      return EMITTED;
    case "profile.updated":
      return [];
  }
}

/** The last day `dayOf` found: the string itself again for the instants of that day. */
let lastDay = "\u0000";

/**
 * The UTC day of an instant: the same string as the last one's when it is the same day, as it mostly is
 * (inputs come in time order), rather than a new one for each counter, which each map it meets hashes again.
 */
function dayOf(at: string): string {
  if (lastDay.length === 10 && at.startsWith(lastDay)) return lastDay;
  const day = flat(utcDay(at));
  // A day is YYYY-MM-DD; anything else is not remembered (an empty one would prefix every instant).
  if (day.length === 10) lastDay = day;
  return day;
}

/** Whether a journey keeps its counters by hour as well as by day (its `report.byHour`). */
export type KeepsHours = (journeyId: string) => boolean;

const NO_HOURS: KeepsHours = () => false;

/** Adds `amount` to the counter of that journey, version, day, hour and name in `counters`, or adds one. */
function addTo(counters: StatsCounter[], counter: StatsCounter): void {
  const { journeyId, version, day, hour, name } = counter;
  const total = counters.find(
    (c) => c.name === name && c.day === day && c.hour === hour && c.journeyId === journeyId && c.version === version,
  );
  if (total) total.amount += counter.amount;
  else counters.push(counter);
}

/** The counter as given, and for a journey that keeps hours its copy in the hour of `at`. */
function addCounted(counters: StatsCounter[], counter: StatsCounter, at: string, keepsHours: KeepsHours): void {
  countTo((each) => addTo(counters, each), counter, at, keepsHours);
}

/** Takes each counter as it is counted (countEffects, countSteps): the runtime's adds it to its batch's. */
export type CounterSink = (counter: StatsCounter) => void;

/** The counter to `add`, and for a journey that keeps hours its copy in the hour of `at`. */
function countTo(add: CounterSink, counter: StatsCounter, at: string, keepsHours: KeepsHours): void {
  add(counter);
  if (keepsHours(counter.journeyId)) add({ ...counter, hour: utcHour(at) });
}

/**
 * The statistics counters a batch of carried-out effects adds, each handed to `add` as it is counted (a
 * fresh object, which the sink may keep): the runtime merges them into its batch's with no list per batch.
 */
export function countEffects(effects: readonly JourneyEffect[], add: CounterSink, keepsHours = NO_HOURS): void {
  for (const effect of effects) {
    const counted = countersOf(effect);
    for (let i = 0; i < counted.length; i++) {
      const [name, amount] = counted[i] as Counted;
      const counter = { journeyId: effect.journey, version: effect.version, day: dayOf(effect.at), name, amount };
      countTo(add, counter, effect.at, keepsHours);
    }
  }
}

/**
 * The statistics counters a batch of carried-out effects adds, merged by journey, version, day (and hour,
 * for a journey that keeps hours) and name. A batch is one decision's effects (a handful), so merging scans
 * a short list instead of building keys.
 */
export function statsOf(effects: readonly JourneyEffect[], keepsHours: KeepsHours = NO_HOURS): StatsCounter[] {
  const merged: StatsCounter[] = [];
  countEffects(effects, (counter) => addTo(merged, counter), keepsHours);
  return merged;
}

/**
 * `step.<id>` for each step a decision reached: the report's funnel. Counted once the decision is saved
 * (a wait step makes no effect, so effects cannot tell); only for treatment runs, whose path the funnel
 * shows (a holdout run goes through the steps doing nothing).
 */
export function stepStatsOf(
  run: { journeyId: string; version: number; at: string; visited: readonly string[] },
  keepsHours: KeepsHours = NO_HOURS,
): StatsCounter[] {
  const counters: StatsCounter[] = [];
  countSteps(run, (counter) => addTo(counters, counter), keepsHours);
  return counters;
}

/** stepStatsOf, each counter handed to `add` as it is counted (see countEffects). */
export function countSteps(
  run: { journeyId: string; version: number; at: string; visited: readonly string[] },
  add: CounterSink,
  keepsHours = NO_HOURS,
): void {
  const { journeyId, version, at, visited } = run;
  const day = dayOf(at);
  for (const stepId of visited) {
    countTo(add, { journeyId, version, day, name: stepCounterName(stepId), amount: 1 }, at, keepsHours);
  }
}

/** `step.<id>` names, one string per step id: a new one each time is built, then hashed by every map it meets. */
const stepCounterNames = new Map<string, string>();

function stepCounterName(stepId: string): string {
  let name = stepCounterNames.get(stepId);
  if (name === undefined) {
    name = flat(`step.${stepId}`);
    if (stepCounterNames.size >= 10_000) stepCounterNames.clear(); // bounded: step ids come from journeys
    stepCounterNames.set(stepId, name);
  }
  return name;
}

/**
 * `coupon.redeemed` and `coupon.redeemed.value` for the journey version that issued a coupon, on the day it
 * was redeemed: the runtime adds them once per coupon, the first time its redemption is kept.
 */
export function redemptionStatsOf(
  redemption: { issuer: CouponIssuer; redeemedAt: string; amountOff: number },
  keepsHours: KeepsHours = NO_HOURS,
): StatsCounter[] {
  const { issuer, amountOff } = redemption;
  // The event's time may carry an offset (`+08:00`): the day and hour are UTC's.
  const at = formatInstant(parseInstant(redemption.redeemedAt) ?? 0);
  const base = { journeyId: issuer.journeyId, version: issuer.version, day: utcDay(at) };
  const counters: StatsCounter[] = [];
  addCounted(counters, { ...base, name: "coupon.redeemed", amount: 1 }, at, keepsHours);
  addCounted(counters, { ...base, name: "coupon.redeemed.value", amount: amountOff }, at, keepsHours);
  return counters;
}

/** Counters added up by name (across versions, days and shards), as the reports and guardrails read them. */
export function sumsByName(counters: readonly StatsCounter[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const counter of counters) sums.set(counter.name, (sums.get(counter.name) ?? 0) + counter.amount);
  return sums;
}
