/**
 * The runtime's ports on AWS: message requests go to the delivery queue, events the journeys emit go to
 * the event bus, and the tick hands due wake-ups to the wake-up queue with a delivery delay. Each send
 * relies on the SDK client's own retries (standard mode); a send that still fails throws, so that the
 * record is retried.
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput } from "@aws-sdk/client-eventbridge";
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { ShopEvent } from "../../events/catalog.ts";
import { NudgeError } from "../engine/errors.ts";
import type { JourneyEffect, WakeUp } from "../engine/model.ts";
import type { EffectSink, EventPublisher } from "../engine/runtime.ts";
import type { TimerStore } from "../engine/store.ts";
import type { JourneyCounters } from "./observability.ts";
import { encodeWakeUp } from "./records.ts";

/** A send to SQS or EventBridge that failed after the client's retries. */
export class SendError extends NudgeError {}

/** Counts every effect carried out, and sends each message request to the delivery queue. */
export class QueueSink implements EffectSink {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly counters: JourneyCounters,
  ) {}

  deliver(effect: JourneyEffect): Promise<void> | undefined {
    this.counters.count(effect);
    if (effect.type !== "message.sent") return undefined;
    return this.send(effect);
  }

  private async send(effect: JourneyEffect): Promise<void> {
    try {
      await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(effect) }));
    } catch (error) {
      throw new SendError(`message ${effect.id}: not queued for delivery`, { cause: error });
    }
  }
}

/** Puts the events the journeys emit (issued coupons, emit steps) on the bus, where rules route them. */
export class BusPublisher implements EventPublisher {
  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(event: ShopEvent): Promise<void> {
    const entry = {
      EventBusName: this.busName,
      Source: event.source,
      DetailType: event["detail-type"],
      Time: new Date(event.time),
      Detail: JSON.stringify(event.detail),
    };
    let output: PutEventsCommandOutput;
    try {
      output = await this.eventBridge.send(new PutEventsCommand({ Entries: [entry] }));
    } catch (error) {
      throw new SendError(`event ${event.id}: not put on bus ${this.busName}`, { cause: error });
    }
    if ((output.FailedEntryCount ?? 0) > 0) {
      const failed = output.Entries?.[0];
      throw new SendError(
        `event ${event.id}: bus ${this.busName} refused it: ${failed?.ErrorCode ?? "?"} ${failed?.ErrorMessage ?? ""}`.trim(),
      );
    }
  }
}

/**
 * The tick's hand-on: SendMessageBatch to the wake-up queue, each wake-up delayed until it falls due.
 * Entries SQS refuses are sent again (twice); any still refused are written back to the timer store, in
 * the current minute, so the next tick hands them on, and the batch fails. No wake-up is lost.
 */
export class WakeUpQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly timers: Pick<TimerStore, "scheduleWakeUp">,
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
    for (const { wakeUp } of pending) await this.timers.scheduleWakeUp(wakeUp);
    throw new SendError(`${pending.length} wake-ups not queued; written back to the timer store for the next tick`, {
      cause: lastError,
    });
  }
}
