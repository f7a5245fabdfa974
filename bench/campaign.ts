import type { ShopEvent } from "../events/catalog.ts";
import { JourneyCatalog } from "../functions/engine/catalog.ts";
import type { JourneyEffect, WakeUp } from "../functions/engine/model.ts";
import type { TraitsFile } from "../functions/engine/traits/config.ts";
import { INGEST_BATCH_SIZE } from "../functions/handlers/batching.ts";
import { platformRoute } from "../functions/journey/rules.ts";
import type { Journey } from "../functions/language/schema.ts";
import type { OccurrenceWakeUp } from "../functions/runtime/campaign-fan-out.ts";
import { JourneyRuntime } from "../functions/runtime/journey-runtime.ts";
import type { JourneyStore } from "../functions/runtime/ports.ts";
import { startEmbeddedDynamoDb } from "../functions/simulator/embedded-dynamodb.ts";
import type { CapacityUse } from "../functions/store/dynamodb/table-client.ts";
import { MemoryStore } from "../functions/store/memory/memory-store.ts";
import type { Printing } from "./report-dynamodb.ts";

/**
 * Part 8 (`--only campaign`): what a campaign costs per recipient on DynamoDB (dynalite), the code AWS
 * runs, with every journey: `members` users become silver members (a registration and a 600-yuan order
 * each, through the runtime with the shipped traits and segments: not counted), then member day's occurrence is raised as
 * EventBridge Scheduler raises it and fanned out in parts through a queue (counted: "fan-out"), then each
 * member's `campaign` wake-up is run at its time, in batches of INGEST_BATCH_SIZE (counted: "entry").
 */

const JOURNEY = "member-day";
/** Member day's occurrence: Friday 20 November 2026, 10:00 in each member's zone; raised Thursday 20:00 UTC. */
const RAISED_AT = Date.parse("2026-11-19T20:00:00Z");
const JOINED_AT = Date.parse("2026-11-18T02:00:00Z");
/** Most members in China, some abroad: an occurrence spread over the day by their zones. */
const ZONES = [
  "Asia/Shanghai",
  "Asia/Shanghai",
  "Asia/Shanghai",
  "Asia/Shanghai",
  "Europe/London",
  "America/Los_Angeles",
];

export interface CampaignPhase {
  read: number;
  write: number;
  requests: number;
  byKind: Record<string, CapacityUse>;
}

export interface CampaignFigures {
  members: number;
  audience: number;
  /** Messages handed on through the queue to run the fan-out apart: one per part, then one per further page. */
  fanOutMessages: number;
  /** The timers that enter them: one per instant for up to a hundred members of a page. */
  entryWakeUps: number;
  entered: number;
  holdout: number;
  messages: number;
  coupons: number;
  fanOut: CampaignPhase;
  entry: CampaignPhase;
  /** The events the entries emitted, run by the ingest function. */
  emitted: CampaignPhase & { events: number };
  /** SendMessageBatch requests of the entries: to the delivery queues, to the ingest queue. */
  sends: { delivery: number; ingest: number };
}

/**
 * On-demand list prices (us-east-1), per unit: https://aws.amazon.com/dynamodb/pricing/on-demand/,
 * https://aws.amazon.com/sqs/pricing/ (the cost model's, docs/cost-model.md).
 */
const PRICE = { write: 0.625e-6, read: 0.125e-6, sqsRequest: 0.4e-6 };
/** Receives and deletes of a message consumed in batches of 10. */
const RECEIVE_AND_DELETE = 0.2;
/** The target of issue 16: a million recipients for under $2, before channel fees. */
export const CAMPAIGN_TARGET_DOLLARS = 2;

/** Dollars per million recipients, DynamoDB and SQS, from the measured figures (Lambda: docs/campaigns.md). */
export function campaignCost(f: CampaignFigures) {
  const phases = [f.fanOut, f.entry, f.emitted];
  const writes = phases.reduce((sum, p) => sum + p.write, 0) / f.audience;
  const reads = phases.reduce((sum, p) => sum + p.read, 0) / f.audience;
  // Sent: the parts and pages, the entries wake-ups (the tick's batches of 10), the entries' own sends;
  // received and deleted: all of those messages, and each message request by its channel's function.
  const messages = f.fanOutMessages + f.entryWakeUps + f.emitted.events + f.messages;
  const sent = f.fanOutMessages + f.entryWakeUps / SQS_BATCH + f.sends.delivery + f.sends.ingest;
  const sqs = (sent + messages * RECEIVE_AND_DELETE) / f.audience;
  const dollars = {
    writes: writes * PRICE.write * 1e6,
    reads: reads * PRICE.read * 1e6,
    sqs: sqs * PRICE.sqsRequest * 1e6,
  };
  return { writes, reads, sqs, dollars, total: dollars.writes + dollars.reads + dollars.sqs };
}

function phaseOf(capacity: Readonly<Record<string, CapacityUse>>): CampaignPhase {
  const byKind = structuredClone({ ...capacity });
  const phase = { read: 0, write: 0, requests: 0, byKind };
  for (const use of Object.values(byKind)) {
    phase.read += use.read;
    phase.write += use.write;
    phase.requests += use.requests;
  }
  return phase;
}

/** Messages a SendMessageBatch request takes (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html). */
const SQS_BATCH = 10;

/** The SendMessageBatch requests QueueSink makes for these effects: ten messages a request, a queue per channel. */
function sendMessageBatches(effects: readonly JourneyEffect[]): number {
  const byChannel = new Map<string, number>();
  for (const effect of effects)
    if (effect.type === "message.sent") byChannel.set(effect.channel, (byChannel.get(effect.channel) ?? 0) + 1);
  return [...byChannel.values()].reduce((sum, count) => sum + Math.ceil(count / SQS_BATCH), 0);
}

const event = (type: string, userId: string, detail: Record<string, unknown>): ShopEvent => ({
  id: `${type}:${userId}`,
  source: "shop",
  "detail-type": type,
  time: new Date(JOINED_AT).toISOString().replace(".000Z", "Z"),
  detail: { userId, ...detail },
});

/** `members` users who register and spend 600 yuan (silver), in the zones above, through the runtime. */
async function addSilverMembers(runtime: JourneyRuntime, members: number): Promise<void> {
  for (let i = 0; i < members; i++) {
    const userId = `m-${String(i).padStart(7, "0")}`;
    const zone = ZONES[i % ZONES.length] as string;
    await runtime.handleEvent(event("user.registered", userId, { locale: "zh-CN", timezone: zone }), JOINED_AT);
    const order = { orderId: `o-${i}`, amount: 600, currency: "CNY" };
    await runtime.handleEvent(event("order.placed", userId, order), JOINED_AT);
  }
  await runtime.flush();
}

/** Runs the measurement; the figures per member follow from it. */
export async function measureCampaign(options: {
  journeys: readonly Journey[];
  traits: TraitsFile;
  members: number;
}): Promise<CampaignFigures> {
  if (!options.journeys.some((j) => j.id === JOURNEY))
    throw new Error(`bench: no journey "${JOURNEY}" among the journeys`);
  const db = await startEmbeddedDynamoDb();
  try {
    const scheduled: WakeUp[] = [];
    const schedule = db.store.scheduleWakeUp.bind(db.store);
    const store = Object.assign(Object.create(db.store) as JourneyStore, {
      scheduleWakeUp: (wakeUp: WakeUp) => {
        scheduled.push(wakeUp);
        return schedule(wakeUp);
      },
    });
    const effects: JourneyEffect[] = [];
    const emitted: ShopEvent[] = [];
    // The ingest function hands back only what a platform rule takes (IngestQueuePublisher, platformRoute).
    const routed = platformRoute(options.journeys, options.traits);
    // SendMessageBatch requests as on AWS (QueueSink, IngestQueuePublisher): ten messages a request and queue.
    const sends = { delivery: 0, ingest: 0 };
    const queue: OccurrenceWakeUp[] = [];
    let fanOutMessages = 0;
    const runtime = new JourneyRuntime({
      // Every journey, as deployed: the events the entries emit go to each journey listening to them.
      catalog: new JourneyCatalog(options.journeys),
      store,
      sink: {
        deliver: (effect) => void effects.push(effect),
        deliverAll: async (all) => {
          effects.push(...all);
          sends.delivery += sendMessageBatches(all);
        },
      },
      publisher: {
        publish: (event) => void (routed(event) && emitted.push(event)),
        publishAll: async (events) => {
          const back = events.filter(routed);
          emitted.push(...back);
          sends.ingest += Math.ceil(back.length / SQS_BATCH);
        },
      },
      traits: options.traits,
      flushEveryInputs: INGEST_BATCH_SIZE,
      journal: true,
      campaigns: {
        armsNext: false,
        handOnParts: async (parts) => {
          fanOutMessages += parts.length;
          queue.push(...parts);
        },
      },
    });
    await addSilverMembers(runtime, options.members);

    db.store.resetCapacity();
    const raised = runtime.raisedOccurrence(JOURNEY, RAISED_AT);
    if (raised === undefined)
      throw new Error(`bench: ${JOURNEY} has no occurrence at ${new Date(RAISED_AT).toISOString()}`);
    await runtime.handleWakeUp(raised, RAISED_AT);
    for (let part = queue.shift(); part !== undefined; part = queue.shift())
      await runtime.handleWakeUp(part, RAISED_AT);
    await runtime.flush();
    const fanOut = phaseOf(db.store.capacity);
    const entries = scheduled.filter((w) => w.kind === "entries").sort((a, b) => a.at.localeCompare(b.at));
    const audience = entries.reduce((sum, w) => sum + w.members.length, 0);

    db.store.resetCapacity();
    effects.length = 0;
    emitted.length = 0;
    Object.assign(sends, { delivery: 0, ingest: 0 });
    for (const wakeUp of entries) await runtime.handleWakeUp(wakeUp, Date.parse(wakeUp.at));
    await runtime.flush();
    const entry = phaseOf(db.store.capacity);
    const entrySends = { ...sends };

    // The events the entries emitted (coupon.issued) come back to the ingest function, as on AWS.
    db.store.resetCapacity();
    const back = [...emitted];
    for (const event of back) await runtime.handleEvent(event, Date.parse(event.time));
    await runtime.flush();
    const emittedPhase = phaseOf(db.store.capacity);
    return {
      members: options.members,
      audience,
      entryWakeUps: entries.length,
      fanOutMessages,
      entered: effects.filter((e) => e.type === "journey.entered").length,
      holdout: effects.filter((e) => e.type === "holdout").length,
      messages: effects.filter((e) => e.type === "message.sent").length,
      coupons: effects.filter((e) => e.type === "coupon.issued").length,
      fanOut,
      entry,
      emitted: { ...emittedPhase, events: back.length },
      sends: entrySends,
    };
  } finally {
    await db.close();
  }
}

/** How long member day takes in memory, the simulator's store: its listing, then its members' entries. */
export interface CampaignTiming {
  members: number;
  entered: number;
  listMs: number;
  enterMs: number;
}

/**
 * `members` silver members (set up through the runtime, not timed), then member day's occurrence listed whole
 * and its members entered, as `nudge simulate` runs it: on the memory store, member day alone loaded.
 */
export async function timeCampaignInMemory(options: {
  journeys: readonly Journey[];
  traits: TraitsFile;
  members: number;
}): Promise<CampaignTiming> {
  const campaign = options.journeys.filter((j) => j.id === JOURNEY);
  const store = new MemoryStore({ journal: false });
  let entered = 0;
  const runtime = new JourneyRuntime({
    catalog: new JourneyCatalog(campaign),
    store,
    sink: { deliver: (effect) => void (effect.type === "journey.entered" && entered++) },
    publisher: { publish: () => undefined },
    traits: options.traits,
    journal: false,
  });
  await addSilverMembers(runtime, options.members);
  const listed = performance.now();
  const raised = runtime.raisedOccurrence(JOURNEY, RAISED_AT);
  if (raised === undefined)
    throw new Error(`bench: ${JOURNEY} has no occurrence at ${new Date(RAISED_AT).toISOString()}`);
  await runtime.handleWakeUp(raised, RAISED_AT);
  const entering = performance.now();
  // Every entry of this occurrence (the last zone's by Saturday); next Friday's occurrence stays armed.
  const until = RAISED_AT + 2 * 86_400_000;
  for (let due = await store.takeDueWakeUps(until, 1000); due.length > 0; due = await store.takeDueWakeUps(until, 1000))
    for (const wakeUp of due) await runtime.handleWakeUp(wakeUp, Date.parse(wakeUp.at));
  await runtime.flush();
  const done = performance.now();
  return { members: options.members, entered, listMs: entering - listed, enterMs: done - entering };
}

/** Prints the part's report. */
export async function campaignPart(
  options: { journeys: readonly Journey[]; traits: TraitsFile | undefined; members: number; memoryMembers: number },
  { fmt, mark }: Printing,
) {
  if (options.traits === undefined) throw new Error("bench: --only campaign needs journeys/traits.json");
  console.log(
    `\n8. A campaign on dynalite (embedded): ${fmt(options.members)} silver members, ${JOURNEY}'s occurrence raised ` +
      "as EventBridge Scheduler raises it, fanned out in parts through a queue, then each member's entry at 10:00 their time",
  );
  const figures = await measureCampaign({ ...options, traits: options.traits });
  const timing = await timeCampaignInMemory({ ...options, traits: options.traits, members: options.memoryMembers });
  const per = (n: number) => (n / figures.audience).toFixed(3);
  for (const [name, phase] of [
    ["fan-out", figures.fanOut],
    ["entry", figures.entry],
    ["emitted events", figures.emitted],
  ] as const) {
    console.log(
      `   ${name}: ${per(phase.read)} RCU, ${per(phase.write)} WCU, ${per(phase.requests)} requests a member`,
    );
    for (const [kind, use] of Object.entries(phase.byKind).sort(
      (a, b) => b[1].write + b[1].read - a[1].write - a[1].read,
    ))
      console.log(`     ${kind}: ${per(use.read)} RCU, ${per(use.write)} WCU, ${per(use.requests)} requests`);
  }
  console.log(
    `   audience ${fmt(figures.audience)}: entered ${fmt(figures.entered)}, holdout ${fmt(figures.holdout)}, ` +
      `messages ${fmt(figures.messages)}, coupons ${fmt(figures.coupons)}; fan-out messages ${fmt(figures.fanOutMessages)}, ` +
      `entries wake-ups ${fmt(figures.entryWakeUps)}`,
  );
  const cost = campaignCost(figures);
  const dollars = (n: number) => `$${n.toFixed(2)}`;
  console.log(
    `   per recipient: ${cost.writes.toFixed(3)} WCU, ${cost.reads.toFixed(3)} RCU, ${cost.sqs.toFixed(2)} SQS requests: ` +
      `${dollars(cost.total)} per million recipients (writes ${dollars(cost.dollars.writes)}, reads ${dollars(cost.dollars.reads)}, ` +
      `SQS ${dollars(cost.dollars.sqs)}; Lambda apart); target < ${dollars(CAMPAIGN_TARGET_DOLLARS)} before channel fees: ` +
      mark(cost.total < CAMPAIGN_TARGET_DOLLARS),
  );
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  console.log(
    `   in memory (the runtime over the memory store nudge simulate uses; member day alone): ${fmt(timing.members)} members listed in ` +
      `${seconds(timing.listMs)} s, ${fmt(timing.entered)} entered in ${seconds(timing.enterMs)} s; ` +
      `target: 100,000 entered within 60 s: ${timing.members >= 100_000 ? mark(timing.listMs + timing.enterMs < 60_000) : "not measured at 100,000 (--campaign-memory-members)"}`,
  );
  return { ...figures, cost, timing };
}
