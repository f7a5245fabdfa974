/**
 * The one error base class of Nudge. Every error a caller can see names what went wrong and where;
 * the underlying error, if any, travels in `cause` (as in Powertools for AWS Lambda).
 */
export class NudgeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An EventBridge event pattern that EventBridge itself would reject. */
export class InvalidPatternError extends NudgeError {}

/** An event that does not fit the event catalog. */
export class InvalidEventError extends NudgeError {}

/** A journey file that does not fit the journey language. */
export class InvalidJourneyError extends NudgeError {}

/** A write lost an optimistic-concurrency race; the caller reloads and retries. */
export class ConcurrencyError extends NudgeError {}
