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

/** A body run by `runSteps`: it yields each answer it waits on (a promise, or the value itself). */
export type Steps<T> = Generator<Awaitable<unknown>, T, unknown>;

/**
 * Runs `steps`, handing each answer it yields back once it is there: at once while the answers are values,
 * by promises from the first that is not. One body for both stores, where async/await would cost a promise
 * and a microtask turn for each answer the in-memory store has at once. A promise rejected is thrown into the
 * body at its `yield`, as at an `await`; an error thrown synchronously leaves `runSteps` as it is.
 */
export function runSteps<T>(steps: Steps<T>): Awaitable<T> {
  return stepFrom(steps, steps.next());
}

function stepFrom<T>(steps: Steps<T>, from: IteratorResult<Awaitable<unknown>, T>): Awaitable<T> {
  let next = from;
  while (!next.done) {
    const answer = next.value;
    if (isPromise(answer))
      return answer.then(
        (value) => stepFrom(steps, steps.next(value)),
        (error: unknown) => stepFrom(steps, steps.throw(error)),
      );
    next = steps.next(answer);
  }
  return next.value;
}

/** Within a `runSteps` body: `yield* answerOf(port.read())` is the read's value, typed, as `await` would give it. */
export function* answerOf<T>(answer: Awaitable<T>): Steps<T> {
  return (yield answer) as T;
}
