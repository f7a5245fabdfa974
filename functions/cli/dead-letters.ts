/**
 * The dead letters of a deployed stack, for `nudge status --table`: every SQS queue of the stack whose name
 * says it is a dead-letter queue (CDK names queues `<stack>-<construct path>-<hash>`), and how many messages
 * each holds. Two SQS requests and one per queue; the operator needs sqs:ListQueues and sqs:GetQueueAttributes.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html
 */
import { GetQueueAttributesCommand, ListQueuesCommand, type SQSClient } from "@aws-sdk/client-sqs";

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

export async function deadLetterCounts(sqs: SQSClient, stackName: string): Promise<DeadLetterQueueCount[]> {
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: stackName, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }),
    );
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  const deadLetterUrls = urls.filter((url) => /DeadLetter/i.test(url.slice(url.lastIndexOf("/") + 1)));
  return Promise.all(
    deadLetterUrls.map(async (url) => {
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
      );
      const name = url.slice(url.lastIndexOf("/") + 1).slice(stackName.length + 1);
      return { name, url, messages: Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) };
    }),
  );
}
