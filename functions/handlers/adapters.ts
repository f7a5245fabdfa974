/**
 * The runtime's ports on AWS: message requests go to the delivery queue, events the journeys emit go to
 * the event bus. Each send relies on the SDK client's own retries (standard mode); a send that still
 * fails throws, so that the record is retried.
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput } from "@aws-sdk/client-eventbridge";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { ShopEvent } from "../../events/catalog.ts";
import type { JourneyEffect } from "../engine/model.ts";
import type { EffectSink, EventPublisher } from "../engine/runtime.ts";
import { SendError } from "./errors.ts";
import type { JourneyCounters } from "./observability.ts";
import { ENGINE_EVENT_ID } from "./wire.ts";

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

/**
 * Puts the events the journeys emit (issued coupons, emit steps) on the bus, where rules route them.
 * EventBridge gives every PutEvents entry an id of its own, and the runtime may publish a decision's
 * events again (a record's outbox is offered again at its next touch): the engine's deterministic id
 * travels in the detail (ENGINE_EVENT_ID) and the ingest function restores it, so the journeys see one
 * event, however often it was put on the bus.
 */
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
      Detail: JSON.stringify({ ...event.detail, [ENGINE_EVENT_ID]: event.id }),
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
