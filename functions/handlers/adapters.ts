/**
 * The runtime's ports on AWS: message requests go to their channel's delivery queue, events the journeys
 * emit go to the ingest queue. Each send relies on the SDK client's own retries (standard mode); a send that still
 * fails throws, so that the record is retried.
 */
import { SendMessageBatchCommand, type SendMessageBatchCommandOutput, type SQSClient } from "@aws-sdk/client-sqs";
import type { ShopEvent } from "../../events/catalog.ts";
import type { JourneyEffect } from "../engine/model.ts";

type MessageEffect = Extract<JourneyEffect, { type: "message.sent" }>;

import type { EffectSink, EventPublisher } from "../runtime/journey-runtime.ts";
import { SendError, UnroutableMessageError } from "./errors.ts";
import { type LaneContext, type LaneQueueUrls, laneOf } from "./lanes.ts";

/** The platform's delivery queues by lane and channel, and what decides a message's lane (lanes.ts). */
export interface DeliveryLanes {
  urls: LaneQueueUrls;
  /** Whether a journey is a campaign (a schedule trigger): its messages take the campaigns' lane. */
  isCampaign?: ((journeyId: string) => boolean) | undefined;
}

/**
 * Sends a decision's message requests to their channels' delivery queues (a queue per channel and lane,
 * each with its own rate limit: a campaign's messages to the channel's campaigns' lane, a service message to
 * its transactional lane, when the channel has them; lanes.ts) in SendMessageBatch requests of 10. A send that
 * fails throws: the runtime puts the outbox back and the retried record sends it all again (the deliver side
 * sees the same effect ids).
 *
 * A message for a channel with no queue is an UnroutableMessageError naming the channel, thrown before
 * anything of the decision is sent: its record fails alone (the rest of the batch goes on), nothing of it
 * goes out twice, and once the channel has a queue a redrive of the record sends it all.
 */
export class QueueSink implements EffectSink {
  private readonly queueUrls: Readonly<Record<string, string>>;
  private readonly context: LaneContext;

  constructor(
    private readonly sqs: SQSClient,
    private readonly lanes: DeliveryLanes,
  ) {
    this.queueUrls = lanes.urls.journeys;
    this.context = { isCampaign: lanes.isCampaign ?? (() => false) };
  }

  /** The queue a message goes to, and its name for errors. */
  private queueOf(effect: MessageEffect): { url: string; where: string } {
    const lane = laneOf(effect, this.lanes.urls, this.context);
    const where =
      lane === "journeys"
        ? `the ${effect.channel} delivery queue`
        : `the ${effect.channel} ${lane} lane's delivery queue`;
    return { url: this.lanes.urls[lane]?.[effect.channel] ?? "", where };
  }

  deliver(effect: JourneyEffect): Promise<void> {
    return this.deliverAll([effect]);
  }

  async deliverAll(effects: readonly JourneyEffect[]): Promise<void> {
    const messages = effects.filter((effect): effect is MessageEffect => effect.type === "message.sent");
    const unroutable = messages.filter((message) => !Object.hasOwn(this.queueUrls, message.channel));
    if (unroutable.length > 0) {
      const channels = [...new Set(unroutable.map((message) => message.channel))];
      throw new UnroutableMessageError(
        `messages ${unroutable.map((message) => message.id).join(", ")}: no delivery queue for channel ${channels.map((c) => JSON.stringify(c)).join(", ")} (DELIVERY_QUEUE_URLS has ${Object.keys(this.queueUrls).join(", ")})`,
      );
    }
    const byQueue = new Map<string, { where: string; items: MessageEffect[] }>();
    for (const message of messages) {
      const { url, where } = this.queueOf(message);
      const lane = byQueue.get(url) ?? { where, items: [] };
      lane.items.push(message);
      byQueue.set(url, lane);
    }
    for (const [queueUrl, { where, items }] of byQueue) {
      await sendInBatches(this.sqs, { queueUrl, items, what: "messages", where });
    }
  }
}

/**
 * Sends the events the journeys emit (issued coupons, emit steps) straight to the ingest queue, where the
 * journeys that listen to them pick them up, with the engine's own id: one SendMessageBatch per decision
 * (up to 10 events a request). Not through the bus: that would add EventBridge's $1.00 per million events
 * and a rule's send for events only Nudge reads (see docs/cost-model.md).
 */
export class IngestQueuePublisher implements EventPublisher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    /** Only the events a platform rule takes (functions/journey/rules.ts, platformRoute); absent: all. */
    private readonly routed?: (event: ShopEvent) => boolean,
  ) {}

  publish(event: ShopEvent): Promise<void> {
    return this.publishAll([event]);
  }

  publishAll(events: readonly ShopEvent[]): Promise<void> {
    const routed = this.routed;
    return sendInBatches(this.sqs, {
      queueUrl: this.queueUrl,
      items: routed === undefined ? events : events.filter(routed),
      what: "events",
      where: "the ingest queue",
    });
  }
}

/**
 * Sends each item as a message body with SendMessageBatch, 10 a request, relying on the client's retries;
 * throws a SendError naming the ids not sent, or refused entry by entry.
 */
/** Items for one queue, sent 10 a request; `what` and `where` name them in an error. */
interface Batches {
  queueUrl: string;
  items: readonly { id: string }[];
  what: string;
  where: string;
}

async function sendInBatches(sqs: SQSClient, batches: Batches): Promise<void> {
  const { queueUrl, items, what, where } = batches;
  for (let start = 0; start < items.length; start += 10) {
    const batch = items.slice(start, start + 10);
    const entries = batch.map((item, index) => ({ Id: String(index), MessageBody: JSON.stringify(item) }));
    let output: SendMessageBatchCommandOutput;
    try {
      output = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    } catch (error) {
      throw new SendError(`${what} ${batch.map((item) => item.id).join(", ")}: not sent to ${where}`, { cause: error });
    }
    const failed = output.Failed ?? [];
    if (failed.length > 0) {
      const ids = failed.map((entry) => batch[Number(entry.Id)]?.id ?? entry.Id);
      throw new SendError(`${what} ${ids.join(", ")}: refused by ${where}: ${failed[0]?.Code ?? "?"}`);
    }
  }
}
