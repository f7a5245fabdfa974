import { PerformanceObserver } from "node:perf_hooks";
import type { ShopEvent } from "../events/catalog.ts";
import type { Journey } from "../functions/language/schema.ts";
import { parseEventLines, type SimulationLine, simulate } from "../functions/simulator/simulate.ts";
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
  /** When each journey the guardrails paused was paused (its `journey.paused` line). */
  pausedFrom: Map<string, number>;
}

/**
 * One timed pass of simulate() — the runtime on the virtual clock over a fresh MemoryStore — over already
 * parsed events, until `until`. Output lines are counted as they come rather than kept.
 */
export async function runRuntime(journeys: readonly Journey[], events: readonly ShopEvent[], until: number) {
  let outputLines = 0;
  const pausedFrom = new Map<string, number>();
  const onLine = (line: SimulationLine) => {
    outputLines++;
    if (line.type === "journey.paused") pausedFrom.set(line.journey, Date.parse(line.at));
  };
  const started = performance.now();
  const result = await simulate({ journeys, events, until, onLine });
  const ms = performance.now() - started;
  const { inputs, decisions, steps, effects, decideCalls, mostDecideCalls } = result;
  return {
    ms,
    inputs,
    decisions,
    steps,
    effects,
    outputLines,
    decideCalls,
    mostDecideCalls,
    pausedFrom,
  } satisfies RuntimeRun;
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
