/**
 * The deliver function's share of its channel's rate limit. The channel's event source runs at most
 * `maxConcurrency` instances at once (Lambda's SQS event source maximum concurrency:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html#events-sqs-max-concurrency),
 * and each instance spaces its sends `maxConcurrency / ratePerSecond` seconds apart, so the channel as a
 * whole never sends more than `ratePerSecond`. The pacer lives as long as the instance (built at init),
 * so back-to-back batches keep the spacing.
 */
export class Pacer {
  private nextAt = 0;
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.intervalMs = perSecond > 0 && Number.isFinite(perSecond) ? 1000 / perSecond : 0;
  }

  /** Waits for this send's slot: slots are handed out in call order, `intervalMs` apart. */
  async take(): Promise<void> {
    if (this.intervalMs === 0) return;
    const now = this.clock();
    const slot = Math.max(now, this.nextAt);
    this.nextAt = slot + this.intervalMs;
    if (slot > now) await this.sleep(slot - now);
  }
}

/** Sends per second for one instance: the channel's rate shared by the instances that may run at once. */
export function instanceRate(ratePerSecond: number, maxConcurrency: number): number {
  return ratePerSecond / Math.max(1, maxConcurrency);
}
