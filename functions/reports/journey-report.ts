/**
 * A journey's report from its statistics counters (functions/engine/stats.ts) over a range of days: the
 * funnel, messages, coupons, exits, goal conversions, the uplift against the holdout group and conversion
 * over time. Pure: the `nudge report` command reads the counters and prints or draws this.
 */

import type { StatsCounter } from "../engine/model.ts";
import { sumsByName } from "../engine/stats.ts";
import { stepLinks } from "../journey/checks/links.ts";
import type { Journey } from "../language/schema.ts";
import type { HourPoint } from "./hourly.ts";
import { type Uplift, uplift } from "./uplift.ts";

export interface FunnelStage {
  label: string;
  /** The step, for stages that are one. */
  stepId?: string;
  count: number;
}

export interface DayPoint {
  day: string;
  entered: number;
  holdout: number;
  converted: number;
  holdoutConverted: number;
  /** Conversions to date over entrants to date, per group (undefined before anyone entered it). */
  rateToDate?: number;
  holdoutRateToDate?: number;
}

export interface JourneyReport {
  journeyId: string;
  name?: string;
  /** The versions counted (runs count for the version they entered). */
  versions: number[];
  from: string;
  to: string;
  entered: { treatment: number; holdout: number };
  /** Treatment runs: entered, each step reached in graph order, messages sent, goal converted. */
  funnel: FunnelStage[];
  messages: { sent: number; suppressed: Record<string, number>; deferred: Record<string, number> };
  coupons: {
    issued: number;
    valueIssued: number;
    redeemed: number;
    valueRedeemed: number;
    withheld: Record<string, number>;
  };
  exits: Record<string, number>;
  goal?: { converted: number; value: number; holdoutConverted: number; holdoutValue: number };
  /** Absent for a journey with no goal: there is no conversion to compare. */
  uplift?: Uplift;
  days: DayPoint[];
  /**
   * Hour by hour (`nudge report --by hour`), for a journey that keeps hours; `keepsHours` says whether its
   * current file does (an hour with nothing counted is left out).
   */
  byHour?: { keepsHours: boolean; hours: HourPoint[] };
}

/** The journey's step ids in graph order: breadth first from `start`, then any step not reached from it. */
export function stepsInGraphOrder(journey: Journey): string[] {
  const byId = new Map(journey.steps.map((step) => [step.id, step]));
  const order: string[] = [];
  const queue = [journey.start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const step = byId.get(id);
    if (step === undefined || order.includes(id)) continue;
    order.push(id);
    for (const link of stepLinks(step)) if (link.target !== undefined) queue.push(link.target);
  }
  for (const step of journey.steps) if (!order.includes(step.id)) order.push(step.id);
  return order;
}

/** The sums of the counters whose names start with `prefix`, by the rest of the name. */
function byReason(sums: Map<string, number>, prefix: string): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (const [name, amount] of [...sums].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (name.startsWith(prefix)) reasons[name.slice(prefix.length)] = amount;
  }
  return reasons;
}

function daysOf(counters: readonly StatsCounter[]): DayPoint[] {
  const days = new Map<string, DayPoint>();
  for (const counter of counters) {
    let point = days.get(counter.day);
    if (point === undefined) {
      point = { day: counter.day, entered: 0, holdout: 0, converted: 0, holdoutConverted: 0 };
      days.set(counter.day, point);
    }
    if (counter.name === "entered") point.entered += counter.amount;
    else if (counter.name === "holdout") point.holdout += counter.amount;
    else if (counter.name === "goal.converted") point.converted += counter.amount;
    else if (counter.name === "goal.converted.holdout") point.holdoutConverted += counter.amount;
  }
  const sorted = [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  const total = { entered: 0, holdout: 0, converted: 0, holdoutConverted: 0 };
  for (const point of sorted) {
    total.entered += point.entered;
    total.holdout += point.holdout;
    total.converted += point.converted;
    total.holdoutConverted += point.holdoutConverted;
    if (total.entered > 0) point.rateToDate = total.converted / total.entered;
    if (total.holdout > 0) point.holdoutRateToDate = total.holdoutConverted / total.holdout;
  }
  return sorted;
}

/**
 * The report of one journey. `journey` (its current file) gives the step order and the goal; counters of
 * steps it no longer has (an older version's) follow its own steps in the funnel.
 */
export function journeyReport(args: {
  journeyId: string;
  journey?: Journey;
  counters: readonly StatsCounter[];
  from: string;
  to: string;
}): JourneyReport {
  const { journeyId, journey, counters, from, to } = args;
  const sums = sumsByName(counters);
  const versions = new Set(counters.map((counter) => counter.version));
  const get = (name: string) => sums.get(name) ?? 0;
  const steps = byReason(sums, "step.");
  const order = journey === undefined ? [] : stepsInGraphOrder(journey);
  const stepIds = [...order, ...Object.keys(steps).filter((id) => !order.includes(id))];
  const hasGoal = journey === undefined ? get("goal.converted") + get("goal.converted.holdout") > 0 : !!journey.goal;
  const funnel: FunnelStage[] = [
    { label: "entered", count: get("entered") },
    ...stepIds.map((stepId) => ({ label: `step ${stepId}`, stepId, count: steps[stepId] ?? 0 })),
    { label: "messages sent", count: get("message.sent") },
    ...(hasGoal ? [{ label: "goal converted", count: get("goal.converted") }] : []),
  ];
  const entered = { treatment: get("entered"), holdout: get("holdout") };
  const goal = hasGoal
    ? {
        converted: get("goal.converted"),
        value: get("goal.value"),
        holdoutConverted: get("goal.converted.holdout"),
        holdoutValue: get("goal.value.holdout"),
      }
    : undefined;
  return {
    journeyId,
    ...(journey === undefined ? {} : { name: journey.name }),
    versions: [...versions].sort((a, b) => a - b),
    from,
    to,
    entered,
    funnel,
    messages: {
      sent: get("message.sent"),
      suppressed: byReason(sums, "message.suppressed."),
      deferred: byReason(sums, "message.deferred."),
    },
    coupons: {
      issued: get("coupon.issued"),
      valueIssued: get("coupon.value"),
      redeemed: get("coupon.redeemed"),
      valueRedeemed: get("coupon.redeemed.value"),
      withheld: byReason(sums, "coupon.withheld."),
    },
    exits: byReason(sums, "exited."),
    ...(goal === undefined
      ? {}
      : {
          goal,
          uplift: uplift({
            treatment: { entered: entered.treatment, converted: goal.converted },
            holdout: { entered: entered.holdout, converted: goal.holdoutConverted },
            couponValueRedeemed: get("coupon.redeemed.value"),
          }),
        }),
    days: daysOf(counters),
  };
}
