/**
 * The unsubscribe function, behind a Lambda function URL (lib/channels.ts): the links in messages
 * (`List-Unsubscribe`, RFC 8058 one-click) land here. The logic is channels/unsubscribe.ts; this is the
 * glue: the function URL's request and response (payload format 2.0,
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads) and PutEvents of the
 * `user.unsubscribed` event to the platform bus, whose journey rules route it to ingest like any event.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { type SecretSource, secretSource } from "../channels/secret.ts";
import { handleUnsubscribe, type UnsubscribedDetail } from "../channels/unsubscribe.ts";
import { type Environment, parseConfig, secretSetting, unsubscribeEnvironment } from "./config.ts";
import { SendError } from "./errors.ts";
import { createLogger } from "./observability.ts";

/** The `source` of the events Nudge's unsubscribe endpoint publishes. */
export const UNSUBSCRIBE_SOURCE = "nudge.unsubscribe";

export interface UnsubscribeHandlerDependencies {
  secret: SecretSource;
  publish: (detail: UnsubscribedDetail) => Promise<void>;
  logger: ReturnType<typeof createLogger>;
  clock?: () => number;
}

export function createUnsubscribeHandler(deps: UnsubscribeHandlerDependencies) {
  const { logger } = deps;
  return middy(async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
    const raw = event.body ?? "";
    const body = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
    try {
      const response = await handleUnsubscribe(
        { method: event.requestContext.http.method, token: event.queryStringParameters?.token, body },
        {
          secret: deps.secret,
          publish: async (detail) => {
            await deps.publish(detail);
            logger.info("unsubscribed", { user: detail.userId, channel: detail.channel ?? "*" });
          },
          ...(deps.clock === undefined ? {} : { clock: deps.clock }),
        },
      );
      if (response.status === 400) logger.info("unsubscribe refused", { reason: response.body.trim() });
      return { statusCode: response.status, headers: response.headers, body: response.body };
    } catch (error) {
      logger.error("unsubscribe failed", { error });
      return {
        statusCode: 503,
        headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "60" },
        body: "We could not record that just now. Please try again in a minute.\n",
      };
    }
  }).use(injectLambdaContext(logger));
}

/** PutEvents of one `user.unsubscribed` event; throws when the bus did not take it. */
export function busPublisher(client: Pick<EventBridgeClient, "send">, busName: string, clock: () => number = Date.now) {
  return async (detail: UnsubscribedDetail) => {
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: UNSUBSCRIBE_SOURCE,
            DetailType: "user.unsubscribed",
            Detail: JSON.stringify(detail),
            Time: new Date(clock()),
          },
        ],
      }),
    );
    if ((output.FailedEntryCount ?? 0) > 0) {
      const [entry] = output.Entries ?? [];
      throw new SendError(`user.unsubscribed not published: ${entry?.ErrorCode ?? "?"} ${entry?.ErrorMessage ?? ""}`);
    }
  };
}

export function unsubscribeDependencies(
  env: Environment,
  overrides: { eventBridge?: EventBridgeClient; secretsManager?: SecretsManagerClient; clock?: () => number } = {},
): UnsubscribeHandlerDependencies {
  const config = parseConfig(unsubscribeEnvironment, env, "unsubscribe");
  const secret = secretSetting(config, "UNSUBSCRIBE_SECRET_ARN", "NUDGE_UNSUBSCRIBE_SECRET", "unsubscribe");
  const clock = overrides.clock ?? Date.now;
  return {
    secret: secretSource(secret, () => overrides.secretsManager ?? new SecretsManagerClient({})),
    publish: busPublisher(overrides.eventBridge ?? new EventBridgeClient({}), config.EVENT_BUS_NAME, clock),
    logger: createLogger(),
    clock,
  };
}
