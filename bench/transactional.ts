/**
 * Part 10 (`--only transactional`): the transactional lane on the local platform (`npm start`: the real
 * handlers, its DynamoDB, queues and deliver functions). Before the platform starts, `backlog` message requests
 * of member day are written to push's campaigns' queue (`delivery-push-campaigns`, its journal on disk, as a
 * campaign's fan-out leaves them; set up, not timed): the platform opens with a campaign's backlog to send.
 * Push is a webhook channel POSTing to a stand-in for the shop's gateway on loopback, answering after
 * GATEWAY_MS: the deliver functions are unpaced locally, and without a provider taking its time a local
 * backlog of 100,000 is gone in seconds; on AWS the lane's rate keeps it for half an hour (50 a second).
 * While that backlog is being sent, the shop publishes a service message every PROBE_GAP_MS of wall time,
 * taking turns: an `order.payment_failed` (payment-failed's instalment offer, a service message on push) and a
 * `message.requested` (`order-shipped` on push, when the journeys have message-requested). Each is timed from
 * its PutEvents call to its line in the outbox; target (issue 17): within 2 s at the 99th percentile.
 * `backlogLane: "transactional"` writes the backlog to the transactional queue instead: the one-lane case, where
 * the service messages queue behind the campaign's (the comparison: what the lane saves).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { JourneyEffect } from "../functions/engine/model.ts";
import { type Lane, laneKey } from "../functions/handlers/lanes.ts";
import type { Journey } from "../functions/language/schema.ts";
import { LocalQueue, queueJournalPath } from "../functions/local/local-queue.ts";
import { startLocalPlatform } from "../functions/local/platform.ts";
import { atAnyHour, percentile, putEntries } from "./local-platform.ts";
import type { Printing } from "./report-dynamodb.ts";

const TARGET_P99_MS = 2_000;
const PROBE_GAP_MS = 250;
/** Probes stop when the backlog is down to a tenth: "during a backlog" means one that large at least. */
const MIN_BACKLOG_SHARE = 0.1;
const MAX_PROBES = 240;
/** How long the last probes get to arrive after the last was published. */
const ARRIVAL_GRACE_MS = 30_000;
/** How long the stand-in gateway takes to answer a webhook request. */
const GATEWAY_MS = 20;
const CAMPAIGN = "member-day";
const CHANNEL = "push";

export interface TransactionalFigures {
  backlog: number;
  /** Each probe: which kind, the campaign's backlog when it was published, ms to the outbox (none: never came). */
  probes: { kind: string; backlog: number; ms: number | undefined }[];
  /** Campaign messages delivered while the probes ran. */
  campaignMessages: number;
  probeSeconds: number;
}

/** A member day message request, as the ingest function's QueueSink puts it on the campaigns' lane. */
function campaignMessage(i: number): JourneyEffect {
  const user = `m-${i}`;
  return {
    type: "message.sent",
    id: `${CAMPAIGN}:${user}:1:send:message`,
    at: "2026-11-20T02:00:00.000Z",
    journey: CAMPAIGN,
    version: 1,
    user,
    run: `${CAMPAIGN}:${user}:1`,
    channel: CHANNEL,
    template: "member-day",
    category: "marketing",
    locale: "zh-CN",
    title: "会员日",
    text: "会员日：全场 8 折，今天 24 点前有效。",
  };
}

/** Writes the backlog to a lane's queue's journal under `dir`, where the platform will open it. */
function writeBacklog(dir: string, count: number, lane: Lane): void {
  const name = `delivery-${laneKey(CHANNEL, lane)}`;
  const queue = new LocalQueue({
    name,
    clock: Date.now,
    visibilityTimeoutMs: 10_000,
    journalPath: queueJournalPath(dir, name),
  });
  for (let from = 0; from < count; from += 1_000) {
    const size = Math.min(1_000, count - from);
    queue.send(Array.from({ length: size }, (_, i) => ({ body: JSON.stringify(campaignMessage(from + i)) })));
  }
}

/** A stand-in for the shop's push gateway on loopback: takes every webhook request, answering after GATEWAY_MS. */
async function startGateway(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => setTimeout(() => response.writeHead(200).end(), GATEWAY_MS));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${port}/nudge`, close };
}

/** The probes' PutEvents entries, by kind: a failed payment, or a one-off requested message. */
function probeEntry(kind: string, i: number): { userId: string; entry: PutEventsRequestEntry } {
  const userId = `probe-${i}`;
  const detail =
    kind === "order.payment_failed"
      ? { userId, orderId: `o-${i}`, amount: 299, currency: "CNY" }
      : {
          userId,
          template: "order-shipped",
          channel: CHANNEL,
          data: { orderId: `o-${i}`, carrier: "顺丰速运", trackingNumber: `SF${1_000_000 + i}` },
        };
  return { userId, entry: { Source: "shop", DetailType: kind, Detail: JSON.stringify(detail) } };
}

export async function runTransactionalBench(options: {
  journeys: readonly Journey[];
  backlog: number;
  /** The lane the backlog waits on: the campaigns' (default), or the service messages' own (one lane). */
  backlogLane?: Lane;
}): Promise<TransactionalFigures> {
  const dir = await mkdtemp(join(tmpdir(), "nudge-bench-transactional-"));
  const journeys = options.journeys.filter((j) => j.id === "payment-failed" || j.id === "message-requested");
  const kinds = [
    "order.payment_failed",
    ...(journeys.some((j) => j.id === "message-requested") ? ["message.requested"] : []),
  ];
  const arrivedAt = new Map<string, number>();
  let campaignMessages = 0;
  writeBacklog(dir, options.backlog, options.backlogLane ?? "campaigns");
  const gateway = await startGateway();
  const platform = await startLocalPlatform({
    dir,
    journeys: [...journeys],
    policies: atAnyHour(),
    port: 0,
    clock: Date.now,
    webhookUrl: gateway.url,
    onMessage: (line) => {
      if (line.journey === CAMPAIGN) campaignMessages++;
      else if (line.user.startsWith("probe-") && !arrivedAt.has(line.user)) arrivedAt.set(line.user, performance.now());
    },
  });
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const sent: { userId: string; kind: string; backlog: number; at: number }[] = [];
  try {
    const started = performance.now();
    const backlogNow = () => options.backlog - campaignMessages;
    for (let i = 0; i < MAX_PROBES && backlogNow() >= options.backlog * MIN_BACKLOG_SHARE; i++) {
      const kind = kinds[i % kinds.length] as string;
      const { userId, entry } = probeEntry(kind, i);
      const backlog = backlogNow();
      const at = performance.now();
      const [result] = await putEntries(client, [entry]);
      if (result?.ErrorCode !== undefined) throw new Error(`bench: probe refused: ${result.ErrorMessage}`);
      sent.push({ userId, kind, backlog, at });
      await new Promise((resolve) => setTimeout(resolve, PROBE_GAP_MS));
    }
    const probeSeconds = (performance.now() - started) / 1000;
    const delivered = campaignMessages;
    // The last probes get time to arrive (the backlog goes on being sent meanwhile).
    const deadline = performance.now() + ARRIVAL_GRACE_MS;
    while (sent.some((p) => !arrivedAt.has(p.userId)) && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const probes = sent.map((p) => {
      const arrived = arrivedAt.get(p.userId);
      return { kind: p.kind, backlog: p.backlog, ms: arrived === undefined ? undefined : arrived - p.at };
    });
    return { backlog: options.backlog, probes, campaignMessages: delivered, probeSeconds };
  } finally {
    client.destroy();
    await platform.stop();
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function transactionalPart(
  options: { journeys: readonly Journey[]; backlog: number; backlogLane: Lane },
  { fmt, mark }: Printing,
) {
  console.log(
    `\n10. The transactional lane on the local platform: service messages during a backlog of ${fmt(options.backlog)} campaign messages on ${CHANNEL}'s ${options.backlogLane} lane`,
  );
  const figures = await runTransactionalBench(options);
  const seconds = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : "-");
  const came = figures.probes.flatMap((p) => (p.ms === undefined ? [] : [p.ms]));
  const backlogs = figures.probes.map((p) => p.backlog);
  console.log(
    `   ${figures.probes.length} service messages published over ${figures.probeSeconds.toFixed(1)} s ` +
      `(${[...new Set(figures.probes.map((p) => p.kind))].join(", ")}), the campaign's backlog from ` +
      `${fmt(Math.max(...backlogs))} down to ${fmt(Math.min(...backlogs))} meanwhile (${fmt(figures.campaignMessages)} campaign messages sent)`,
  );
  const p99 = percentile(came, 99);
  console.log(
    `   ${came.length} of ${figures.probes.length} in the outbox by ${ARRIVAL_GRACE_MS / 1000} s after the last was published; PutEvents to outbox p50 ${seconds(percentile(came, 50))} s, ` +
      `p99 ${seconds(p99)} s, max ${seconds(Math.max(...came))} s; target: p99 within 2 s: ` +
      mark(came.length === figures.probes.length && p99 <= TARGET_P99_MS),
  );
  for (const kind of new Set(figures.probes.map((p) => p.kind))) {
    const of = figures.probes.flatMap((p) => (p.kind === kind && p.ms !== undefined ? [p.ms] : []));
    console.log(
      `     ${kind}: ${of.length}, p50 ${seconds(percentile(of, 50))} s, p99 ${seconds(percentile(of, 99))} s`,
    );
  }
  return {
    backlog: figures.backlog,
    probes: figures.probes.length,
    arrived: came.length,
    p50Ms: percentile(came, 50),
    p99Ms: p99,
    maxMs: Math.max(...came),
    campaignMessages: figures.campaignMessages,
    probeSeconds: figures.probeSeconds,
  };
}
