import type { ShopEvent } from "../../events/catalog.ts";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect, RunRecord, WakeUp } from "../../functions/engine/model.ts";
import type { PolicyConfig } from "../../functions/engine/policies/config.ts";
import { type Journey, type JourneyInput, journeySchema } from "../../functions/language/schema.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { NO_POLICIES } from "../support/policies.ts";
import { raceNextTwoReads } from "../support/race.ts";

/** A journey from a partial definition, through the real schema (defaults applied, validation run). */
export function journey(overrides: Partial<JourneyInput> & Pick<JourneyInput, "steps" | "start">): Journey {
  return journeySchema.parse({
    id: "test-journey",
    version: 1,
    name: "Test journey",
    trigger: { type: "event", pattern: { "detail-type": ["user.registered"] } },
    templates: { hello: { "zh-CN": "你好 {{ profile.userId }}" } },
    ...overrides,
  });
}

let counter = 0;
export function shopEvent(type: string, time: string, detail: Record<string, unknown>, id?: string): ShopEvent {
  counter += 1;
  return { id: id ?? `evt-${counter}`, source: "shop", "detail-type": type, time, detail };
}

export const at = (iso: string) => Date.parse(iso);

/**
 * A runtime over a store that keeps every delivered effect in `delivered`; without quiet hours or caps
 * unless `policies` are given (the tests of policies give them).
 */
export function harness<S extends JourneyStore = MemoryStore>(
  catalog: JourneyCatalog,
  store?: S,
  policies: PolicyConfig = NO_POLICIES,
  options: { journal?: boolean; flushEveryInputs?: number } = {},
) {
  const delivered: JourneyEffect[] = [];
  const used = store ?? new MemoryStore();
  const runtime = new JourneyRuntime({
    ...options,
    catalog,
    store: used,
    policies,
    sink: { deliver: async (effect) => void delivered.push(effect) },
    publisher: { publish: async () => undefined },
  });
  return { runtime, store: used as S, delivered };
}

/** A greeting at entry, a day's wait, and a second greeting: a decision with a wake-up, then one without. */
export const greetTwiceJourney = journey({
  start: "greet",
  steps: [
    { id: "greet", type: "send", channel: "push", template: "hello", next: "later" },
    { id: "later", type: "wait", for: "P1D", next: "again" },
    { id: "again", type: "send", channel: "push", template: "hello" },
  ],
});

/**
 * A dormancy journey of the tests' own (the shipped dormancy-reactivation may change its parameters): a user with
 * no order for 30 days since the later of registration and the last order gets a message, and another a week
 * later; an order ends the run and counts as the goal within 14 days.
 */
export const dormancyJourney = journey({
  id: "test-dormancy",
  trigger: {
    type: "inactivity",
    absent: { "detail-type": ["order.placed"] },
    for: "P30D",
    countFrom: { "detail-type": ["user.registered"] },
  },
  reentry: { type: "after-exit" },
  exitOn: [{ "detail-type": ["order.placed"] }],
  goal: { pattern: { "detail-type": ["order.placed"] }, within: "P14D" },
  start: "comeback",
  steps: [
    { id: "comeback", type: "send", channel: "push", template: "hello", next: "wait-7-days" },
    { id: "wait-7-days", type: "wait", for: "P7D", next: "reminder" },
    { id: "reminder", type: "send", channel: "push", template: "hello" },
  ],
});

/** One run per order: waits a day for a review (which converts the goal); a refund ends it. */
export const reviewJourney = journey({
  key: "orderId",
  trigger: { type: "event", pattern: { "detail-type": ["order.delivered"] } },
  exitOn: [{ "detail-type": ["order.refunded"] }],
  goal: { pattern: { "detail-type": ["review.posted"] }, within: "P7D" },
  start: "wait-review",
  steps: [
    {
      id: "wait-review",
      type: "wait-for-event",
      pattern: { "detail-type": ["review.posted"] },
      timeout: "PT24H",
      onTimeout: "ask",
    },
    { id: "ask", type: "send", channel: "push", template: "hello" },
  ],
});

/**
 * A review and a refund for one delivered order, processed at the same time on any store, both reading
 * the run before either writes. Returns the runtime (for its conflict count) and the record left.
 */
export async function raceReviewAndRefund<S extends JourneyStore>(store: S) {
  const { runtime } = harness(new JourneyCatalog([reviewJourney]), store);
  const delivered = shopEvent("order.delivered", "2026-11-01T00:00:00Z", { userId: "u1", orderId: "o1" });
  await runtime.handleEvent(delivered, at(delivered.time));
  const review = shopEvent("review.posted", "2026-11-01T05:00:00Z", { userId: "u1", orderId: "o1" });
  const refund = shopEvent("order.refunded", "2026-11-01T05:00:00Z", { userId: "u1", orderId: "o1", amount: 10 });
  raceNextTwoReads(store);
  await Promise.all([runtime.handleEvent(review, at(review.time)), runtime.handleEvent(refund, at(refund.time))]);
  const record: RunRecord | undefined = (await store.getRecord("test-journey", "o1"))?.value;
  return { runtime, record };
}

/** A run's wake-up for journey `j`, due at `at` (epoch ms). */
export const runWakeUp = (key: string, at: number): WakeUp => ({
  kind: "run",
  journeyId: "j",
  key,
  at: new Date(at).toISOString(),
  seq: 1,
});

/** Runs every wake-up due up to `until` (ISO), in time order, as the tick would. */
export async function fireWakeUpsUntil(store: MemoryStore, runtime: JourneyRuntime, until: string): Promise<void> {
  for (
    let next = await store.nextWakeUpAt();
    next !== undefined && next <= at(until);
    next = await store.nextWakeUpAt()
  ) {
    for (const wakeUp of await store.takeDueWakeUps(next, 100)) await runtime.handleWakeUp(wakeUp, next);
  }
}
