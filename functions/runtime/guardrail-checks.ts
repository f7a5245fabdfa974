import type { ShopEvent } from "../../events/catalog.ts";
import { sumsByName } from "../engine/stats.ts";
import type { Guardrails } from "../language/guardrails.ts";
import type { Journey } from "../language/schema.ts";
import { ConcurrencyError } from "../shared/errors.ts";
import { DAY_MS, durationMs, flat, formatInstant, utcDay } from "../shared/time.ts";
import type { ControlStore, JourneyControl } from "./control-cache.ts";
import { GUARDRAIL_COUNTERS } from "./guardrail-counts.ts";
import type { EventPublisher } from "./journey-runtime.ts";
import type { StatsStore } from "./ports.ts";

/** NUDGE_SOURCE of steps.ts, not imported: steps.ts brings the template engine into the tick's bundle. */
const NUDGE_SOURCE = "nudge";

/** A guardrail crossed: which, the value and its threshold. */
export interface Crossing {
  name: keyof Guardrails;
  value: number;
  threshold: number;
}

/** A journey paused by a guardrail, and the `journey.paused` event that said so. */
export interface GuardrailPause {
  control: JourneyControl;
  event: ShopEvent;
}

/** Sums a journey's counters by name (every version) over its guardrails' window, today included. */
async function totals(stats: StatsStore, journeyId: string, window: string, now: number) {
  const days = Math.max(1, Math.ceil(durationMs(window) / DAY_MS));
  const toDay = utcDay(now);
  const fromDay = utcDay(now - (days - 1) * DAY_MS);
  const sums = sumsByName(await stats.readStats(journeyId, fromDay, toDay));
  return (name: string) => sums.get(name) ?? 0;
}

/** The first guardrail the counters cross, or undefined. A rate needs `minSample` in its denominator. */
export function firstCrossing(guardrails: Guardrails, count: (name: string) => number): Crossing | undefined {
  const rate = (numerator: string, denominator: number) =>
    denominator >= guardrails.minSample ? count(numerator) / denominator : undefined;
  const refundRate = rate(GUARDRAIL_COUNTERS.refunded, count("goal.converted"));
  if (guardrails.maxRefundRate !== undefined && refundRate !== undefined && refundRate > guardrails.maxRefundRate)
    return { name: "maxRefundRate", value: refundRate, threshold: guardrails.maxRefundRate };
  const unsubscribeRate = rate(GUARDRAIL_COUNTERS.unsubscribed, count("entered") + count("holdout"));
  if (
    guardrails.maxUnsubscribeRate !== undefined &&
    unsubscribeRate !== undefined &&
    unsubscribeRate > guardrails.maxUnsubscribeRate
  )
    return { name: "maxUnsubscribeRate", value: unsubscribeRate, threshold: guardrails.maxUnsubscribeRate };
  const withheld = count("coupon.withheld.budget-exhausted");
  if (guardrails.pauseWhenBudgetExhausted && withheld > 0)
    return { name: "pauseWhenBudgetExhausted", value: withheld, threshold: 0 };
  return undefined;
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/** `guardrail:maxRefundRate 0.0667 > 0.05`: what `nudge status` and the event show. */
export function crossingReason(crossing: Crossing): string {
  return `guardrail:${crossing.name} ${round(crossing.value)} > ${crossing.threshold}`;
}

/**
 * Checks every journey that declares guardrails and is not paused, from its statistics counters; pauses
 * the ones that cross one (a conditional write of its control: of two checks at once, one pauses) and
 * publishes `journey.paused` for each. On AWS the tick runs it every minute; the simulator every virtual
 * hour; the local platform in its tick. Cost: a journey's counters read (shards x days Queries) per check.
 */
export async function enforceGuardrails(options: {
  /** The journeys (every version: the highest of each id is checked). Plain data: the tick compiles nothing. */
  journeys: readonly Journey[];
  store: StatsStore & ControlStore;
  publisher?: EventPublisher;
  now: number;
}): Promise<GuardrailPause[]> {
  const { store, publisher, now } = options;
  const latest = new Map<string, Journey>();
  for (const journey of options.journeys)
    if ((latest.get(journey.id)?.version ?? 0) < journey.version) latest.set(journey.id, journey);
  const guarded = [...latest.values()].filter((journey) => journey.guardrails !== undefined);
  if (guarded.length === 0) return [];
  const controls = await store.getControls({ consistent: true });
  const pauses: GuardrailPause[] = [];
  for (const journey of guarded) {
    const guardrails = journey.guardrails;
    const current = controls.find((c) => c.value.journeyId === journey.id);
    if (guardrails === undefined || current?.value.paused === true) continue;
    const count = await totals(store, journey.id, guardrails.window, now);
    const crossing = firstCrossing(guardrails, count);
    if (crossing === undefined || resumedToday(current?.value, now)) continue;
    const control: JourneyControl = {
      journeyId: journey.id,
      paused: true,
      reason: crossingReason(crossing),
      by: "guardrail",
      since: formatInstant(now),
    };
    try {
      await store.setControl(control, current?.revision);
    } catch (error) {
      if (error instanceof ConcurrencyError) continue; // another check paused (or an operator changed) it
      throw error;
    }
    const event = pausedEvent(control, journey.version);
    if (publisher !== undefined) {
      const publishing = publisher.publish(event);
      if (publishing) await publishing;
    }
    pauses.push({ control, event });
  }
  return pauses;
}

/**
 * A journey an operator resumed after a guardrail paused it is not paused again by the same counters the
 * same UTC day: resuming says "I looked, let it run". From the next day the guardrail applies again.
 */
function resumedToday(control: JourneyControl | undefined, now: number): boolean {
  return control !== undefined && !control.paused && utcDay(control.since) === utcDay(now);
}

/** The `journey.paused` event (events/details.ts: journeyPaused). */
export function pausedEvent(control: JourneyControl, version: number): ShopEvent {
  return {
    id: flat(`journey-paused:${control.journeyId}:${control.since}`),
    source: NUDGE_SOURCE,
    "detail-type": "journey.paused",
    time: control.since,
    detail: {
      journeyId: control.journeyId,
      version,
      reason: control.reason ?? "",
      by: control.by ?? "",
      pausedAt: control.since,
    },
  };
}
