/**
 * The handlers' own SQSClient, served by the local queues: a middleware at the front of the client's
 * stack answers SendMessage, SendMessageBatch and ChangeMessageVisibility (the deliver function's backoff)
 * from the LocalQueue the QueueUrl names, so the handlers
 * run unchanged (the same adapters, the same batching and error handling as in Lambda) without HTTP,
 * signing or a network hop in between.
 */
import {
  type ChangeMessageVisibilityCommandInput,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  type SendMessageCommandInput,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { NudgeError } from "../shared/errors.ts";
import type { LocalQueue, MessageAttributes } from "./local-queue.ts";

/** A request the local queues do not serve (only the sends the handlers make). */
export class LocalQueueError extends NudgeError {}

/** The URL a local queue goes by in the handlers' configuration. */
export const localQueueUrl = (name: string) => `http://127.0.0.1/local-queues/${name}`;

type Entry = Pick<SendMessageCommandInput, "MessageBody" | "DelaySeconds" | "MessageAttributes">;

function toLocal(entry: Entry) {
  return {
    body: entry.MessageBody ?? "",
    attributes: (entry.MessageAttributes ?? {}) as MessageAttributes,
    delaySeconds: entry.DelaySeconds ?? 0,
  };
}

export function localSqsClient(queues: readonly LocalQueue[]): SQSClient {
  const byUrl = new Map(queues.map((queue) => [localQueueUrl(queue.name), queue]));
  const client = new SQSClient({ region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  const queueOf = (url: string | undefined) => {
    const queue = byUrl.get(url ?? "");
    if (queue === undefined) throw new LocalQueueError(`no local queue at ${url}`);
    return queue;
  };
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const metadata = { $metadata: { httpStatusCode: 200 } };
      if (context.commandName === "SendMessageBatchCommand") {
        const input = args.input as SendMessageBatchCommandInput;
        const entries = input.Entries ?? [];
        const ids = queueOf(input.QueueUrl).send(entries.map(toLocal));
        const output: SendMessageBatchCommandOutput = {
          ...metadata,
          Successful: entries.map((entry, index) => ({ Id: entry.Id, MessageId: ids[index], MD5OfMessageBody: "" })),
          Failed: [],
        };
        return { output, response: {} } as never;
      }
      if (context.commandName === "SendMessageCommand") {
        const input = args.input as SendMessageCommandInput;
        const [id] = queueOf(input.QueueUrl).send([toLocal(input)]);
        return { output: { ...metadata, MessageId: id }, response: {} } as never;
      }
      if (context.commandName === "ChangeMessageVisibilityCommand") {
        const input = args.input as ChangeMessageVisibilityCommandInput;
        if (!queueOf(input.QueueUrl).changeVisibility(input.ReceiptHandle ?? "", input.VisibilityTimeout ?? 0)) {
          throw new LocalQueueError(`ChangeMessageVisibility: receipt ${input.ReceiptHandle} is not current`);
        }
        return { output: metadata, response: {} } as never;
      }
      throw new LocalQueueError(`${context.commandName}: not served by the local queues`);
    },
    { step: "initialize", name: "nudgeLocalQueues", priority: "high" },
  );
  return client;
}
