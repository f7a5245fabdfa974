import { PerformanceObserver } from "node:perf_hooks";
import type { ShopEvent } from "../events/catalog.ts";
import { JourneyCatalog } from "../functions/engine/catalog.ts";
import { type Decision, decideEvent, decideWakeUp, newWakeUpsOf } from "../functions/engine/decide.ts";
import type { Profile, RunRecord, WakeUp } from "../functions/engine/model.ts";
import { applyEventToProfile } from "../functions/engine/profile.ts";
import type { Journey } from "../functions/language/schema.ts";
import { MinHeap } from "../functions/shared/min-heap.ts";
import { parseEventLines, simulate } from "../functions/simulator/simulate.ts";
import { generateShopLines, type ShopOptions } from "../functions/simulator/synthetic/index.ts";

/**
 * Benchmark 1: engine steps per second on one core with the in-memory store. The synthetic stream is
 * generated, parsed and sorted once, outside the timing; what is timed is the simulator's virtual-clock
 * loop (the same loop as simulate(): events in time order, due wake-ups fired in between, events the
 * journeys emit handled at once, output lines built) over a fresh MemoryStore.
 */

export interface PreparedStream {
  events: ShopEvent[];
  invalid: number;
  lines: number;
}

/** Generates the shop's NDJSON lines and parses them as simulate() does (sorted by time). */
export function prepareStream(options: ShopOptions): PreparedStream {
  const lines = [...generateShopLines(options)];
  const { events, invalid } = parseEventLines(lines);
  return { events, invalid: invalid.length, lines: lines.length };
}

export interface RuntimeRun {
  ms: number;
  inputs: number;
  decisions: number;
  steps: number;
  effects: number;
  outputLines: number;
  decideCalls: number;
  mostDecideCalls: number;
}

/**
 * One timed pass of simulate() — the runtime on the virtual clock over a fresh MemoryStore — over already
 * parsed events, until `until`. Output lines are counted as they come rather than kept.
 */
export async function runRuntime(journeys: readonly Journey[], events: readonly ShopEvent[], until: number) {
  let outputLines = 0;
  const started = performance.now();
  const result = await simulate({ journeys, events, until, onLine: () => void outputLines++ });
  const ms = performance.now() - started;
  const { inputs, decisions, steps, effects, decideCalls, mostDecideCalls } = result;
  return { ms, inputs, decisions, steps, effects, outputLines, decideCalls, mostDecideCalls } satisfies RuntimeRun;
}

export interface PureEngineRun {
  ms: number;
  /** Inputs offered: an event or a due timer, to one journey's record for one key. */
  calls: number;
  /** Calls that changed the record. */
  decisions: number;
  /** Journey steps the decisions took (see Decision.steps). */
  steps: number;
  effects: number;
}

/**
 * The engine alone, synchronously: the pure decide functions over plain Maps for records and profiles
 * and a sorted timer queue, on the same virtual clock as the simulator (due timers fire before each
 * event and at the end), with no storage port, ledger, statistics or output lines. What the engine
 * costs, apart from the runtime's glue around a store.
 */
export function runPureEngine(
  journeys: readonly Journey[],
  events: readonly ShopEvent[],
  until: number,
): PureEngineRun {
  const times = events.map((event) => Date.parse(event.time));
  const started = performance.now();
  const catalog = new JourneyCatalog(journeys);
  const records = new Map<string, Map<string, RunRecord>>();
  const recordOf = (journeyId: string, key: string) => records.get(journeyId)?.get(key);
  const profiles = new Map<string, Profile>();
  type Timer = { at: number; order: number; wakeUp: WakeUp };
  const timers = new MinHeap<Timer>((a, b) => a.at < b.at || (a.at === b.at && a.order < b.order));
  let scheduled = 0;
  let calls = 0;
  let decisions = 0;
  let steps = 0;
  let effects = 0;
  const save = (decision: Decision | undefined, previous: RunRecord | undefined): boolean => {
    if (decision === undefined) return false;
    decisions++;
    steps += decision.steps;
    effects += decision.effects.length;
    const { journeyId, key } = decision.record;
    let byKey = records.get(journeyId);
    if (byKey === undefined) {
      byKey = new Map();
      records.set(journeyId, byKey);
    }
    byKey.set(key, decision.record);
    for (const wakeUp of newWakeUpsOf(decision.record, previous)) {
      timers.push({ at: Date.parse(wakeUp.at), order: scheduled++, wakeUp });
    }
    return true;
  };
  const handle = (event: ShopEvent, now: number) => {
    const userId = event.detail.userId;
    let profile = typeof userId === "string" ? profiles.get(userId) : undefined;
    if (typeof userId === "string") {
      const updated = applyEventToProfile(profile, event);
      if (updated !== undefined) {
        profiles.set(userId, updated);
        profile = updated;
      }
    }
    for (const journey of catalog.listeningTo(event["detail-type"])) {
      const key = event.detail[journey.journey.key];
      if (typeof key !== "string" || key === "") continue;
      calls++;
      const record = recordOf(journey.id, key);
      const decision = decideEvent({ current: journey, record, key, profile, now, event });
      if (save(decision, record)) for (const emitted of decision?.events ?? []) handle(emitted, now);
    }
  };
  const fireUntil = (limit: number) => {
    for (let timer = timers.peek(); timer !== undefined && timer.at <= limit; timer = timers.peek()) {
      timers.pop();
      const { at, wakeUp } = timer;
      const journey = catalog.current().find((j) => j.id === wakeUp.journeyId);
      const record = recordOf(wakeUp.journeyId, wakeUp.key);
      if (journey === undefined || record === undefined) continue;
      calls++;
      const userId = record.run?.userId ?? record.inactivity?.lastEvent.detail.userId;
      const profile = typeof userId === "string" ? profiles.get(userId) : undefined;
      const decision = decideWakeUp({ current: journey, record, key: wakeUp.key, profile, now: at, wakeUp });
      if (save(decision, record)) for (const emitted of decision?.events ?? []) handle(emitted, at);
    }
  };
  for (const [index, event] of events.entries()) {
    const at = times[index] ?? 0;
    fireUntil(at);
    handle(event, at);
  }
  fireUntil(until);
  return { ms: performance.now() - started, calls, decisions, steps, effects };
}

/**
 * Garbage-collection time from now until stop(). GC entries reach the observer only once the event loop
 * turns, so stop() waits a moment (outside any timing) before it reads them.
 */
export function gcMeter(): { stop(): Promise<{ ms: number; count: number }> } {
  let ms = 0;
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      ms += entry.duration;
      count++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    async stop() {
      await new Promise((resolve) => setTimeout(resolve, 50));
      observer.disconnect();
      return { ms, count };
    },
  };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
