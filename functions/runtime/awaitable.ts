import { type Awaitable, isPromise } from "./ports.ts";

/**
 * Sequencing for the runtime's hot path (see Awaitable): `next` runs on `first`'s value, at once when it is
 * no promise, so an input over the in-memory store is applied with no promise and no microtask turn at all.
 */
export function andThen<T, U>(first: Awaitable<T>, next: (value: T) => Awaitable<U>): Awaitable<U> {
  return isPromise(first) ? first.then(next) : next(first);
}

/** `run` for each item in turn, from the `from`th: waits only on the answers that are promises. */
export function inTurn<T>(items: readonly T[], run: (item: T) => Awaitable<void>, from = 0): Awaitable<void> {
  for (let i = from; i < items.length; i++) {
    const running = run(items[i] as T);
    if (isPromise(running)) return running.then(() => inTurn(items, run, i + 1));
  }
  return undefined;
}
