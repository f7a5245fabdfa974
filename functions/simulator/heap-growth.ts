import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the heap grow past what the last full collection left live, in percent, while a
 * simulation runs. A simulation keeps every user's profile and runs for its whole span, so most of its heap
 * stays live; with plenty of memory V8 lets the heap grow to several times that before it collects again:
 * 100,000 users over 60 days peaked at 1,030 MiB of RSS with about 400 MiB live. Growing by half at most
 * peaks at about 750 MiB for a few more collections, about a second of 40 (`npm run bench -- --only
 * simulation`, 2026-12-03). It changes when V8 collects, never what is kept.
 */
export const SIMULATION_HEAP_GROWING_PERCENT = 50;

/**
 * Sets V8's heap growing factor for this process (`nudge simulate` and its benchmark call it before they
 * simulate): no flag for the user to know about.
 * https://nodejs.org/api/v8.html#v8setflagsfromstringflags
 */
export function growHeapForSimulation(): void {
  setFlagsFromString(`--heap-growing-percent=${SIMULATION_HEAP_GROWING_PERCENT}`);
}
