/**
 * The dead letters of a deployed stack: every SQS queue of the stack whose name says it is a dead-letter
 * queue (CDK names queues `<stack>-<construct path>-<hash>`). For `nudge status --table`, how many messages
 * each holds (sqs:ListQueues, sqs:GetQueueAttributes); for `nudge dead-letters`, the messages themselves
 * (sqs:ReceiveMessage: they are hidden for LIST_VISIBILITY_SECONDS, not deleted) and their redrive
 * (sqs:StartMessageMoveTask, sqs:ListDeadLetterSourceQueues).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 */
import {
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import type { DeadLetter } from "../local/dead-letter-view.ts";

export interface DeadLetterQueueCount {
  /** The queue's name, without the stack's prefix. */
  name: string;
  url: string;
  /** ApproximateNumberOfMessages: visible messages, as SQS counts them (eventually consistent). */
  messages: number;
}

/** The stack a table belongs to, from the table's CDK-generated name (`Nudge-dev-Table…`); undefined if not one. */
export function stackOfTable(tableName: string): string | undefined {
  return /^(.+?)-(?:Table|JourneyTable)[A-Za-z0-9]*-[A-Za-z0-9]+$/.exec(tableName)?.[1];
}

/** A stack's dead-letter queue: its name without the stack's prefix, and its URL. */
export interface StackQueue {
  name: string;
  url: string;
}

/** The stack's dead-letter queues, found by name. */
export async function stackDeadLetterQueues(sqs: Pick<SQSClient, "send">, stackName: string): Promise<StackQueue[]> {
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: stackName, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }),
    );
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return urls
    .filter((url) => /DeadLetter/i.test(url.slice(url.lastIndexOf("/") + 1)))
    .map((url) => ({ name: url.slice(url.lastIndexOf("/") + 1).slice(stackName.length + 1), url }));
}

export async function deadLetterCounts(sqs: SQSClient, stackName: string): Promise<DeadLetterQueueCount[]> {
  const queues = await stackDeadLetterQueues(sqs, stackName);
  return Promise.all(
    queues.map(async ({ name, url }) => {
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
      );
      return { name, url, messages: Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) };
    }),
  );
}

/** How long a listed message stays hidden from other receives (a redrive started meanwhile waits for it). */
export const LIST_VISIBILITY_SECONDS = 30;

function deadLetterOf(message: Message, queue: StackQueue): DeadLetter {
  const system = message.Attributes ?? {};
  const sourceArn = system.DeadLetterQueueSourceArn;
  const sent = Number(system.SentTimestamp);
  return {
    id: message.MessageId ?? "?",
    queue: queue.name,
    ...(sourceArn === undefined ? {} : { source: sourceArn.slice(sourceArn.lastIndexOf(":") + 1) }),
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    body: message.Body ?? "",
    attributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? ""]),
    ),
  };
}

/** Up to `max` messages of a dead-letter queue, received (and so hidden for a while), never deleted. */
export async function receiveDeadLetters(
  sqs: Pick<SQSClient, "send">,
  queue: StackQueue,
  max: number,
): Promise<DeadLetter[]> {
  const seen = new Map<string, DeadLetter>();
  while (seen.size < max) {
    const page = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: Math.min(10, max - seen.size),
        VisibilityTimeout: LIST_VISIBILITY_SECONDS,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["SentTimestamp", "DeadLetterQueueSourceArn", "ApproximateReceiveCount"],
      }),
    );
    const fresh = (page.Messages ?? []).filter((message) => !seen.has(message.MessageId ?? ""));
    if (fresh.length === 0) break;
    for (const message of fresh) seen.set(message.MessageId ?? "", deadLetterOf(message, queue));
  }
  return [...seen.values()];
}

const queueArn = async (sqs: Pick<SQSClient, "send">, url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;

/**
 * Starts moving a dead-letter queue's messages back: to its one source queue (the queue whose redrive
 * policy names it; the functions' own dead letters carry no source of their own), or, with several, each to
 * the queue it came from. Returns the task's handle and where the messages go.
 */
export async function redriveQueue(
  sqs: Pick<SQSClient, "send">,
  queue: StackQueue,
): Promise<{ taskHandle: string | undefined; destination: string }> {
  const sourceArn = await queueArn(sqs, queue.url);
  const sources = (await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: queue.url }))).queueUrls ?? [];
  const [only] = sources;
  const destinationArn = sources.length === 1 && only !== undefined ? await queueArn(sqs, only) : undefined;
  const task = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      ...(destinationArn === undefined ? {} : { DestinationArn: destinationArn }),
    }),
  );
  const destination =
    destinationArn === undefined
      ? "the queues they came from"
      : destinationArn.slice(destinationArn.lastIndexOf(":") + 1);
  return { taskHandle: task.TaskHandle, destination };
}
