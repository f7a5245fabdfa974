/**
 * What a delivery channel is to the deliver function: something that sends one message request. It
 * resolves when the message went out, or with `skipped` when it must not go out and retrying would not
 * change that (no address, consent withdrawn since the decision); it throws a RetryableDeliveryError or a
 * PermanentDeliveryError (errors.ts) when the provider did not take it.
 */

import type { JourneyEffect } from "../engine/model.ts";

/** A `message.sent` effect as the deliver function reads it; `title` is optional (messages that have one). */
export type MessageRequest = Extract<JourneyEffect, { type: "message.sent" }> & { title?: string | undefined };

/** Why a message was not sent, on purpose: logged and counted (metric MessagesSkipped), never retried. */
export type SkipReason = "no-address" | "unsubscribed" | "already-sent";

export type SendResult = undefined | { skipped: SkipReason };

export interface MessageChannel {
  send(message: MessageRequest): Promise<SendResult>;
}
