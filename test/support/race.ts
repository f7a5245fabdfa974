import type { RunStore, UserStore } from "../../functions/runtime/ports.ts";

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

/** Makes the next two user reads wait for each other, so both reservations read the send log before either writes. */
export function raceNextTwoUserReads(store: UserStore): void {
  const realGet = store.getUser.bind(store);
  let arrived = 0;
  let release: () => void = () => undefined;
  const bothRead = new Promise<void>((resolve) => {
    release = resolve;
  });
  store.getUser = async (userId, options) => {
    const stored = await realGet(userId, options);
    arrived += 1;
    if (arrived === 2) release();
    if (arrived <= 2) await bothRead;
    return stored;
  };
}
