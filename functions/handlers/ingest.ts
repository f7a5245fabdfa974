/**
 * The ingest function: events from the bus (through the ingest queue) and wake-ups from the tick (through
 * the wake-up queue) into the journey runtime over DynamoDB. Thin glue: configuration and adapters are
 * built once per instance by `ingestDependencies`, the handler decodes each record and calls the runtime.
 * A record that can never be processed goes to its dead-letter queue at once, with its reason
 * (rejected-records.ts).
 */

import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import middy from "@middy/core";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { EventProblem, ShopEvent } from "../../events/catalog.ts";
import { JourneyCatalog } from "../engine/catalog.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import { requestableMessages, requestProblems } from "../journey/requests.ts";
import { platformRoute } from "../journey/rules.ts";
import type { Journey } from "../language/schema.ts";
import type { FanOutSetting } from "../runtime/campaign-fan-out.ts";
import { JourneyRuntime } from "../runtime/journey-runtime.ts";
import { formatInstant } from "../shared/time.ts";
import { IngestQueuePublisher, QueueSink } from "./adapters.ts";
import { type Environment, ingestEnvironment, parseConfig } from "./config.ts";
import { decodeIngestRecord, type RaisedOccurrence } from "./ingest-records.ts";
import { embeddedJourneys, embeddedTraits } from "./journeys.ts";
import { LANES, type LaneQueueUrls, type LaneSpec } from "./lanes.ts";
import { createLogger, createMetrics, JourneyCounters, settleBatch } from "./observability.ts";
import { RejectedRecordError } from "./records.ts";
import { RejectedRecordDeadLetters } from "./rejected-records.ts";
import { platformStore } from "./store.ts";
import { WakeUpQueue } from "./wake-up-queue.ts";

export interface IngestDependencies {
  runtime: Pick<JourneyRuntime, "handleEvent" | "handleWakeUp" | "flush" | "raisedOccurrence">;
  counters: Pick<JourneyCounters, "publish">;
  logger: ReturnType<typeof createLogger>;
  metrics: ReturnType<typeof createMetrics>;
  maxEventBytes: number;
  clock: () => number;
  /** Where rejected records go at once with their reason; none: the queues' redrive, after retries. */
  deadLetters?: RejectedRecordDeadLetters | undefined;
  /** Problems of an event the catalog accepted that the journeys cannot take (journey/requests.ts); none: all taken. */
  checkEvent?: ((event: ShopEvent) => EventProblem[]) | undefined;
}

export function createIngestHandler(deps: IngestDependencies) {
  const { runtime, counters, logger, metrics, maxEventBytes, clock, deadLetters, checkEvent } = deps;
  const process = async (record: SQSRecord) => {
    const input = decodeIngestRecord(record, maxEventBytes);
    if (input.type === "event") {
      // A message.requested for what no journey sends: to the dead letters at once, with what and where.
      const problems = checkEvent?.(input.event) ?? [];
      if (problems.length > 0) throw new RejectedRecordError(input.event.id, problems);
      await runtime.handleEvent(input.event, clock());
    } else if (input.type === "wake-up") await runtime.handleWakeUp(input.wakeUp, clock());
    else await runtime.handleWakeUp(raisedWakeUp(runtime, input), clock());
  };
  return middy(async (event: SQSEvent) => {
    try {
      return await settleBatch(event.Records, process, logger, metrics, { deadLetters });
    } finally {
      // The batch's proof that its outboxes went out (one write), the coupon settlements no charge carried
      // (one write per budget day), and one statistics write per journey and day. A lost proof hands outboxes
      // on again (the channels drop repeats); a lost settlement leaves a marker on the day's budget item,
      // which changes no figure (see PolicyReservations); lost counts undercount, never double.
      await runtime
        .flush()
        .catch((error: unknown) => logger.error("proofs, coupon settlements or statistics not written", { error }));
      counters.publish();
    }
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

/** What the real handler runs on, from its environment; tests replace clients, journeys or the clock. */
export function ingestDependencies(
  env: Environment,
  overrides: {
    journeys?: Journey[];
    /** The computed traits; the bundle's own when not given. */
    traits?: TraitsFile;
    dynamodb?: DynamoDBDocumentClient;
    sqs?: SQSClient;
    clock?: () => number;
  } = {},
): IngestDependencies {
  const config = parseConfig(ingestEnvironment, env, "ingest");
  const clock = overrides.clock ?? Date.now;
  const counters = new JourneyCounters();
  const sqs = overrides.sqs ?? new SQSClient({});
  const store = platformStore(config, overrides.dynamodb, clock);
  const journeys = overrides.journeys ?? embeddedJourneys();
  const traits = overrides.traits ?? embeddedTraits();
  const catalog = new JourneyCatalog(journeys);
  const runtime = new JourneyRuntime({
    catalog,
    store,
    // Paused journeys, read at most once per CONTROL_TTL_SECONDS per instance.
    controls: store,
    controlTtlMs: config.CONTROL_TTL_SECONDS * 1000,
    sink: new QueueSink(sqs, { urls: laneQueueUrls(config), isCampaign: catalog.isCampaign }),
    // What the journeys emit goes back to ingest as the bus would route it: only what a rule takes.
    publisher: new IngestQueuePublisher(sqs, config.INGEST_QUEUE_URL, platformRoute(journeys, traits)),
    // Proofs and statistics are written once per batch (flush below), not after each record.
    flushEveryInputs: Number.POSITIVE_INFINITY,
    // The EMF metrics are the counters written: published after the flush, at the end of the batch.
    onStatsWritten: (written) => counters.add(written),
    ...(config.POLICY_CONFIG === undefined ? {} : { policies: config.POLICY_CONFIG }),
    ...traitsOption(traits),
    campaigns: campaignFanOut(sqs, config),
  });
  const logger = createLogger();
  const requestable = requestableMessages(journeys);
  return {
    runtime,
    counters,
    logger,
    metrics: createMetrics(),
    maxEventBytes: config.MAX_EVENT_BYTES,
    clock,
    checkEvent: (event) => requestProblems(event, requestable),
    deadLetters:
      config.DEAD_LETTER_QUEUE_URLS === undefined
        ? undefined
        : new RejectedRecordDeadLetters(sqs, config.DEAD_LETTER_QUEUE_URLS),
  };
}

/** Campaigns on this platform: parts handed on through the wake-up queue when it has one (see FanOutSetting). */
function campaignFanOut(sqs: SQSClient, config: { CAMPAIGN_OCCURRENCES: string; WAKE_UP_QUEUE_URL?: string }) {
  const setting: FanOutSetting = { armsNext: config.CAMPAIGN_OCCURRENCES === "timers" };
  if (config.WAKE_UP_QUEUE_URL !== undefined) {
    const queue = new WakeUpQueue(sqs, config.WAKE_UP_QUEUE_URL);
    setting.handOnParts = (parts) => queue.handOn(parts.map((wakeUp) => ({ wakeUp, delaySeconds: 0 })));
  }
  return setting;
}

/** The occurrence's wake-up; a schedule that matches no occurrence of its campaign goes to the dead letters. */
function raisedWakeUp(runtime: IngestDependencies["runtime"], raised: RaisedOccurrence) {
  const wakeUp = runtime.raisedOccurrence(raised.journeyId, raised.at);
  if (wakeUp !== undefined) return wakeUp;
  const at = formatInstant(raised.at);
  throw new RejectedRecordError(undefined, [
    { path: "at", message: `no occurrence of campaign "${raised.journeyId}" falls due at ${at} (redeployed since?)` },
  ]);
}

/** Each lane's queue URLs, from the variable the lane names (lanes.ts); a lane without one: none. */
function laneQueueUrls(config: Partial<Record<LaneSpec["variable"], Record<string, string>>>): LaneQueueUrls {
  const urls: Record<string, Record<string, string>> = {};
  for (const spec of LANES) {
    const byChannel = config[spec.variable];
    if (byChannel !== undefined) urls[spec.lane] = byChannel;
  }
  return { ...urls, journeys: config.DELIVERY_QUEUE_URLS ?? {} };
}

const traitsOption = (traits: TraitsFile | undefined) => (traits === undefined ? {} : { traits });
