/**
 * The whole platform in one process, as it runs on AWS: the EventBridge endpoint and the journeys' rules
 * in front of the ingest queue; the ingest, tick and deliver functions' real handlers over a DynamoDB
 * table (dynalite on disk, or another endpoint) and SQS-like local queues kept on disk, one delivery queue
 * per channel; the tick run every few seconds; the channels (channels.ts): webhooks to `webhookUrl`, email
 * to an mbox file, and every message in the outbox file. Everything under `dir`: stop it, start it again,
 * and it goes on where it was.
 */

import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import type { ShopEvent } from "../../events/catalog.ts";
import { fixedSecret } from "../channels/secret.ts";
import { newWebhookSecret } from "../channels/webhook-signature.ts";
import type { WechatCredentials } from "../channels/wechat-token.ts";
import { compileJourney } from "../engine/compile.ts";
import type { PolicyConfig } from "../engine/policies/config.ts";
import { sumsByName } from "../engine/stats.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import { createIngestHandler, ingestDependencies } from "../handlers/ingest.ts";
import { createTickHandler, tickDependencies } from "../handlers/tick.ts";
import { requestableMessages, requestProblems } from "../journey/requests.ts";
import { platformRoute } from "../journey/rules.ts";
import type { Journey } from "../language/schema.ts";
import { armNextOccurrence } from "../runtime/campaign-fan-out.ts";
import type { InboxStore } from "../runtime/ports.ts";
import { DynamoDbStore } from "../store/dynamodb/dynamodb-store.ts";
import { DynamoDbInbox } from "../store/dynamodb/inbox.ts";
import {
  LOCAL_TIMER_BUCKET_MINUTES,
  LOCAL_TIMER_SHARDS,
  openLocalDatabase,
  removeDatabaseFile,
  writeDatabaseFile,
} from "./database.ts";
import { startEndpoint } from "./endpoint.ts";
import { localInboxApi } from "./inbox.ts";
import type { LocalQueue } from "./local-queue.ts";
import { lockFolder } from "./lock.ts";
import { OutboxChannel, type OutboxLine } from "./outbox.ts";
import { type DeliveryOptions, deliverFunction } from "./platform-delivery.ts";
import { deliveryQueuesOf, functionEnvironment, openPlatformQueues, type PlatformQueues } from "./platform-queues.ts";
import { type BatchHandler, type PumpCounters, pump } from "./pump.ts";
import { localSecret } from "./secrets.ts";
import { type LocalSms, type LocalSmsSettings, startLocalSms } from "./sms.ts";
import { startTicker } from "./ticker.ts";
import { LOCAL_WECHAT_APP, WechatStandIn } from "./wechat-stand-in.ts";

export interface LocalPlatformOptions {
  /** Where state is kept: the table's data, the queues' journals, the outbox (e.g. `.nudge`). */
  dir: string;
  journeys: Journey[];
  /** The platform's messaging policies (journeys/policy.json); the defaults when absent. */
  policies?: PolicyConfig;
  /** The platform's computed traits (journeys/traits.json); none when absent. */
  traits?: TraitsFile;
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
  /** The inbox token secret (the shop's backend mints tokens with it); none: `<dir>/secrets.json`'s. */
  inboxSecret?: string | undefined;
  /** The origins whose pages may call the inbox API; none: LOCAL_INBOX_ORIGINS (local development servers). */
  inboxOrigins?: readonly string[] | undefined;
  /** How long the ingest functions trust the journey controls they read (virtual seconds, default 30). */
  controlTtlSeconds?: number;
  /**
   * Shards of each statistics counter (default 8, as on AWS). Fewer only on a new table: a reader finds
   * only the shards it knows, and a table kept from an earlier run may hold counters in all 8.
   */
  statsShards?: number;
  /** The From address of local email (default `Nudge <nudge@localhost>`). */
  emailFrom?: string;
  /** SMS through Alibaba Cloud SMS, against its local stand-in (sms.ts); none: SMS is a webhook channel. */
  sms?: LocalSmsSettings | undefined;
  /**
   * Where the wechat channel sends subscribe messages, with the app's credentials (`NUDGE_WECHAT_API_URL`,
   * `NUDGE_WECHAT_CREDENTIALS`); none: the platform's own stand-in for api.weixin.qq.com (wechat-stand-in.ts).
   */
  wechatApi?: { url: string; credentials: WechatCredentials } | undefined;
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
  /** The stand-in for WeChat's API the wechat channel sends to (none when `wechatApi` was given). */
  wechat: WechatStandIn | undefined;
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
  quietFunctionLogs();
  const { dir, clock, journeys } = options;
  const speed = options.speed ?? 1;
  const tickEveryMs = options.tickEveryMs ?? tickInterval(speed);
  // The tick takes what falls due before its next run (in virtual time), within SQS's 15-minute delay.
  const lookaheadSeconds = Math.max(5, Math.min(900, Math.ceil((2 * tickEveryMs * speed) / 1000)));
  mkdirSync(dir, { recursive: true });
  const unlock = lockFolder(dir);
  const database = await openDatabaseOrUnlock(dir, options.dynamodbEndpoint, unlock);
  const queues = openPlatformQueues({ ...options, journeys });
  const env = functionEnvironment({
    tableName: database.tableName,
    queues,
    lookaheadSeconds,
    timerShards: LOCAL_TIMER_SHARDS,
    timerBucketMinutes: LOCAL_TIMER_BUCKET_MINUTES,
    maxWakeUpsPerTick: MAX_WAKE_UPS_PER_TICK,
    speed,
    controlTtlSeconds: options.controlTtlSeconds,
    statsShards: options.statsShards,
    policyConfig: options.policies,
  });
  const overrides = {
    dynamodb: database.client,
    sqs: queues.sqs,
    clock,
    journeys,
    ...(options.traits === undefined ? {} : { traits: options.traits }),
  };
  const store = new DynamoDbStore(database.client, {
    tableName: database.tableName,
    timerShards: LOCAL_TIMER_SHARDS,
    timerBucketMinutes: LOCAL_TIMER_BUCKET_MINUTES,
    ...(options.statsShards === undefined ? {} : { statsShards: options.statsShards }),
    clock,
  });
  // Each campaign's next occurrence, armed as EventBridge Scheduler's schedule would be on AWS: its fan-out
  // arms the ones after (armed again at each start: the same timer, the same occurrence).
  for (const journey of journeys) await armNextOccurrence(store, compileJourney(journey), clock());
  const sms = options.sms === undefined ? undefined : await startLocalSms(dir, options.sms);
  const inbox = new DynamoDbInbox(database.client, { tableName: database.tableName });
  const { outbox, outboxPath, mailPath, delivery } = openChannels(options, queues, { store, inbox }, sms);
  const standIn = options.wechatApi === undefined ? new WechatStandIn(LOCAL_WECHAT_APP) : undefined;
  delivery.wechat =
    standIn === undefined
      ? options.wechatApi && { apiBase: options.wechatApi.url, credentials: options.wechatApi.credentials }
      : { apiBase: await standIn.start(), credentials: LOCAL_WECHAT_APP };
  const endpointCounters = { received: 0, accepted: 0, refused: 0, routed: 0 };
  const functions = startFunctions({ env, overrides, queues, clock, tickEveryMs });
  const halt = async () => {
    await functions.stop();
    await sms?.stop();
    await standIn?.stop();
    queues.sqs.destroy();
    await database.close();
  };
  let server: Server;
  let url: string;
  try {
    const accept = routeToIngest(platformRoute(journeys, options.traits), queues.ingest, endpointCounters);
    const unsubscribe = { secret: fixedSecret(delivery.unsubscribeSecret) };
    // A message.requested for a template and channel no request journey sends is refused at the door.
    const requestable = requestableMessages(journeys);
    const check = (event: ShopEvent) => requestProblems(event, requestable);
    const inboxApi = localInboxApi({
      store: inbox,
      secret: localSecret(dir, "inbox", options.inboxSecret),
      origins: options.inboxOrigins,
      clock,
    });
    ({ server, url } = await startEndpoint(options.port, {
      accept,
      clock,
      check,
      counters: endpointCounters,
      unsubscribe,
      inbox: inboxApi,
    }));
  } catch (error) {
    await halt();
    unlock();
    throw error;
  }
  for (const { channel, queue } of queues.delivery) {
    for (let i = 0; i < 2; i++) functions.pump(queue, deliverFunction(channel, queue, url, delivery));
  }
  if (queues.legacy !== undefined) functions.pump(queues.legacy, deliverFunction("any", queues.legacy, url, delivery));
  const stop = async () => {
    if (!functions.running()) return;
    await closeServer(server);
    await halt();
    removeDatabaseFile(dir);
    unlock();
  };
  return {
    url,
    outboxPath,
    mailPath,
    store,
    wechat: standIn,
    health: () =>
      healthOf(queues, { events: endpointCounters, records: functions.records, messages: outbox.delivered }),
    totals: (fromDay, toDay) => totalsOf(store, journeys, fromDay, toDay),
    settled: (timeoutMs) => settledQueues(queues, timeoutMs),
    stop,
    tickedUpTo: functions.tickedUpTo,
  };
}

/** The outbox, the mbox of local email, and what the deliver functions need to reach them. */
function openChannels(
  options: LocalPlatformOptions,
  queues: PlatformQueues,
  stores: { store: DynamoDbStore; inbox: InboxStore },
  sms: LocalSms | undefined,
) {
  const { dir } = options;
  const outboxPath = join(dir, "outbox.ndjson");
  const mailPath = join(dir, "mail.mbox");
  const outbox = new OutboxChannel(outboxPath, options.onMessage);
  const delivery: DeliveryOptions = {
    ...options,
    queues,
    outbox,
    profiles: stores.store,
    inbox: stores.inbox,
    mailPath,
    webhookSecret: localSecret(dir, "webhook", options.webhookSecret, newWebhookSecret),
    unsubscribeSecret: localSecret(dir, "unsubscribe", options.unsubscribeSecret),
    sms,
  };
  return { outbox, outboxPath, mailPath, delivery };
}

interface FunctionOptions {
  env: Record<string, string>;
  overrides: Parameters<typeof ingestDependencies>[1];
  queues: PlatformQueues;
  clock: () => number;
  tickEveryMs: number;
}

/**
 * The functions, each pump one instance with dependencies of its own (as Lambda runs one batch at a time
 * per instance: the handlers' metrics and counters are per instance): 4 ingest, 2 on the wake-up queue,
 * and the tick; `pump` adds the deliver functions once the endpoint's URL is known.
 */
function startFunctions(options: FunctionOptions) {
  const { env, overrides, queues } = options;
  let running = true;
  const records: PumpCounters = { processed: 0, failed: 0 };
  const pumps: Promise<void>[] = [];
  const add = (queue: LocalQueue, handler: BatchHandler) => pumps.push(pump(queue, handler, () => running, records));
  const ingest = () => createIngestHandler(ingestDependencies(env, overrides)) as BatchHandler;
  for (let i = 0; i < 4; i++) add(queues.ingest, ingest());
  for (let i = 0; i < 2; i++) add(queues.wakeUps, ingest());
  const ticker = startTicker({
    tick: createTickHandler(tickDependencies(env, overrides)),
    clock: options.clock,
    everyMs: options.tickEveryMs,
    maxWakeUps: MAX_WAKE_UPS_PER_TICK,
    onFailure: () => {
      records.failed += 1;
    },
  });
  return {
    records,
    pump: add,
    running: () => running,
    tickedUpTo: ticker.tickedUpTo,
    stop: async () => {
      running = false;
      await ticker.stop();
      await Promise.all(pumps);
    },
  };
}

/** The functions' JSON logs and metrics are for CloudWatch; locally the console shows the outbox and a health line. */
function quietFunctionLogs(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // POWERTOOLS_LOG_LEVEL=INFO brings the logs back.
  process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
}

/** The database, its file written for `nudge why --dir` (it is this process's while it runs). */
async function openDatabaseOrUnlock(dir: string, endpoint: string | undefined, unlock: () => void) {
  let database: Awaited<ReturnType<typeof openLocalDatabase>>;
  try {
    database = await openLocalDatabase({ dataPath: join(dir, "dynamodb"), endpoint });
  } catch (error) {
    unlock();
    throw error;
  }
  writeDatabaseFile(dir, { endpoint: database.endpoint, tableName: database.tableName });
  return database;
}

/**
 * The rules: an event some journey needs goes to the ingest queue (once, however many rules match), and so
 * does every profile event (they update the profile whatever the journeys say), as on AWS.
 */
function routeToIngest(routed: (event: ShopEvent) => boolean, ingest: LocalQueue, counters: { routed: number }) {
  return (event: ShopEvent) => {
    if (!routed(event)) return;
    ingest.send([{ body: JSON.stringify(event) }]);
    counters.routed += 1;
  };
}

function healthOf(
  queues: PlatformQueues,
  counts: { events: PlatformHealth["events"]; records: PumpCounters; messages: number },
): PlatformHealth {
  const delivery = deliveryQueuesOf(queues).reduce((sum, q) => sum + q.size, 0);
  return {
    events: { ...counts.events },
    records: { ...counts.records },
    messages: counts.messages,
    queued: { ingest: queues.ingest.size, wakeUps: queues.wakeUps.size, delivery },
    deadLetters: queues.deadLetter.size,
  };
}

async function totalsOf(store: DynamoDbStore, journeys: readonly Journey[], fromDay: string, toDay: string) {
  const byJourney = new Map<string, Map<string, number>>();
  for (const journey of journeys) {
    byJourney.set(journey.id, sumsByName(await store.readStats(journey.id, fromDay, toDay)));
  }
  return byJourney;
}

/** Waits (real time) until no queue holds a message due now; false when `timeoutMs` passed first. */
async function settledQueues(queues: PlatformQueues, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (![queues.ingest, queues.wakeUps, ...deliveryQueuesOf(queues)].some((q) => q.hasDue())) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
