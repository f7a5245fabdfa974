/**
 * At most once to a provider that cannot refuse a repeat (Amazon SES has no idempotency key): a channel
 * wrapped so that a message request the deliver function receives again (SQS delivers at least once, and
 * the ingest function may hand a decision's outbox on twice after a crash) is looked up in a ledger of
 * message ids before it is sent, and recorded there once the provider took it.
 *
 * What remains: a process that dies after the provider took the message and before the ledger write
 * lands (one DynamoDB PutItem, a few milliseconds) sends it again when the request comes back. A
 * provider that refuses repeats by the message id (a webhook receiver keeping `Idempotency-Key`) needs
 * no ledger. https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 */
import type { JourneyEffect } from "../engine/model.ts";
import type { EffectLedger } from "../runtime/ports.ts";
import type { MessageChannel, MessageRequest, SendResult } from "./channel.ts";

/** Why a message was not sent again: the ledger says it was. */
export const ALREADY_SENT = "already-sent";

export class LedgeredChannel implements MessageChannel {
  constructor(
    private readonly channel: MessageChannel,
    private readonly ledger: Pick<EffectLedger, "claimEffect" | "hasEffect">,
  ) {}

  async send(message: MessageRequest): Promise<SendResult> {
    if (await this.ledger.hasEffect(message.id)) return { skipped: ALREADY_SENT };
    const result = await this.channel.send(message);
    // Recorded once taken (or skipped for good): a repeat after this point is dropped above.
    const { text: _text, params: _params, ...entry } = message;
    await this.ledger.claimEffect({ ...entry, text: "" } satisfies JourneyEffect);
    return result;
  }
}
