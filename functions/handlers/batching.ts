/**
 * How the functions batch their work: shared by the stack (lib/nudge-stack.ts), the handlers' configuration
 * and the benchmarks, so that what is measured is what is deployed.
 */

/**
 * Inputs per ingest invocation: the SQS event sources' batch size. A batch ends with one flush (the hand-on
 * proof, the coupon settlements no charge carried, the statistics), so the per-batch writes a step costs
 * depend on it. Over 10 needs a batching window of at least a second.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
 */
export const INGEST_BATCH_SIZE = 100;

/**
 * The most ingest batches the wake-up queue's event source runs at once: half the account's default Lambda
 * concurrency (1,000), so that a campaign's backlog of entries (and a burst of timers) can never take the
 * concurrency the ingest queue's shop events need: a registration's welcome does not queue behind member day.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html#events-sqs-max-concurrency
 */
export const WAKE_UP_MAX_CONCURRENCY = 500;

/** The tick function's timeout; it stops taking wake-ups 10 s before (STOP_BEFORE_TIMEOUT_MS). */
export const TICK_TIMEOUT_SECONDS = 60;

/**
 * The tick's SendMessageBatch calls in flight at once (TickOptions.sendsInFlight): a send waits on the
 * network, so 16 at once hand on about 16 times as many wake-ups a second as one at a time.
 */
export const TICK_SENDS_IN_FLIGHT = 16;

/** Wake-ups a tick hands on at most: high enough that the timeout, not this, ends a tick in a burst. */
export const TICK_MAX_WAKE_UPS = 1_000_000;

/**
 * How far ahead the tick hands wake-ups on (LOOKAHEAD_SECONDS' default), each delayed in SQS until due: a
 * burst is spread over the ticks of this window. A big sale may set up to 900 (SQS's longest delay).
 */
export const TICK_LOOKAHEAD_SECONDS = 300;
