import { ConcurrencyError, NudgeError } from "../shared/errors.ts";

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

  /** `attempt` (1, 2, ...) until it does not lose a race. */
  async withRetries<T>(what: () => string, attempt: (tries: number) => Promise<T>): Promise<T> {
    const callsBefore = this.stats.decideCalls;
    try {
      for (let tries = 1; ; tries++) {
        try {
          return await attempt(tries);
        } catch (error) {
          this.lostRace(error, tries, what);
        }
      }
    } finally {
      this.countDecideCalls(callsBefore);
    }
  }
}
