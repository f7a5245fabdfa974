/**
 * The inbox channel's deliver function: the deliver handler (deliver.ts) with the inbox channel, which keeps
 * each message in the table for the shop's site to fetch (channels/inbox.ts). A function of its own
 * (lambda/deliver-inbox.ts), as email's, so that the webhook channels' bundle carries no DynamoDB client.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { InboxChannel } from "../channels/inbox.ts";
import { DynamoDbInbox } from "../store/dynamodb/inbox.ts";
import { createDocumentClient } from "../store/dynamodb/table.ts";
import { type Environment, inboxDeliverEnvironment, parseConfig } from "./config.ts";
import { channelDependencies, type DeliverDependencies, type DeliverOverrides, once } from "./deliver.ts";

export function inboxDeliverDependencies(
  env: Environment,
  overrides: DeliverOverrides & { dynamodb?: DynamoDBDocumentClient } = {},
): DeliverDependencies {
  const config = parseConfig(inboxDeliverEnvironment, env, "deliver-inbox");
  const sqs = once(() => overrides.sqs ?? new SQSClient({}));
  const client =
    overrides.dynamodb ??
    createDocumentClient(config.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: config.DYNAMODB_ENDPOINT });
  return channelDependencies({
    channel: new InboxChannel(new DynamoDbInbox(client, { tableName: config.TABLE_NAME })),
    config,
    sqs,
  });
}
