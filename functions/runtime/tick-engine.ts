import type { WakeUp } from "../engine/model.ts";
import { NudgeError } from "../shared/errors.ts";
import { parseInstant } from "../shared/time.ts";
import type { TimerStore } from "./ports.ts";

/** SQS's maximum delivery delay, in seconds (DelaySeconds 0..900). */
export const MAX_DELAY_SECONDS = 900;
/** SQS SendMessageBatch takes at most 10 messages. */
export const MAX_BATCH_SIZE = 10;

export interface TickOptions {
  timers: TimerStore;
  /** The tick's time (epoch ms). */
  now: number;
  /** Hand on wake-ups due up to `now + lookaheadMs` (default 5 min, at most 900 s, SQS's maximum delay). */
  lookaheadMs?: number;
  /** Wake-ups per `handOn` call (default 10, SQS SendMessageBatch's maximum). */
  batchSize?: number;
  /**
   * Wake-ups taken off the store at a time (default 500), then handed on `batchSize` at a time: a take
   * costs one cursor write and a page of reads per shard whatever its size, so large takes are cheap.
   */
  takeSize?: number;
  /** Wake-ups handed on per tick at most (default 100,000); the next tick goes on where this one stopped. */
  maxWakeUps?: number;
  /**
   * `handOn` calls in flight at once (default 1). A send to SQS takes milliseconds of network, not of CPU:
   * 16 at once hand on about 16 times as many wake-ups a second, so a burst due in one minute goes out
   * within the lookahead (docs/benchmarks.md, "Timers").
   */
  sendsInFlight?: number;
  /**
   * The time when a batch is handed on (default: `now`). The delivery delay counts from the send, so a
   * tick that runs long computes each batch's delays on the clock (the tick function passes Date.now).
   */
  clock?: () => number;
  /**
   * Asked before each take and each batch: true when the tick must end now (its function nears its
   * timeout). What it took and did not hand on is then scheduled again, for the next tick.
   */
  shouldStop?: () => boolean;
  /** Hands a batch on, each wake-up with the delivery delay after which it falls due. */
  handOn(batch: { wakeUp: WakeUp; delaySeconds: number }[]): Promise<void>;
}

/**
 * What a `handOn` may throw when part of its batch went out: the wake-ups that did not. The tick then
 * schedules only those (and the rest of its take) again; for any other error, the whole batch.
 */
export class HandOnError extends NudgeError {
  constructor(
    message: string,
    readonly notHandedOn: readonly WakeUp[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface TickReport {
  handedOn: number;
  batches: number;
  /** Wake-ups that were due before `now` (a late tick, or downtime caught up). */
  late: number;
  /** How long past due the latest of them was; 0 when none was late. */
  maxLatenessMs: number;
}

/**
 * One tick of the timer wheel: takes the wake-ups due up to `now + lookaheadMs` off the store, earliest
 * first, and hands them on in batches with a delivery delay, so that one due in the next minutes fires
 * within seconds of its due time rather than at the next tick. Catching up after downtime is the store's
 * cursor walk (it never skips a bucket): the tick just keeps taking until nothing is due or it handed on
 * `maxWakeUps`. Wake-ups are taken off the store only after they were handed on: if `handOn` throws, or
 * the tick dies, the next tick hands them on again (a wake-up that fires twice is stale the second time
 * and changes nothing), so no wake-up the store held is ever stranded.
 */
export async function tick(options: TickOptions): Promise<TickReport> {
  const { timers, now } = options;
  const lookaheadMs = options.lookaheadMs ?? 5 * 60_000;
  const batchSize = options.batchSize ?? MAX_BATCH_SIZE;
  const takeSize = options.takeSize ?? 500;
  const maxWakeUps = options.maxWakeUps ?? 100_000;
  const sendsInFlight = options.sendsInFlight ?? 1;
  if (!Number.isFinite(now)) throw new NudgeError(`tick: now must be a finite epoch time in ms, got ${now}`);
  if (!Number.isFinite(lookaheadMs) || lookaheadMs < 0 || lookaheadMs > MAX_DELAY_SECONDS * 1000)
    throw new NudgeError(
      `tick: lookaheadMs must be from 0 to ${MAX_DELAY_SECONDS * 1000} (SQS delays at most ${MAX_DELAY_SECONDS} s), got ${lookaheadMs}`,
    );
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE)
    throw new NudgeError(`tick: batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  if (!Number.isInteger(takeSize) || takeSize < 1)
    throw new NudgeError(`tick: takeSize must be a positive integer, got ${takeSize}`);
  if (!Number.isInteger(maxWakeUps) || maxWakeUps < 1)
    throw new NudgeError(`tick: maxWakeUps must be a positive integer, got ${maxWakeUps}`);
  if (!Number.isInteger(sendsInFlight) || sendsInFlight < 1)
    throw new NudgeError(`tick: sendsInFlight must be a positive integer, got ${sendsInFlight}`);

  const until = now + lookaheadMs;
  const report: TickReport = { handedOn: 0, batches: 0, late: 0, maxLatenessMs: 0 };
  const stopping = () => options.shouldStop?.() ?? false;
  while (report.handedOn < maxWakeUps && !stopping()) {
    const due = await timers.dueWakeUps(until, Math.min(takeSize, maxWakeUps - report.handedOn));
    if (due.wakeUps.length === 0) break;
    const handedOn = await handOnInBatches(due.wakeUps, {
      ...options,
      now,
      batchSize,
      sendsInFlight,
      report,
      stopping,
    });
    // Taken off the store only once handed on: a tick that dies before leaves them due for the next.
    await due.done(handedOn);
    if (handedOn < due.wakeUps.length) break; // stopping
  }
  return report;
}

/**
 * Hands wake-ups on, `batchSize` at a time and `sendsInFlight` batches at once, each with its delay computed
 * when its batch is sent. Returns how many went out (all, unless the tick must stop: then a prefix, whole
 * waves of batches). A failed batch surfaces its error once its wave has settled: none of the wake-ups read
 * is taken off the store, and the next tick hands them on again (those already sent fire twice, the second
 * time stale).
 */
async function handOnInBatches(
  wakeUps: readonly WakeUp[],
  context: Pick<TickOptions, "clock" | "handOn"> & {
    now: number;
    batchSize: number;
    sendsInFlight: number;
    report: TickReport;
    stopping: () => boolean;
  },
): Promise<number> {
  const { batchSize, sendsInFlight } = context;
  const waveSize = batchSize * sendsInFlight;
  for (let start = 0; start < wakeUps.length; start += waveSize) {
    if (start > 0 && context.stopping()) return start;
    const sends: Promise<void>[] = [];
    for (let first = start; first < Math.min(start + waveSize, wakeUps.length); first += batchSize)
      sends.push(handOnBatch(wakeUps.slice(first, first + batchSize), context));
    const failed = (await Promise.allSettled(sends)).find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
  }
  return wakeUps.length;
}

async function handOnBatch(
  wakeUps: readonly WakeUp[],
  context: Pick<TickOptions, "clock" | "handOn"> & { now: number; report: TickReport },
): Promise<void> {
  const { report } = context;
  const sending = context.clock?.() ?? context.now;
  const batch = wakeUps.map((wakeUp) => {
    // An unreadable due time cannot be waited for: hand it on at once, the engine judges it.
    const due = parseInstant(wakeUp.at) ?? sending;
    return { wakeUp, delaySeconds: delaySecondsFor(due, sending), lateMs: sending - due };
  });
  await context.handOn(batch.map(({ wakeUp, delaySeconds }) => ({ wakeUp, delaySeconds })));
  for (const { lateMs } of batch) {
    if (lateMs <= 0) continue;
    report.late++;
    report.maxLatenessMs = Math.max(report.maxLatenessMs, lateMs);
  }
  report.handedOn += batch.length;
  report.batches++;
}

/** The delivery delay for a wake-up due at `due` handed on at `now`: whole seconds, from 0 to 900. */
export function delaySecondsFor(due: number, now: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((due - now) / 1000)));
}
