import { ConcurrencyError, NudgeError } from "../shared/errors.ts";
import { type Awaitable, isPromise } from "./ports.ts";

/** What the runtime counts of its decisions (JourneyRuntime.stats): the retries add lost races and decide calls. */
export interface RetryStats {
  conflicts: number;
  decideCalls: number;
  mostDecideCalls: number;
}

/**
 * An input tried again after each lost race (ConcurrencyError: another write came first), up to `maxAttempts`,
 * each conflict counted; any other error goes to the caller at once. The decide calls one input took are
 * counted for the most of them.
 */
export class Retries {
  constructor(
    private readonly stats: RetryStats,
    private readonly maxAttempts: number,
  ) {}

  /** Rethrows `error` unless it is a lost race (counted) with attempts left. */
  lostRace(error: unknown, tries: number, what: () => string): void {
    if (!(error instanceof ConcurrencyError)) throw error;
    this.stats.conflicts++;
    if (tries >= this.maxAttempts)
      throw new NudgeError(`${what()}: still contended after ${tries} attempts`, { cause: error });
  }

  /** The decide calls one input and journey took, for the most of them: nested retries (an update-profile step's) add none. */
  countDecideCalls(before: number): void {
    const calls = this.stats.decideCalls - before;
    if (calls > this.stats.mostDecideCalls) this.stats.mostDecideCalls = calls;
  }

  /**
   * `attempt` (1, 2, ...) until it does not lose a race. The first attempt answers at once when it needed
   * nothing asynchronous (see Awaitable): over the in-memory store, a user's save costs no promise.
   */
  withRetries<T>(what: () => string, attempt: (tries: number) => Awaitable<T>): Awaitable<T> {
    const callsBefore = this.stats.decideCalls;
    let first: Awaitable<T>;
    try {
      first = attempt(1);
    } catch (error) {
      return this.retriedAfter(error, { what, attempt, callsBefore });
    }
    if (!isPromise(first)) {
      this.countDecideCalls(callsBefore);
      return first;
    }
    return first.then(
      (value) => {
        this.countDecideCalls(callsBefore);
        return value;
      },
      (error: unknown) => this.retriedAfter(error, { what, attempt, callsBefore }),
    );
  }

  /** The attempts after the first lost its race (or failed: rethrown), from the second on. */
  private async retriedAfter<T>(
    error: unknown,
    run: { what: () => string; attempt: (tries: number) => Awaitable<T>; callsBefore: number },
  ): Promise<T> {
    try {
      this.lostRace(error, 1, run.what);
      for (let tries = 2; ; tries++) {
        try {
          return await run.attempt(tries);
        } catch (next) {
          this.lostRace(next, tries, run.what);
        }
      }
    } finally {
      this.countDecideCalls(run.callsBefore);
    }
  }
}
