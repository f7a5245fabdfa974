/**
 * What Lambda's SQS event source mapping does, for a local queue: receive up to 10 messages, call the
 * handler with them as an SQSEvent, delete the ones it did not report as failed (partial batch
 * responses), and leave the failed ones to come back after the visibility timeout. A handler that throws
 * fails the whole batch, as on AWS.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { LocalQueue, QueuedMessage } from "./local-queue.ts";

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

/** A Lambda context for the local functions: a minute left, always (the tick stops 10 s before). */
export const localContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: "nudge-local",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:nudge-local",
  memoryLimitInMB: "1024",
  awsRequestId: "local",
  logGroupName: "/nudge/local",
  logStreamName: "local",
  getRemainingTimeInMillis: () => 70_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** The ARN a local queue goes by in its records (`eventSourceARN`), as an SQS queue's. */
export const localQueueArn = (name: string) => `arn:aws:sqs:local:000000000000:${name}`;

/** A local message as Lambda hands an SQS record to a function. */
export function recordOf(message: QueuedMessage, queue: LocalQueue): SQSRecord {
  const attributes = Object.fromEntries(
    Object.entries(message.attributes).map(([name, value]) => [
      name,
      { dataType: value.DataType, ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }) },
    ]),
  );
  return {
    messageId: message.id,
    receiptHandle: `${message.id}#${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: "local",
      ApproximateFirstReceiveTimestamp: String(message.sentAt),
    },
    messageAttributes: attributes,
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: localQueueArn(queue.name),
    awsRegion: "local",
  };
}

export interface PumpCounters {
  processed: number;
  failed: number;
}

/** Feeds `queue` to `handler` until `running()` is false; resolves when the batch in hand is settled. */
export async function pump(
  queue: LocalQueue,
  handler: BatchHandler,
  running: () => boolean,
  counters: PumpCounters,
  pollMs = 25,
): Promise<void> {
  while (running()) {
    const messages = queue.receive(10);
    if (messages.length === 0) {
      await queue.waitForMessages(pollMs);
      continue;
    }
    let failed: Set<string>;
    // Hidden while the function runs, as on AWS, where the queue's visibility timeout is longer than the
    // function's: a campaign's batch (10 wake-ups of 100 members) may run longer than the local timeout, and
    // another pump would take it again meanwhile.
    const heartbeat = setInterval(() => queue.keepHidden(messages), queue.visibilityTimeoutMs / 2);
    try {
      const response = await handler({ Records: messages.map((m) => recordOf(m, queue)) }, localContext);
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      failed = new Set(messages.map((message) => message.id));
    } finally {
      clearInterval(heartbeat);
    }
    queue.delete(messages.filter((message) => !failed.has(message.id)).map((message) => message.id));
    counters.processed += messages.length - failed.size;
    counters.failed += failed.size;
  }
}
