/**
 * The deliver function's two uses of its channel's queues, besides consuming them:
 *
 * - **Dead letters at once.** A message the provider refused for good (a webhook's 4xx, SES rejecting it)
 *   is sent by the function itself to the channel's dead-letter queue, as it came (the same body), with
 *   message attributes saying why: `nudge-failure` (`refused`), `nudge-status` (the HTTP status),
 *   `nudge-code` (the provider's error code), `nudge-response` (the start of the provider's answer) and
 *   `nudge-message-id`; the record is then reported done, so SQS does not deliver it again. Waiting for the
 *   queue's maxReceiveCount instead would send a refused message four more times and lose the response.
 * - **Backoff.** A retryable failure (5xx, 429, throttling, timeouts) fails the record; before that, its
 *   visibility timeout is set with ChangeMessageVisibility to BACKOFF_SECONDS × 2^(receives − 1), at most
 *   15 minutes, so a provider in trouble is retried after 30 s, 1, 2, 4 minutes rather than hammered, and
 *   after the queue's maxReceiveCount (5) the message moves to the dead-letter queue by the redrive
 *   policy. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 *   A backoff call that fails leaves the queue's own visibility timeout as the backoff.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import type { PermanentDeliveryError } from "../channels/errors.ts";
import { SendError } from "./errors.ts";

/** SQS's longest visibility timeout we back off to (it allows 12 hours; a retry within 15 minutes is useful). */
const MAX_BACKOFF_SECONDS = 900;

export const FAILURE_ATTRIBUTES = {
  failure: "nudge-failure",
  status: "nudge-status",
  code: "nudge-code",
  response: "nudge-response",
  messageId: "nudge-message-id",
  /** Why a record that can never be processed was rejected (rejected-records.ts). */
  reason: "nudge-reason",
  /** The ARN of the queue a rejected record came from. */
  source: "nudge-source",
} as const;

const text = (value: string) => ({ DataType: "String", StringValue: value });

export class DeadLetterQueue {
  constructor(
    private readonly sqs: Pick<SQSClient, "send">,
    private readonly queueUrl: string,
  ) {}

  /** Sends the record's body with the refusal; throws (the record is retried) if SQS does not take it. */
  async send(record: SQSRecord, messageId: string, error: PermanentDeliveryError): Promise<void> {
    const { status, code, response } = error.refusal;
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: record.body,
          MessageAttributes: {
            [FAILURE_ATTRIBUTES.failure]: text("refused"),
            [FAILURE_ATTRIBUTES.messageId]: text(messageId),
            ...(status === undefined
              ? {}
              : { [FAILURE_ATTRIBUTES.status]: { DataType: "Number", StringValue: String(status) } }),
            ...(code === undefined ? {} : { [FAILURE_ATTRIBUTES.code]: text(code) }),
            // An empty string attribute is refused by SQS.
            ...(response === undefined || response === "" ? {} : { [FAILURE_ATTRIBUTES.response]: text(response) }),
          },
        }),
      );
    } catch (cause) {
      throw new SendError(`message ${messageId}: not sent to the dead-letter queue`, { cause });
    }
  }
}

/** The delay before the next receive of a record received `receiveCount` times. */
export function backoffSeconds(baseSeconds: number, receiveCount: number): number {
  const exponent = Math.max(0, Math.min(receiveCount - 1, 16));
  return Math.min(MAX_BACKOFF_SECONDS, baseSeconds * 2 ** exponent);
}

export class Backoff {
  constructor(
    private readonly sqs: Pick<SQSClient, "send">,
    private readonly queueUrl: string,
    private readonly baseSeconds: number,
  ) {}

  /** Hides the record for its backoff; resolves with the seconds set. */
  async delay(record: SQSRecord): Promise<number> {
    const seconds = backoffSeconds(this.baseSeconds, Number(record.attributes.ApproximateReceiveCount) || 1);
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
    return seconds;
  }
}
