import type { RunStore } from "../../functions/engine/store.ts";

/**
 * Makes the next two record reads wait for each other, so two inputs for one run both read before
 * either writes: the optimistic-concurrency race happens every time, not only when timing allows.
 */
export function raceNextTwoReads(store: RunStore): void {
  const realGet = store.getRecord.bind(store);
  let arrived = 0;
  let release: () => void = () => undefined;
  const bothRead = new Promise<void>((resolve) => {
    release = resolve;
  });
  store.getRecord = async (journeyId, key) => {
    const stored = await realGet(journeyId, key);
    arrived += 1;
    if (arrived === 2) release();
    if (arrived <= 2) await bothRead;
    return stored;
  };
}
