/**
 * The whole platform in one process, as it runs on AWS: the EventBridge endpoint and the journeys' rules
 * in front of the ingest queue; the ingest, tick and deliver functions' real handlers over a DynamoDB
 * table (dynalite on disk, or another endpoint) and SQS-like local queues kept on disk, one delivery queue
 * per channel; the tick run every few seconds; the channels (channels.ts): webhooks to `webhookUrl`, email
 * to an mbox file, and every message in the outbox file. Everything under `dir`: stop it, start it again,
 * and it goes on where it was.
 */

import { existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import type { ShopEvent } from "../../events/catalog.ts";
import type { MessageChannel } from "../channels/channel.ts";
import { fixedSecret } from "../channels/secret.ts";
import type { PolicyConfig } from "../engine/policies/config.ts";
import { sumsByName } from "../engine/stats.ts";
import { createDeliverHandler, deliverDependencies } from "../handlers/deliver.ts";
import { createIngestHandler, ingestDependencies } from "../handlers/ingest.ts";
import { createTickHandler, tickDependencies } from "../handlers/tick.ts";
import { platformRuleSpecs } from "../journey/rules.ts";
import { compilePattern } from "../language/pattern/index.ts";
import type { Journey } from "../language/schema.ts";
import { DynamoDbStore } from "../store/dynamodb/dynamodb-store.ts";
import { LOCAL_CHANNELS, LocalEmailChannel, LocalWebhookChannel } from "./channels.ts";
import { LOCAL_TIMER_SHARDS, openLocalDatabase, removeDatabaseFile, writeDatabaseFile } from "./database.ts";
import { startEndpoint } from "./endpoint.ts";
import { DEAD_LETTER_QUEUE_NAME, LocalQueue, queueJournalPath } from "./local-queue.ts";
import { localQueueUrl, localSqsClient } from "./local-sqs.ts";
import { lockFolder } from "./lock.ts";
import { OutboxChannel, type OutboxLine } from "./outbox.ts";
import { type BatchHandler, localContext, localQueueArn, type PumpCounters, pump } from "./pump.ts";
import { localSecret } from "./secrets.ts";

export interface LocalPlatformOptions {
  /** Where state is kept: the table's data, the queues' journals, the outbox (e.g. `.nudge`). */
  dir: string;
  journeys: Journey[];
  /** The platform's messaging policies (journeys/policy.json); the defaults when absent. */
  policies?: PolicyConfig;
  /** The endpoint's port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The platform's clock (virtual at --speed); every part reads it. */
  clock: () => number;
  /** How many virtual ms pass per real ms (1: real time); sets how often the tick runs. */
  speed?: number;
  /** Another DynamoDB endpoint; dynalite on disk under `dir` when omitted. */
  dynamodbEndpoint?: string | undefined;
  /** Real ms between ticks (default: every 2 s, sooner at high speed so no wake-up waits long). */
  tickEveryMs?: number;
  /** Real ms a received message stays hidden before it is delivered again (default 10 s). */
  visibilityTimeoutMs?: number;
  /** Receives before a message goes to its dead-letter queue (default 5, as the AWS queues). */
  maxReceiveCount?: number;
  /** Called for each message delivered (the console prints it). */
  onMessage?: (line: OutboxLine) => void;
  /** Where the webhook channels POST (`--webhook-url`); none: their messages go to the outbox alone. */
  webhookUrl?: string | undefined;
  /** The webhook signing secret; none: `<dir>/secrets.json`'s, generated at the first start. */
  webhookSecret?: string | undefined;
  /** The unsubscribe token secret; none: `<dir>/secrets.json`'s. */
  unsubscribeSecret?: string | undefined;
  /** How long the ingest functions trust the journey controls they read (virtual seconds, default 30). */
  controlTtlSeconds?: number;
  /** The From address of local email (default `Nudge <nudge@localhost>`). */
  emailFrom?: string;
}

export interface PlatformHealth {
  events: { received: number; accepted: number; refused: number; routed: number };
  records: { processed: number; failed: number };
  messages: number;
  /** `delivery`: every channel's queue together. */
  queued: { ingest: number; wakeUps: number; delivery: number };
  deadLetters: number;
}

export interface LocalPlatform {
  /** The EventBridge endpoint, `http://127.0.0.1:<port>`. */
  url: string;
  outboxPath: string;
  /** The local email, as an mbox file. */
  mailPath: string;
  store: DynamoDbStore;
  health(): PlatformHealth;
  /** Per-journey statistics counters, summed over the days given. */
  totals(fromDay: string, toDay: string): Promise<Map<string, Map<string, number>>>;
  /** The virtual time up to which the tick has taken every wake-up due (it may run behind at --speed). */
  tickedUpTo(): number;
  /** Waits until no queue holds a message that is due now (what was sent is processed). */
  settled(timeoutMs?: number): Promise<boolean>;
  /** Stops taking requests, lets the batches in hand finish, closes everything. State stays on disk. */
  stop(): Promise<void>;
}

const MAX_WAKE_UPS_PER_TICK = 20_000;

/** Real ms between ticks: at most 2 s, and at most half the lookahead in virtual time. */
function tickInterval(speed: number): number {
  return Math.max(10, Math.min(2_000, Math.floor(450_000 / speed)));
}

export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // The functions' JSON logs and metrics are for CloudWatch; locally the console shows the outbox and a
  // health line instead (POWERTOOLS_LOG_LEVEL=INFO brings the logs back).
  process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const { dir, clock } = options;
  const speed = options.speed ?? 1;
  const tickEveryMs = options.tickEveryMs ?? tickInterval(speed);
  // The tick takes what falls due before its next run (in virtual time), within SQS's 15-minute delay.
  const lookaheadSeconds = Math.max(5, Math.min(900, Math.ceil((2 * tickEveryMs * speed) / 1000)));
  mkdirSync(dir, { recursive: true });
  const unlock = lockFolder(dir);
  let database: Awaited<ReturnType<typeof openLocalDatabase>>;
  try {
    database = await openLocalDatabase({ dataPath: join(dir, "dynamodb"), endpoint: options.dynamodbEndpoint });
  } catch (error) {
    unlock();
    throw error;
  }
  // While it runs, the database is this process's: `nudge why --dir` reads it through this endpoint.
  writeDatabaseFile(dir, { endpoint: database.endpoint, tableName: database.tableName });

  const queueOptions = {
    clock,
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? 10_000,
    maxReceiveCount: options.maxReceiveCount ?? 5,
  };
  const journal = (name: string) => queueJournalPath(dir, name);
  const deadLetter = new LocalQueue({
    ...queueOptions,
    name: DEAD_LETTER_QUEUE_NAME,
    journalPath: journal(DEAD_LETTER_QUEUE_NAME),
  });
  const queue = (name: string) =>
    new LocalQueue({ ...queueOptions, name, journalPath: journal(name), deadLetter: deadLetter });
  const ingestQueue = queue("ingest");
  const wakeUpQueue = queue("wake-ups");
  // A delivery queue per channel: the default channels, and any other a journey sends on (to the outbox).
  const journeyChannels = options.journeys.flatMap((journey) =>
    journey.steps.flatMap((step) => (step.type === "send" ? [step.channel] : [])),
  );
  const channelNames = [...new Set([...Object.keys(LOCAL_CHANNELS), ...journeyChannels])];
  const deliveryQueues = new Map(channelNames.map((name) => [name, queue(`delivery-${name}`)]));
  // The one delivery queue of earlier versions: what it still holds goes to the outbox.
  const legacy = existsSync(journal("delivery")) ? queue("delivery") : undefined;
  const sqs = localSqsClient([ingestQueue, wakeUpQueue, ...deliveryQueues.values(), deadLetter]);
  const allDelivery = legacy === undefined ? [...deliveryQueues.values()] : [...deliveryQueues.values(), legacy];

  const env = {
    TABLE_NAME: database.tableName,
    INGEST_QUEUE_URL: localQueueUrl(ingestQueue.name),
    DELIVERY_QUEUE_URLS: JSON.stringify(
      Object.fromEntries([...deliveryQueues].map(([name, q]) => [name, localQueueUrl(q.name)])),
    ),
    WAKE_UP_QUEUE_URL: localQueueUrl(wakeUpQueue.name),
    // Rejected records to the dead letters at once, with their reason, as on AWS.
    DEAD_LETTER_QUEUE_URLS: JSON.stringify(
      Object.fromEntries(
        [ingestQueue, wakeUpQueue].map((q) => [localQueueArn(q.name), localQueueUrl(deadLetter.name)]),
      ),
    ),
    // One process, one clock: little to allow for between writers.
    SETTLE_SECONDS: "1",
    LOOKAHEAD_SECONDS: String(lookaheadSeconds),
    TIMER_SHARDS: String(LOCAL_TIMER_SHARDS),
    MAX_WAKE_UPS_PER_TICK: String(MAX_WAKE_UPS_PER_TICK),
    // Ticks come many times a virtual minute at --speed; a guardrail check reads a week of counters.
    GUARDRAIL_CHECK_SECONDS: speed === 1 ? "0" : "3600",
    CONTROL_TTL_SECONDS: String(options.controlTtlSeconds ?? 30),
    ...(options.policies === undefined ? {} : { POLICY_CONFIG: JSON.stringify(options.policies) }),
  };
  const overrides = { dynamodb: database.client, sqs, clock };
  // Each pump is one function instance, with dependencies of its own (as Lambda runs one batch at a time
  // per instance: the handlers' metrics and counters are per instance).
  const ingest = () =>
    createIngestHandler(ingestDependencies(env, { ...overrides, journeys: options.journeys })) as BatchHandler;
  const tick = createTickHandler(tickDependencies(env, { ...overrides, journeys: options.journeys }));
  const outboxPath = join(dir, "outbox.ndjson");
  const mailPath = join(dir, "mail.mbox");
  const outbox = new OutboxChannel(outboxPath, options.onMessage);
  const webhookSecret = localSecret(dir, "webhook", options.webhookSecret);
  const unsubscribeSecret = localSecret(dir, "unsubscribe", options.unsubscribeSecret);
  const store = new DynamoDbStore(database.client, {
    tableName: database.tableName,
    timerShards: LOCAL_TIMER_SHARDS,
    clock,
  });
  /** The channel of a delivery queue; the endpoint's URL is known once it listens. */
  const channelOf = (name: string, endpointUrl: string): MessageChannel => {
    const kind = LOCAL_CHANNELS[name];
    if (kind === "email") {
      return new LocalEmailChannel(outbox, {
        profiles: store,
        from: options.emailFrom ?? "Nudge <nudge@localhost>",
        defaultSubject: "News from the shop",
        unsubscribeUrl: `${endpointUrl}/unsubscribe`,
        unsubscribeSecret,
        mboxPath: mailPath,
        clock,
      });
    }
    if (kind === "webhook" && options.webhookUrl !== undefined) {
      return new LocalWebhookChannel(outbox, { url: options.webhookUrl, secret: webhookSecret });
    }
    return outbox;
  };
  // Each channel's deliver function, as on AWS: refused messages to the dead letters at once, failures
  // backed off on their queue (unpaced locally: the rate limits are the AWS providers').
  const deliver = (name: string, q: LocalQueue, endpointUrl: string) =>
    createDeliverHandler({
      ...deliverDependencies(
        {
          CHANNEL: name,
          QUEUE_URL: localQueueUrl(q.name),
          DEAD_LETTER_QUEUE_URL: localQueueUrl(deadLetter.name),
          BACKOFF_SECONDS: "5",
        },
        { sqs },
      ),
      channel: channelOf(name, endpointUrl),
    }) as BatchHandler;

  // The rules: an event some journey needs goes to the ingest queue (once, however many rules match),
  // and so does every profile event (they update the profile whatever the journeys say), as on AWS.
  const rules = platformRuleSpecs(options.journeys).map((spec) => compilePattern(spec.pattern));
  const endpointCounters = { received: 0, accepted: 0, refused: 0, routed: 0 };
  const accept = (event: ShopEvent) => {
    if (!rules.some((rule) => rule.matches(event))) return;
    ingestQueue.send([{ body: JSON.stringify(event) }]);
    endpointCounters.routed += 1;
  };

  let running = true;
  const records: PumpCounters = { processed: 0, failed: 0 };
  const pumps = [
    ...Array.from({ length: 4 }, () => pump(ingestQueue, ingest(), () => running, records)),
    ...Array.from({ length: 2 }, () => pump(wakeUpQueue, ingest(), () => running, records)),
  ];
  let ticking = Promise.resolve();
  let tickedUpTo = Number.NEGATIVE_INFINITY;
  let tickTimer: NodeJS.Timeout | undefined;
  const runTick = () => {
    ticking = (async () => {
      try {
        const startedAt = clock();
        const report = await tick({ time: new Date(startedAt).toISOString() }, localContext);
        // A tick that took fewer than its limit took everything due by the time it started.
        if (report.handedOn < MAX_WAKE_UPS_PER_TICK) tickedUpTo = startedAt;
      } catch {
        records.failed += 1; // what it took and did not hand on is scheduled again; the next tick retries
      }
      if (running) tickTimer = setTimeout(runTick, tickEveryMs);
    })();
  };
  runTick();

  let server: Server;
  let url: string;
  try {
    ({ server, url } = await startEndpoint(options.port, {
      accept,
      clock,
      counters: endpointCounters,
      unsubscribe: { secret: fixedSecret(unsubscribeSecret) },
    }));
  } catch (error) {
    running = false;
    clearTimeout(tickTimer);
    await Promise.all([...pumps, ticking]);
    await database.close();
    unlock();
    throw error;
  }
  for (const [name, q] of deliveryQueues) {
    for (let i = 0; i < 2; i++) pumps.push(pump(q, deliver(name, q, url), () => running, records));
  }
  if (legacy !== undefined) pumps.push(pump(legacy, deliver("any", legacy, url), () => running, records));
  const sizeOf = (queues: Iterable<LocalQueue>) => [...queues].reduce((sum, q) => sum + q.size, 0);

  const health = (): PlatformHealth => ({
    events: { ...endpointCounters },
    records: { ...records },
    messages: outbox.delivered,
    queued: { ingest: ingestQueue.size, wakeUps: wakeUpQueue.size, delivery: sizeOf(allDelivery) },
    deadLetters: deadLetter.size,
  });

  const totals = async (fromDay: string, toDay: string) => {
    const byJourney = new Map<string, Map<string, number>>();
    for (const journey of options.journeys) {
      byJourney.set(journey.id, sumsByName(await store.readStats(journey.id, fromDay, toDay)));
    }
    return byJourney;
  };

  const settled = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    const due = (q: LocalQueue) => q.peek().some((message) => message.availableAt <= clock());
    while (Date.now() < deadline) {
      if (![ingestQueue, wakeUpQueue, ...allDelivery].some(due)) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  };

  const stop = async () => {
    if (!running) return;
    running = false;
    clearTimeout(tickTimer);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await Promise.all([...pumps, ticking]);
    sqs.destroy();
    await database.close();
    removeDatabaseFile(dir);
    unlock();
  };

  return { url, outboxPath, mailPath, store, health, totals, settled, stop, tickedUpTo: () => tickedUpTo };
}
