import type { ShopEvent } from "../../events/catalog.ts";
import type { JourneyCatalog } from "../engine/catalog.ts";
import type { StatsCounter } from "../engine/model.ts";
import { parseInstant, utcDay } from "../shared/time.ts";
import { answerOf, runSteps, type Steps } from "./awaitable.ts";
import type { Awaitable, RunStore } from "./ports.ts";

/** The counters the guardrails read besides the usual ones (functions/runtime/guardrail-checks.ts). */
export const GUARDRAIL_COUNTERS = {
  /** An `order.refunded` for a run whose goal converted before it: a refund of a converted order. */
  refunded: "guardrail.refunded",
  /** A `user.unsubscribed` while the user's run was active. */
  unsubscribed: "guardrail.unsubscribed",
} as const;

/**
 * What an event adds to the guardrail counters of the journeys that watch for it: a refund of a journey's
 * converted order, an unsubscribe during a run. One eventually consistent read of the run record per
 * journey with such a guardrail, for these two event types only. At least once, like the events: an event
 * delivered twice may count twice (rare; the rates are a signal, not an invoice). At once when the store
 * answers at once (runSteps).
 */
export function guardrailCounters(
  catalog: JourneyCatalog,
  store: Pick<RunStore, "getRecord">,
  event: ShopEvent,
  now: number,
): Awaitable<StatsCounter[]> {
  const type = event["detail-type"];
  if (type !== "order.refunded" && type !== "user.unsubscribed") return [];
  return runSteps(countersOf({ catalog, store, event, now }, type));
}

function* countersOf(
  request: { catalog: JourneyCatalog; store: Pick<RunStore, "getRecord">; event: ShopEvent; now: number },
  type: "order.refunded" | "user.unsubscribed",
): Steps<StatsCounter[]> {
  const { catalog, store, event, now } = request;
  const counters: StatsCounter[] = [];
  const day = utcDay(now);
  for (const journey of catalog.current()) {
    const guardrails = journey.journey.guardrails;
    const watches =
      type === "order.refunded"
        ? guardrails?.maxRefundRate !== undefined
        : guardrails?.maxUnsubscribeRate !== undefined;
    const key = event.detail[journey.journey.key];
    if (!watches || typeof key !== "string" || key === "") continue;
    const run = (yield* answerOf(store.getRecord(journey.id, key)))?.value.run;
    if (run === undefined) continue;
    const eventTime = parseInstant(event.time) ?? now;
    const convertedAt = parseInstant(run.goal?.convertedAt);
    const counts =
      type === "order.refunded" ? convertedAt !== undefined && eventTime >= convertedAt : run.status === "active";
    if (!counts) continue;
    const name = type === "order.refunded" ? GUARDRAIL_COUNTERS.refunded : GUARDRAIL_COUNTERS.unsubscribed;
    counters.push({ journeyId: journey.id, version: run.version, day, name, amount: 1 });
  }
  return counters;
}
