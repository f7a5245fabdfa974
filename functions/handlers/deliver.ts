/**
 * The deliver function: message requests (the `message.sent` effects the engine carried out, through
 * their channel's delivery queue) out to the channel's provider. One function per channel (lib/channels.ts):
 * `log` (ids to the log), `webhook` (the shop's push, SMS or WeChat gateway, channels/webhook.ts) or, in
 * deliver-email.ts, email through Amazon SES.
 *
 * Each record is paced (the channel's rate limit, channels/pacer.ts), then sent. What becomes of it:
 * sent, or skipped on purpose (no address, unsubscribed since: logged and counted, done); refused for good
 * by the provider (to the dead-letter queue at once, with the provider's answer, done); or failed for now
 * (backed off, then reported failed for SQS to deliver again). See delivery-queue.ts.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { MessageChannel, MessageRequest, SendResult } from "../channels/channel.ts";
import { PermanentDeliveryError, RetryableDeliveryError } from "../channels/errors.ts";
import { instanceRate, Pacer } from "../channels/pacer.ts";
import { secretSource } from "../channels/secret.ts";
import { WebhookChannel } from "../channels/webhook.ts";
import { ConfigError, deliverEnvironment, type Environment, parseConfig, secretSetting } from "./config.ts";
import { Backoff, DeadLetterQueue } from "./delivery-queue.ts";
import { decodeMessageRecord } from "./message-records.ts";
import { FUNCTION_METRICS } from "./metric-names.ts";
import { createLogger, createMetrics, settleBatch } from "./observability.ts";
import { RejectedRecordDeadLetters } from "./rejected-records.ts";

export type { MessageChannel };

/**
 * The outbox as a log: one line per message request, with its ids and what it is, never its text nor
 * the user's address. At-least-once: a redelivered request logs its (same) message id again.
 */
export class LogChannel implements MessageChannel {
  constructor(private readonly logger: ReturnType<typeof createLogger>) {}

  async send(message: MessageRequest): Promise<undefined> {
    const { id, journey, version, run, user, channel, template, category, locale, text } = message;
    this.logger.info("message out (log channel)", {
      messageId: id,
      ...{ journey, version, run, user, channel, template, category, locale },
      characters: text.length,
    });
    return undefined;
  }
}

export interface DeliverDependencies {
  channel: MessageChannel;
  logger: ReturnType<typeof createLogger>;
  metrics: ReturnType<typeof createMetrics>;
  maxMessageBytes: number;
  /** The channel's rate limit, this instance's share; none: unpaced. */
  pacer?: Pacer | undefined;
  /** Where a refused message goes at once; none: it is retried until the queue's redrive moves it. */
  deadLetters?: DeadLetterQueue | undefined;
  /** Backs a failed record off on its queue; none: the queue's visibility timeout is the backoff. */
  backoff?: Backoff | undefined;
  /** Where a request that can never be read (malformed, too large) goes at once, with its reason. */
  rejected?: RejectedRecordDeadLetters | undefined;
}

export function createDeliverHandler(deps: DeliverDependencies) {
  const { channel, logger, metrics, maxMessageBytes, pacer, deadLetters, backoff, rejected } = deps;
  return middy(async (event: SQSEvent) => {
    const outcomes = { delivered: 0, skipped: 0, refused: 0 };
    const skippedBy = new Map<string, number>();
    const process = async (record: SQSRecord) => {
      const message = decodeMessageRecord(record, maxMessageBytes);
      const ids = {
        messageId: message.id,
        sqsMessageId: record.messageId,
        user: message.user,
        channel: message.channel,
      };
      await pacer?.take();
      let result: SendResult;
      try {
        result = await channel.send(message);
      } catch (error) {
        if (error instanceof PermanentDeliveryError && deadLetters !== undefined) {
          await deadLetters.send(record, message.id, error);
          outcomes.refused += 1;
          const { status, code } = error.refusal;
          logger.warn("message refused by the provider: sent to the dead-letter queue, not retried", {
            ...ids,
            status,
            code,
          });
          return;
        }
        if (error instanceof RetryableDeliveryError && backoff !== undefined) {
          const seconds = await backoff.delay(record).catch((cause: unknown) => {
            logger.warn("backoff not set: the queue's visibility timeout applies", { ...ids, error: String(cause) });
            return undefined;
          });
          if (seconds !== undefined) logger.info("message backed off", { ...ids, seconds });
        }
        throw error;
      }
      if (result?.skipped !== undefined) {
        outcomes.skipped += 1;
        logger.info("message not sent", { ...ids, reason: result.skipped });
        skippedBy.set(result.skipped, (skippedBy.get(result.skipped) ?? 0) + 1);
        return;
      }
      outcomes.delivered += 1;
    };
    const response = await settleBatch(event.Records, process, logger, metrics, { deadLetters: rejected });
    metrics.addMetric(FUNCTION_METRICS.messagesDelivered, MetricUnit.Count, outcomes.delivered);
    metrics.addMetric(FUNCTION_METRICS.messagesSkipped, MetricUnit.Count, outcomes.skipped);
    metrics.addMetric(FUNCTION_METRICS.messagesRefused, MetricUnit.Count, outcomes.refused);
    for (const [reason, count] of skippedBy) {
      metrics.addMetric(`${FUNCTION_METRICS.messagesSkipped}.${reason}`, MetricUnit.Count, count);
    }
    return response;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

/** The clients the deliver functions use; tests replace them. */
export interface DeliverOverrides {
  sqs?: SQSClient;
  secretsManager?: SecretsManagerClient;
  fetch?: typeof fetch;
  clock?: () => number;
}

/** The pacer, dead-letter queue and backoff of a deliver function, from its configuration. */
/**
 * A deliver function's dependencies around its channel: the logger and metrics, the size a request may have,
 * and the delivery controls (pacing, dead letters, backoff) from its configuration.
 */
export function channelDependencies(args: {
  channel: MessageChannel;
  config: Parameters<typeof deliveryControls>[0] & { MAX_MESSAGE_BYTES: number };
  sqs: () => SQSClient;
  logger?: ReturnType<typeof createLogger>;
}): DeliverDependencies {
  return {
    channel: args.channel,
    logger: args.logger ?? createLogger(),
    metrics: createMetrics(),
    maxMessageBytes: args.config.MAX_MESSAGE_BYTES,
    ...deliveryControls(args.config, args.sqs),
  };
}

export function deliveryControls(
  config: {
    RATE_PER_SECOND: number;
    MAX_CONCURRENCY: number;
    QUEUE_URL?: string | undefined;
    DEAD_LETTER_QUEUE_URL?: string | undefined;
    BACKOFF_SECONDS: number;
  },
  sqs: () => SQSClient,
): Pick<DeliverDependencies, "pacer" | "deadLetters" | "backoff" | "rejected"> {
  return {
    rejected:
      config.DEAD_LETTER_QUEUE_URL === undefined
        ? undefined
        : RejectedRecordDeadLetters.ofOneQueue(sqs(), config.DEAD_LETTER_QUEUE_URL),
    pacer:
      config.RATE_PER_SECOND > 0 ? new Pacer(instanceRate(config.RATE_PER_SECOND, config.MAX_CONCURRENCY)) : undefined,
    deadLetters:
      config.DEAD_LETTER_QUEUE_URL === undefined ? undefined : new DeadLetterQueue(sqs(), config.DEAD_LETTER_QUEUE_URL),
    backoff:
      config.QUEUE_URL === undefined || config.BACKOFF_SECONDS === 0
        ? undefined
        : new Backoff(sqs(), config.QUEUE_URL, config.BACKOFF_SECONDS),
  };
}

/** Builds a client once, when first asked for. */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

export function deliverDependencies(env: Environment, overrides: DeliverOverrides = {}): DeliverDependencies {
  const config = parseConfig(deliverEnvironment, env, "deliver");
  const logger = createLogger();
  const sqs = once(() => overrides.sqs ?? new SQSClient({}));
  let channel: MessageChannel;
  if (config.CHANNEL_KIND === "webhook") {
    if (config.WEBHOOK_URL === undefined) {
      throw new ConfigError("deliver: bad configuration: WEBHOOK_URL: required for CHANNEL_KIND webhook");
    }
    const secret = secretSetting(config, "WEBHOOK_SECRET_ARN", "NUDGE_WEBHOOK_SECRET", "deliver");
    channel = new WebhookChannel({
      url: config.WEBHOOK_URL,
      secret: secretSource(secret, () => overrides.secretsManager ?? new SecretsManagerClient({})),
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      ...(overrides.fetch === undefined ? {} : { fetch: overrides.fetch }),
      ...(overrides.clock === undefined ? {} : { clock: overrides.clock }),
    });
  } else channel = new LogChannel(logger);
  return channelDependencies({ channel, config, sqs, logger });
}
