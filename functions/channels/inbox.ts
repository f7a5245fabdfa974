/**
 * The inbox channel: a message is not sent anywhere, it is kept for the user (InboxStore) until the shop's
 * site asks for the messages of a placement (inbox-api.ts). It goes through its own delivery queue and
 * deliver function like every channel, so that a failed write is retried and a message that cannot be kept
 * goes to the channel's dead-letter queue with the reason. A redelivery keeps nothing twice.
 */
import type { InboxMessage, InboxStore } from "../runtime/ports.ts";
import type { MessageChannel, MessageRequest, SendResult } from "./channel.ts";
import { PermanentDeliveryError } from "./errors.ts";

/** The message request as the inbox keeps it; undefined when it has no placement (not an inbox send step's). */
export function inboxMessageOf(message: MessageRequest): InboxMessage | undefined {
  const { inbox } = message;
  if (inbox === undefined) return undefined;
  return {
    id: message.id,
    userId: message.user,
    journeyId: message.journey,
    journeyVersion: message.version,
    template: message.template,
    locale: message.locale,
    ...(message.title === undefined ? {} : { title: message.title }),
    text: message.text,
    placement: inbox.placement,
    priority: inbox.priority,
    sentAt: message.at,
    expiresAt: inbox.expiresAt,
    ...(inbox.couponId === undefined ? {} : { couponId: inbox.couponId }),
  };
}

/** The dead letter's `nudge-code` of a message the inbox cannot keep: it names no placement. */
export const NO_PLACEMENT = "NoInboxPlacement";

export class InboxChannel implements MessageChannel {
  constructor(private readonly store: InboxStore) {}

  async send(message: MessageRequest): Promise<SendResult> {
    const kept = inboxMessageOf(message);
    if (kept === undefined) {
      throw new PermanentDeliveryError(
        `message ${message.id} (${message.channel}): no inbox placement: only a send step with "inbox" options sends on the inbox channel`,
        { code: NO_PLACEMENT },
      );
    }
    return (await this.store.putInboxMessage(kept)) ? undefined : { skipped: "already-sent" };
  }
}
