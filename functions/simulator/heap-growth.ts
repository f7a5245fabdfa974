import { setFlagsFromString } from "node:v8";

/**
 * How much the heap may grow past what the last full collection found live, in percent, while a
 * simulation runs. A simulation keeps every run's state to its end and allocates fast, and V8 then lets
 * the heap grow to about 4x what was live before it collects again: the peak depended on where the
 * collections fell (826 to 1,044 MiB of RSS for 100,000 users over 60 days, with some 300 to 450 MiB live).
 * At 50% it stays near 1.5x what is live (667 MiB), for more collections that each find less to do.
 */
const HEAP_GROWING_PERCENT = 50;

/**
 * Runs `simulation` with the heap's growth bounded (V8's --heap-growing-percent, set from within, so that
 * nobody running `nudge simulate` has to know of it); V8's own growth (0) again once it is done.
 */
export async function withBoundedHeapGrowth<T>(simulation: () => Promise<T>): Promise<T> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  try {
    return await simulation();
  } finally {
    setFlagsFromString("--heap-growing-percent=0");
  }
}
