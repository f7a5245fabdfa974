/**
 * Records that can never be processed (bad JSON, too large, failing the event catalog or a limit of
 * events/limits.ts: a RejectedRecordError) go to their queue's dead-letter queue at once, with the reason
 * as message attributes, and are reported done: letting SQS deliver them again until maxReceiveCount would
 * retry them for nothing and leave no reason with them. On AWS this is where bad input is caught (the bus
 * cannot refuse an entry for Nudge); locally the endpoint refuses it first, and the same path catches the rest.
 *
 * The message keeps its body and its own attributes (a wake-up's kind), so that a redrive after a fix
 * processes it as it came. Attributes added: `nudge-failure` (`rejected`), `nudge-reason` (the problems,
 * with the record's string values left out: no personal data) and `nudge-source` (the source queue's ARN).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 */
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { FAILURE_ATTRIBUTES } from "./delivery-queue.ts";
import { SendError } from "./errors.ts";
import type { RejectedRecordError } from "./records.ts";

/** A reason longer than this is cut (SQS counts attributes in the message's size). */
const MAX_REASON_CHARACTERS = 2_000;

/**
 * A reason as an attribute value: only the characters SQS allows in one, and not too long.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 */
function attributeText(reason: string): string {
  const allowed = reason.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "?");
  return allowed.length > MAX_REASON_CHARACTERS ? `${allowed.slice(0, MAX_REASON_CHARACTERS - 3)}...` : allowed;
}

const text = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });

/** The record's own message attributes, as SendMessage takes them (Lambda hands them over in lower camel case). */
function ownAttributes(record: SQSRecord): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (value.stringValue !== undefined) out[name] = { DataType: value.dataType, StringValue: value.stringValue };
  }
  return out;
}

export class RejectedRecordDeadLetters {
  constructor(
    private readonly sqs: Pick<SQSClient, "send">,
    /** Dead-letter queue URLs by source queue ARN (DEAD_LETTER_QUEUE_URLS). */
    private readonly urlsBySource: Readonly<Record<string, string>>,
    /** The dead-letter queue of a function that consumes one queue (a deliver function): every record's. */
    private readonly onlyQueue?: string,
  ) {}

  /** For a function that consumes one queue: its dead-letter queue takes every rejected record. */
  static ofOneQueue(sqs: Pick<SQSClient, "send">, deadLetterQueueUrl: string): RejectedRecordDeadLetters {
    return new RejectedRecordDeadLetters(sqs, {}, deadLetterQueueUrl);
  }

  /** Whether a record of this queue can be sent to a dead-letter queue by the function. */
  covers(record: SQSRecord): boolean {
    return this.onlyQueue !== undefined || Object.hasOwn(this.urlsBySource, record.eventSourceARN);
  }

  /** Sends the record there with its reason; throws (the record is retried) if SQS does not take it. */
  async send(record: SQSRecord, error: RejectedRecordError): Promise<void> {
    const queueUrl = this.urlsBySource[record.eventSourceARN] ?? this.onlyQueue;
    const reason = attributeText(error.message);
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: record.body,
          MessageAttributes: {
            ...ownAttributes(record),
            [FAILURE_ATTRIBUTES.failure]: text("rejected"),
            [FAILURE_ATTRIBUTES.reason]: text(reason),
            [FAILURE_ATTRIBUTES.source]: text(record.eventSourceARN),
          },
        }),
      );
    } catch (cause) {
      throw new SendError(`record ${record.messageId}: not sent to the dead-letter queue`, { cause });
    }
  }
}
