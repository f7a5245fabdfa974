/**
 * The deliver function: message requests (the `message.sent` effects the engine carried out, through the
 * delivery queue) out to their channel. For now every message goes to the log channel, which records
 * that it would go out, by ids; real channels (push, SMS, email) replace it in a later release.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { deliverEnvironment, type Environment, parseConfig } from "./config.ts";
import { decodeMessageRecord, type MessageRequest } from "./message-records.ts";
import { FUNCTION_METRICS } from "./metric-names.ts";
import { createLogger, createMetrics, settleBatch } from "./observability.ts";

export interface MessageChannel {
  send(message: MessageRequest): Promise<void>;
}

/**
 * The outbox as a log: one line per message request, with its ids and what it is, never its text nor
 * the user's address. At-least-once: a redelivered request logs its (same) message id again.
 */
export class LogChannel implements MessageChannel {
  constructor(private readonly logger: ReturnType<typeof createLogger>) {}

  async send(message: MessageRequest): Promise<void> {
    const { id, journey, version, run, user, channel, template, category, locale, text } = message;
    this.logger.info("message out (log channel)", {
      messageId: id,
      ...{ journey, version, run, user, channel, template, category, locale },
      characters: text.length,
    });
  }
}

export interface DeliverDependencies {
  channel: MessageChannel;
  logger: ReturnType<typeof createLogger>;
  metrics: ReturnType<typeof createMetrics>;
  maxMessageBytes: number;
}

export function createDeliverHandler(deps: DeliverDependencies) {
  const { channel, logger, metrics, maxMessageBytes } = deps;
  const process = (record: SQSRecord) => channel.send(decodeMessageRecord(record, maxMessageBytes));
  return middy(async (event: SQSEvent) => {
    const response = await settleBatch(event.Records, process, logger, metrics);
    metrics.addMetric(
      FUNCTION_METRICS.messagesDelivered,
      MetricUnit.Count,
      event.Records.length - response.batchItemFailures.length,
    );
    return response;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

export function deliverDependencies(env: Environment): DeliverDependencies {
  const config = parseConfig(deliverEnvironment, env, "deliver");
  const logger = createLogger();
  return {
    channel: new LogChannel(logger),
    logger,
    metrics: createMetrics(),
    maxMessageBytes: config.MAX_MESSAGE_BYTES,
  };
}
