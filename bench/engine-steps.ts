import { PerformanceObserver } from "node:perf_hooks";
import type { ShopEvent } from "../events/catalog.ts";
import { decideEvent } from "../functions/engine/engine.ts";
import { JourneyCatalog } from "../functions/engine/journeys.ts";
import type { Profile, RunRecord } from "../functions/engine/model.ts";
import { applyEventToProfile } from "../functions/engine/profile.ts";
import type { Journey } from "../functions/journey/schema.ts";
import { parseEventLines, simulate } from "../functions/simulator/simulate.ts";
import { generateShopLines, type ShopOptions } from "../functions/simulator/synthetic.ts";

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
  const { inputs, decisions, steps, effects } = result;
  return { ms, inputs, decisions, steps, effects, outputLines } satisfies RuntimeRun;
}

export interface PureEngineRun {
  ms: number;
  /** decideEvent calls (an event offered to one journey's record for one key). */
  calls: number;
  /** Calls that changed the record (the engine's share of runtime steps). */
  decisions: number;
  effects: number;
}

/**
 * The pure engine alone: decideEvent in a loop over the events, records and profiles in plain Maps, no
 * runtime, no store, no promises. Events the journeys emit (issued coupons) are decided at once too.
 * Timers are not fired (decideWakeUp needs the timer store), so this is the event half of the work.
 */
export function runPureEngine(journeys: readonly Journey[], events: readonly ShopEvent[]): PureEngineRun {
  const times = events.map((event) => Date.parse(event.time));
  const started = performance.now();
  const catalog = new JourneyCatalog(journeys);
  const records = new Map<string, RunRecord>();
  const profiles = new Map<string, Profile>();
  let calls = 0;
  let decisions = 0;
  let effects = 0;
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
    const type = event["detail-type"];
    for (const journey of catalog.current()) {
      if (!catalog.listensTo(journey.id, type)) continue;
      const key = event.detail[journey.journey.key];
      if (typeof key !== "string" || key === "") continue;
      const id = `${journey.id}|${key}`;
      calls++;
      const decision = decideEvent({ current: journey, record: records.get(id), key, profile, now, event });
      if (decision === undefined) continue;
      decisions++;
      effects += decision.effects.length;
      records.set(id, decision.record);
      for (const emitted of decision.events) handle(emitted, now);
    }
  };
  for (const [index, event] of events.entries()) handle(event, times[index] ?? 0);
  return { ms: performance.now() - started, calls, decisions, effects };
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
