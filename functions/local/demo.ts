/**
 * The demo: the local platform on a fast virtual clock, and a synthetic shop (functions/simulator/
 * synthetic) publishing its events to the platform's endpoint with the AWS SDK's PutEventsCommand, each
 * when virtual time reaches it, 10 a request. At the end, the journeys' statistics per journey. It also
 * measures what the benchmark reports: events accepted per second, and the latency from PutEvents to the
 * outbox line for the messages an event sends at once (a registration's welcome message).
 */

import { rmSync } from "node:fs";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { PolicyConfig } from "../engine/policies/config.ts";
import { sumsByName } from "../engine/stats.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import { currentVersions } from "../journey/load.ts";
import type { Journey } from "../language/schema.ts";
import { type JourneyReport as FullReport, journeyReport } from "../reports/journey-report.ts";
import { DAY_MS, utcDay } from "../shared/time.ts";
import { generateShop, type SyntheticEvent } from "../simulator/synthetic/index.ts";
import { pausableClock } from "./clock.ts";
import { DemoRedemptions } from "./demo-redemptions.ts";
import { MAX_ENTRIES } from "./endpoint.ts";
import type { OutboxLine } from "./outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "./platform.ts";

const DAY = DAY_MS;
/**
 * The demo's table is new, so its counters need not be spread over 8 shards: with one, a guardrail check
 * (once a real second) reads a shard a day, not 8, and the tick keeps up more often. Readers that assume 8
 * (`nudge report --dir .nudge/demo`) still find every counter, in shard 0.
 */
const DEMO_STATS_SHARDS = 1;
/** How far (virtual time) the tick may run behind the clock before virtual time waits for it. */
const MAX_TICK_LAG_MS = 3 * 3_600_000;

export interface DemoOptions {
  dir: string;
  journeys: Journey[];
  /** The platform's messaging policies (journeys/policy.json); the defaults when absent. */
  policies?: PolicyConfig;
  /** The platform's computed traits (journeys/traits.json); none when absent. */
  traits?: TraitsFile;
  users: number;
  days: number;
  /** Real seconds the shop's period takes (virtual time runs days / seconds faster). */
  seconds: number;
  start?: string;
  seed?: number;
  onMessage?: (line: OutboxLine) => void;
  onProgress?: (text: string) => void;
}

export interface JourneyReport {
  journey: string;
  entered: number;
  holdout: number;
  messages: number;
  /** Messages the policies deferred (quiet hours, caps); one deferred twice counts twice. */
  deferred: number;
  /** Messages not sent (unsubscribed, capped, expired...), with their reasons in the journal. */
  suppressed: number;
  couponsIssued: number;
  /** Coupons the journey issued that were redeemed. */
  couponsRedeemed: number;
  exits: number;
  /** Goal conversions, treatment and holdout. */
  goals: number;
}

export interface DemoResult {
  reports: JourneyReport[];
  outboxPath: string;
  published: number;
  refused: number;
  messages: number;
  realSeconds: number;
  /** PutEvents → outbox line, ms, of each welcome message. */
  latenciesMs: number[];
  /** The `nudge report` of each journey over the demo's days (functions/reports). */
  report: { from: string; to: string; journeys: FullReport[] };
}

/** Counters of one journey, by the statistics names (functions/engine/stats.ts). */
function reportOf(journey: Journey, sums: Map<string, number>): JourneyReport {
  const get = (name: string) => sums.get(name) ?? 0;
  let exits = 0;
  let deferred = 0;
  let suppressed = 0;
  for (const [name, amount] of sums) {
    if (name.startsWith("message.deferred.")) deferred += amount;
    if (name.startsWith("message.suppressed.")) suppressed += amount;
    if (name.startsWith("exited.")) exits += amount;
  }
  return {
    journey: journey.id,
    entered: get("entered"),
    holdout: get("holdout"),
    messages: get("message.sent"),
    deferred,
    suppressed,
    couponsIssued: get("coupon.issued"),
    couponsRedeemed: get("coupon.redeemed"),
    exits,
    goals: get("goal.converted") + get("goal.converted.holdout"),
  };
}

/** PutEvents entries of synthetic events: their own source, type, detail and time. */
function entryOf(item: SyntheticEvent): PutEventsRequestEntry {
  const { event } = item;
  return {
    Source: event.source,
    DetailType: event["detail-type"],
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.time),
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const startAt = Date.parse(options.start ?? "2026-11-01T00:00:00Z");
  const endAt = startAt + options.days * DAY;
  const speed = (options.days * DAY) / (options.seconds * 1000);
  rmSync(options.dir, { recursive: true, force: true }); // a demo starts from an empty shop
  const clock = pausableClock(speed, startAt);
  const publishedAt = new Map<string, number>();
  const latenciesMs: number[] = [];
  const platform = await startLocalPlatform({
    dir: options.dir,
    journeys: options.journeys,
    ...(options.policies === undefined ? {} : { policies: options.policies }),
    ...(options.traits === undefined ? {} : { traits: options.traits }),
    port: 0,
    clock: clock.now,
    speed,
    statsShards: DEMO_STATS_SHARDS,
    onMessage: (line) => {
      const sentAt = line.template === "welcome" ? publishedAt.get(line.user) : undefined;
      if (sentAt !== undefined) latenciesMs.push(performance.now() - sentAt);
      options.onMessage?.(line);
    },
  });
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  // Virtual time waits while the platform runs behind (the tick more than 3 virtual hours, or events
  // piling up in the ingest queue): what the demo reports is then what real time would have given.
  const governor = setInterval(() => {
    const behind = clock.now() - platform.tickedUpTo() > MAX_TICK_LAG_MS || platform.health().queued.ingest > 50;
    if (behind) clock.pause();
    else clock.resume();
  }, 10);
  try {
    const counts = await publishShop({ options, platform, client, clock, speed, startAt, publishedAt });
    const { published, refused } = counts;
    // The period's last wake-ups: until a tick has taken everything due by its end (at high speed the
    // tick may run behind the clock), then until every queue is done.
    while (platform.tickedUpTo() < endAt) await new Promise((resolve) => setTimeout(resolve, 50));
    await platform.settled(60_000);
    const from = utcDay(startAt);
    const to = utcDay(endAt + DAY);
    const { reports, journeys } = await readReports(platform, options.journeys, { from, to });
    return {
      reports,
      outboxPath: platform.outboxPath,
      published,
      refused,
      messages: platform.health().messages,
      realSeconds: (Date.now() - started) / 1000,
      latenciesMs,
      report: { from, to, journeys },
    };
  } finally {
    clearInterval(governor);
    client.destroy();
    await platform.stop();
  }
}

/**
 * Each journey's table row and report over the days. One read of each journey's counters serves both, so the
 * two agree even though the platform runs on while they are read.
 */
async function readReports(platform: LocalPlatform, of: readonly Journey[], days: { from: string; to: string }) {
  const reports: JourneyReport[] = [];
  const journeys: FullReport[] = [];
  // One row a journey, its current version, though the files keep an earlier version for its runs in flight.
  for (const journey of currentVersions(of).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const counters = await platform.store.readStats(journey.id, days.from, days.to);
    reports.push(reportOf(journey, sumsByName(counters)));
    journeys.push(journeyReport({ journeyId: journey.id, journey, counters, ...days }));
  }
  return { reports, journeys };
}

interface PublishOptions {
  options: DemoOptions;
  platform: LocalPlatform;
  client: EventBridgeClient;
  clock: ReturnType<typeof pausableClock>;
  speed: number;
  startAt: number;
  /** When each user's registration was published (for the welcome's latency). */
  publishedAt: Map<string, number>;
}

/**
 * Publishes the synthetic shop, each event when virtual time reaches it, 10 a request and up to 4 requests
 * in flight, with the coupons the orders use (DemoRedemptions); reports progress every 5 s.
 */
async function publishShop(publishing: PublishOptions): Promise<{ published: number; refused: number }> {
  const { options, platform, client, clock, speed, startAt, publishedAt } = publishing;
  let published = 0;
  let refused = 0;
  const send = async (batch: SyntheticEvent[]) => {
    const now = performance.now();
    for (const item of batch) {
      if (item.event["detail-type"] === "user.registered") {
        publishedAt.set(String(item.event.detail.userId), now);
      }
    }
    const output = await client.send(new PutEventsCommand({ Entries: batch.map(entryOf) }));
    published += batch.length;
    refused += output.FailedEntryCount ?? 0;
  };
  let batch: SyntheticEvent[] = [];
  const inFlight = new Set<Promise<void>>();
  const flush = async () => {
    if (batch.length === 0) return;
    const sending = send(batch).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
    batch = [];
    if (inFlight.size >= 4) await Promise.race(inFlight);
  };
  const redemptions = new DemoRedemptions(platform.store, options.journeys);
  let nextReport = Date.now() + 5_000;
  // A redelivery by the bus has the same id; through PutEvents it would be a new event: left out.
  for (const item of generateShop({
    users: options.users,
    days: options.days,
    start: new Date(startAt).toISOString(),
    seed: options.seed ?? 1,
  })) {
    if (item.duplicate) continue;
    const due = Date.parse(item.event.time);
    while (clock.now() < due) {
      await flush();
      await new Promise((resolve) => setTimeout(resolve, Math.min(20, Math.max(1, (due - clock.now()) / speed))));
    }
    // The order, and the coupon it uses when it uses one.
    const redemption = item.flaw === undefined ? await redemptions.redemptionOf(item.event) : undefined;
    for (const entry of redemption === undefined ? [item] : [item, { event: redemption }]) {
      batch.push(entry);
      if (batch.length === MAX_ENTRIES) await flush();
    }
    if (Date.now() >= nextReport) {
      nextReport = Date.now() + 5_000;
      const health = platform.health();
      options.onProgress?.(
        `${new Date(clock.now()).toISOString().slice(0, 16)}  ${published} events published, ${health.messages} messages`,
      );
    }
  }
  await flush();
  await Promise.all(inFlight);
  return { published, refused };
}
