import type { MessageChannel } from "../channels/channel.ts";
import type { WechatCredentials } from "../channels/wechat-token.ts";
import { createDeliverHandler, deliverDependencies } from "../handlers/deliver.ts";
import { SMS_CHANNEL } from "../language/sms-rules.ts";
import type { InboxStore, ProfileReader, SharedValueStore, UserStore } from "../runtime/ports.ts";
import { LOCAL_CHANNELS, LocalEmailChannel, LocalWebhookChannel, LocalWechatChannel } from "./channels.ts";
import { LocalInboxChannel } from "./inbox.ts";
import type { LocalQueue } from "./local-queue.ts";
import { localQueueUrl } from "./local-sqs.ts";
import type { OutboxChannel } from "./outbox.ts";
import type { PlatformQueues } from "./platform-queues.ts";
import type { BatchHandler } from "./pump.ts";
import type { LocalSms } from "./sms.ts";

export interface DeliveryOptions {
  queues: PlatformQueues;
  outbox: OutboxChannel;
  /** Email reads the user's address and consent from the profile; WeChat its openid, and shares its token. */
  profiles: ProfileReader & UserStore & SharedValueStore;
  /** The API the wechat channel sends to (the local stand-in's) and the app's credentials. */
  wechat?: { apiBase: string; credentials: WechatCredentials } | undefined;
  clock: () => number;
  mailPath: string;
  emailFrom?: string | undefined;
  /** Where the webhook channels POST; none: their messages go to the outbox alone. */
  webhookUrl?: string | undefined;
  webhookSecret: string;
  unsubscribeSecret: string;
  /** SMS through Alibaba Cloud SMS (its local stand-in); none: SMS is a webhook channel. */
  sms?: LocalSms | undefined;
  /** Where the inbox channel keeps its messages (the local table). */
  inbox: InboxStore;
}

/** The channel behind a delivery queue; the endpoint's URL (for unsubscribe links) is known once it listens. */
function channelOf(name: string, endpointUrl: string, options: DeliveryOptions): MessageChannel {
  const kind = LOCAL_CHANNELS[name];
  if (name === SMS_CHANNEL && options.sms !== undefined) {
    return options.sms.channel(options.outbox, { profiles: options.profiles, eventBusUrl: endpointUrl });
  }
  if (kind === "email") {
    return new LocalEmailChannel(options.outbox, {
      profiles: options.profiles,
      from: options.emailFrom ?? "Nudge <nudge@localhost>",
      defaultSubject: "News from the shop",
      unsubscribeUrl: `${endpointUrl}/unsubscribe`,
      unsubscribeSecret: options.unsubscribeSecret,
      mboxPath: options.mailPath,
      clock: options.clock,
    });
  }
  if (kind === "wechat-subscribe" && options.wechat !== undefined)
    return new LocalWechatChannel(options.outbox, { ...options.wechat, store: options.profiles, clock: options.clock });
  if (kind === "inbox") return new LocalInboxChannel(options.outbox, options.inbox);
  if (kind === "webhook" && options.webhookUrl !== undefined) {
    return new LocalWebhookChannel(options.outbox, { url: options.webhookUrl, secret: options.webhookSecret });
  }
  return options.outbox;
}

/**
 * A channel's deliver function, as on AWS: refused messages to the dead letters at once, failures backed
 * off on their queue (unpaced locally: the rate limits are the AWS providers').
 */
export function deliverFunction(name: string, queue: LocalQueue, endpointUrl: string, options: DeliveryOptions) {
  const environment = {
    CHANNEL: name,
    QUEUE_URL: localQueueUrl(queue.name),
    DEAD_LETTER_QUEUE_URL: localQueueUrl(options.queues.deadLetter.name),
    BACKOFF_SECONDS: "5",
  };
  return createDeliverHandler({
    ...deliverDependencies(environment, { sqs: options.queues.sqs }),
    channel: channelOf(name, endpointUrl, options),
  }) as BatchHandler;
}
