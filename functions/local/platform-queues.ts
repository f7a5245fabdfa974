import { existsSync } from "node:fs";
import { LANES, type Lane, laneKey } from "../handlers/lanes.ts";
import type { Journey } from "../language/schema.ts";
import { LOCAL_CHANNELS } from "./channels.ts";
import { DEAD_LETTER_QUEUE_NAME, LocalQueue, queueJournalPath } from "./local-queue.ts";
import { localQueueUrl, localSqsClient } from "./local-sqs.ts";
import { localQueueArn } from "./pump.ts";

/** The local platform's queues, each kept on disk, and the SQS client the handlers use to reach them. */
export interface PlatformQueues {
  ingest: LocalQueue;
  wakeUps: LocalQueue;
  /**
   * A delivery queue per channel and lane (handlers/lanes.ts), as on AWS (lib/channels.ts): the default
   * channels and any other a journey sends on, each with its journeys', campaigns' and transactional lanes
   * (`delivery-push`, `delivery-push-campaigns`, `delivery-push-transactional`).
   */
  delivery: DeliveryQueue[];
  /** The one delivery queue of earlier versions, while it still holds messages (they go to the outbox). */
  legacy: LocalQueue | undefined;
  deadLetter: LocalQueue;
  sqs: ReturnType<typeof localSqsClient>;
}

/** One lane of a channel and its queue. */
export interface DeliveryQueue {
  channel: string;
  lane: Lane;
  queue: LocalQueue;
}

export interface QueueOptions {
  dir: string;
  clock: () => number;
  journeys: readonly Journey[];
  visibilityTimeoutMs?: number | undefined;
  maxReceiveCount?: number | undefined;
}

/** Opens (or reopens, from their journals under `dir`) every queue of the platform. */
export function openPlatformQueues(options: QueueOptions): PlatformQueues {
  const { dir, clock } = options;
  const settings = {
    clock,
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? 10_000,
    maxReceiveCount: options.maxReceiveCount ?? 5,
  };
  const journal = (name: string) => queueJournalPath(dir, name);
  const deadLetter = new LocalQueue({
    ...settings,
    name: DEAD_LETTER_QUEUE_NAME,
    journalPath: journal(DEAD_LETTER_QUEUE_NAME),
  });
  const queue = (name: string) => new LocalQueue({ ...settings, name, journalPath: journal(name), deadLetter });
  const journeyChannels = options.journeys.flatMap((journey) =>
    journey.steps.flatMap((step) => (step.type === "send" ? [step.channel] : [])),
  );
  const channelNames = [...new Set([...Object.keys(LOCAL_CHANNELS), ...journeyChannels])];
  const ingest = queue("ingest");
  const wakeUps = queue("wake-ups");
  const delivery = channelNames.flatMap((channel) =>
    LANES.map(({ lane }) => ({ channel, lane, queue: queue(`delivery-${laneKey(channel, lane)}`) })),
  );
  const legacy = existsSync(journal("delivery")) ? queue("delivery") : undefined;
  const sqs = localSqsClient([ingest, wakeUps, ...delivery.map((d) => d.queue), deadLetter]);
  return { ingest, wakeUps, delivery, legacy, deadLetter, sqs };
}

/** Every delivery queue, every lane's and the legacy one. */
export function deliveryQueuesOf(queues: PlatformQueues): LocalQueue[] {
  const lanes = queues.delivery.map((d) => d.queue);
  return queues.legacy === undefined ? lanes : [...lanes, queues.legacy];
}

/** The ingest function's variables naming each lane's queues by channel (DELIVERY_QUEUE_URLS...). */
function laneVariables(queues: PlatformQueues): Record<string, string> {
  return Object.fromEntries(
    LANES.map((spec) => [
      spec.variable,
      JSON.stringify(
        Object.fromEntries(
          queues.delivery.filter((d) => d.lane === spec.lane).map((d) => [d.channel, localQueueUrl(d.queue.name)]),
        ),
      ),
    ]),
  );
}

export interface EnvironmentOptions {
  tableName: string;
  queues: PlatformQueues;
  lookaheadSeconds: number;
  timerShards: number;
  timerBucketMinutes: number;
  maxWakeUpsPerTick: number;
  speed: number;
  controlTtlSeconds?: number | undefined;
  statsShards?: number | undefined;
  policyConfig?: unknown;
}

/** The ingest and tick functions' environment, as the CDK app sets it on AWS, with the local queues' URLs. */
export function functionEnvironment(options: EnvironmentOptions): Record<string, string> {
  const { queues } = options;
  return {
    TABLE_NAME: options.tableName,
    INGEST_QUEUE_URL: localQueueUrl(queues.ingest.name),
    ...laneVariables(queues),
    WAKE_UP_QUEUE_URL: localQueueUrl(queues.wakeUps.name),
    // Rejected records to the dead letters at once, with their reason, as on AWS.
    DEAD_LETTER_QUEUE_URLS: JSON.stringify(
      Object.fromEntries(
        [queues.ingest, queues.wakeUps].map((q) => [localQueueArn(q.name), localQueueUrl(queues.deadLetter.name)]),
      ),
    ),
    // One process, one clock: little to allow for between writers.
    SETTLE_SECONDS: "1",
    LOOKAHEAD_SECONDS: String(options.lookaheadSeconds),
    TIMER_SHARDS: String(options.timerShards),
    TIMER_BUCKET_MINUTES: String(options.timerBucketMinutes),
    MAX_WAKE_UPS_PER_TICK: String(options.maxWakeUpsPerTick),
    GUARDRAIL_CHECK_SECONDS: String(guardrailCheckSeconds(options.speed)),
    CONTROL_TTL_SECONDS: String(options.controlTtlSeconds ?? 30),
    ...(options.statsShards === undefined ? {} : { STATS_SHARDS: String(options.statsShards) }),
    ...(options.policyConfig === undefined ? {} : { POLICY_CONFIG: JSON.stringify(options.policyConfig) }),
  };
}

/**
 * How often (virtual seconds) the local tick checks the guardrails. At --speed ticks come many times a
 * virtual minute, and a check reads a week of each guarded journey's counters (7 days x 8 shards Queries):
 * once a virtual hour, and not more than once a real second (the demo's 43,200x: every 12 virtual hours;
 * checked every virtual hour, the checks held the tick back half the time, 2026-12-03). Real time: once a
 * second, every tick at the default 2 s (ticks every 20 ms, as bench --only campaign-local runs them, spent a
 * third of the send's DynamoDB requests on the check, 2026-12-04).
 */
export function guardrailCheckSeconds(speed: number): number {
  return speed === 1 ? 1 : Math.min(86_400, Math.max(3_600, Math.round(speed)));
}
