import type { Context } from "aws-lambda";
import { localContext } from "./pump.ts";

/** The tick function's handler, as the local platform calls it. */
export type TickFunction = (event: { time: string }, context: Context) => Promise<{ handedOn: number }>;

export interface TickerOptions {
  tick: TickFunction;
  clock: () => number;
  /** Real ms between ticks. */
  everyMs: number;
  /** A tick takes at most this many wake-ups (MAX_WAKE_UPS_PER_TICK). */
  maxWakeUps: number;
  /** Called when a tick fails: what it took and did not hand on is scheduled again, the next tick retries. */
  onFailure: () => void;
}

/** The tick run every few seconds, as EventBridge Scheduler runs it every minute on AWS. */
export interface Ticker {
  /** The virtual time up to which the tick has taken every wake-up due. */
  tickedUpTo(): number;
  /** No further tick; resolves when the one running is done. */
  stop(): Promise<void>;
}

export function startTicker(options: TickerOptions): Ticker {
  let running = true;
  let ticking = Promise.resolve();
  let tickedUpTo = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  const runTick = () => {
    ticking = (async () => {
      try {
        const startedAt = options.clock();
        const report = await options.tick({ time: new Date(startedAt).toISOString() }, localContext);
        // A tick that took fewer than its limit took everything due by the time it started.
        if (report.handedOn < options.maxWakeUps) tickedUpTo = startedAt;
      } catch {
        options.onFailure();
      }
      if (running) timer = setTimeout(runTick, options.everyMs);
    })();
  };
  runTick();
  return {
    tickedUpTo: () => tickedUpTo,
    stop: async () => {
      running = false;
      clearTimeout(timer);
      await ticking;
    },
  };
}
