/**
 * The inbox API function, behind a Lambda function URL (lib/inbox.ts): the shop's site calls it from the
 * browser. The logic is channels/inbox-api.ts; this is the glue: the function URL's request and response
 * (payload format 2.0, https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads) and
 * PutEvents of the `inbox.message_*` events to the platform bus, whose journey rules route them to ingest
 * like any event.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import middy from "@middy/core";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import {
  handleInboxRequest,
  INBOX_SOURCE,
  type InboxActionDetail,
  type InboxApiDependencies,
} from "../channels/inbox-api.ts";
import { RateLimiter } from "../channels/rate-limit.ts";
import { secretSource } from "../channels/secret.ts";
import { DynamoDbInbox } from "../store/dynamodb/inbox.ts";
import { createDocumentClient } from "../store/dynamodb/table.ts";
import { type Environment, inboxApiEnvironment, parseConfig, secretSetting } from "./config.ts";
import { SendError } from "./errors.ts";
import { createLogger } from "./observability.ts";

export interface InboxHandlerDependencies extends InboxApiDependencies {
  logger: ReturnType<typeof createLogger>;
}

export function createInboxApiHandler(deps: InboxHandlerDependencies) {
  const { logger } = deps;
  return middy(async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    try {
      const response = await handleInboxRequest(
        {
          method: event.requestContext.http.method,
          path: event.rawPath,
          query: event.queryStringParameters ?? {},
          headers,
        },
        deps,
      );
      if (response.status === 401 || response.status === 403)
        logger.info("inbox request refused", { status: response.status });
      return { statusCode: response.status, headers: response.headers, body: response.body };
    } catch (error) {
      logger.error("inbox request failed", { error });
      return {
        statusCode: 503,
        headers: { "content-type": "application/json; charset=utf-8", "retry-after": "30" },
        body: JSON.stringify({ error: "try again shortly" }),
      };
    }
  }).use(injectLambdaContext(logger));
}

/** PutEvents of one `inbox.message_*` event; throws when the bus did not take it. */
export function inboxBusPublisher(
  client: Pick<EventBridgeClient, "send">,
  busName: string,
  clock: () => number = Date.now,
): InboxApiDependencies["publish"] {
  return async (detailType: string, detail: InboxActionDetail) => {
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: INBOX_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
            Time: new Date(clock()),
          },
        ],
      }),
    );
    if ((output.FailedEntryCount ?? 0) > 0) {
      const [entry] = output.Entries ?? [];
      throw new SendError(`${detailType} not published: ${entry?.ErrorCode ?? "?"} ${entry?.ErrorMessage ?? ""}`);
    }
  };
}

export function inboxApiDependencies(
  env: Environment,
  overrides: {
    eventBridge?: EventBridgeClient;
    secretsManager?: SecretsManagerClient;
    dynamodb?: DynamoDBDocumentClient;
    clock?: () => number;
  } = {},
): InboxHandlerDependencies {
  const config = parseConfig(inboxApiEnvironment, env, "inbox-api");
  const secret = secretSetting(config, "INBOX_SECRET_ARN", "NUDGE_INBOX_SECRET", "inbox-api");
  const clock = overrides.clock ?? Date.now;
  const client =
    overrides.dynamodb ??
    createDocumentClient(config.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: config.DYNAMODB_ENDPOINT });
  return {
    store: new DynamoDbInbox(client, { tableName: config.TABLE_NAME }),
    secret: secretSource(secret, () => overrides.secretsManager ?? new SecretsManagerClient({})),
    publish: inboxBusPublisher(overrides.eventBridge ?? new EventBridgeClient({}), config.EVENT_BUS_NAME, clock),
    origins: config.INBOX_ORIGINS.split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ""),
    limiter: new RateLimiter({ perMinute: config.INBOX_RATE_PER_MINUTE, burst: config.INBOX_RATE_BURST, clock }),
    clock,
    logger: createLogger(),
  };
}
