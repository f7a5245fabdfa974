import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { WakeUp } from "../engine/model.ts";
import { HandOnError } from "../runtime/tick-engine.ts";
import { encodeWakeUp } from "./wire.ts";

/**
 * The tick's hand-on: SendMessageBatch to the wake-up queue, each wake-up delayed until it falls due.
 * Entries SQS refuses are sent again (twice); if any are still refused the batch fails, and the tick
 * schedules what it took and did not hand on again (functions/runtime/tick-engine.ts), so the next tick hands them
 * on. No wake-up is lost.
 */
export class WakeUpQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async handOn(batch: readonly { wakeUp: WakeUp; delaySeconds: number }[]): Promise<void> {
    let pending = batch.map((item, index) => ({ ...item, id: String(index) }));
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3 && pending.length > 0; attempt++) {
      try {
        const output = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: pending.map(({ wakeUp, delaySeconds, id }) => ({
              Id: id,
              DelaySeconds: delaySeconds,
              ...encodeWakeUp(wakeUp),
            })),
          }),
        );
        const failed = new Set((output.Failed ?? []).map((entry) => entry.Id));
        lastError = output.Failed?.[0];
        pending = pending.filter((item) => failed.has(item.id));
      } catch (error) {
        lastError = error;
      }
    }
    if (pending.length === 0) return;
    throw new HandOnError(
      `${pending.length} wake-ups not queued after 3 attempts`,
      pending.map((item) => item.wakeUp),
      { cause: lastError },
    );
  }
}
