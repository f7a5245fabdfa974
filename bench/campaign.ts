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
import type { DynamoDbStore } from "../functions/store/dynamodb/dynamodb-store.ts";
import type { CapacityUse } from "../functions/store/dynamodb/table-client.ts";
import { MemoryStore } from "../functions/store/memory/memory-store.ts";

/**
 * Part 8 (`--only campaign`): what a campaign costs per recipient on DynamoDB (dynalite), the code AWS
 * runs, with every journey: `members` users become silver members (a registration and a 600-yuan order
 * each, through the runtime with the shipped traits and segments: not counted), then member day's occurrence is raised as
 * EventBridge Scheduler raises it and fanned out in parts through a queue (counted: "fan-out"), then each
 * member's `campaign` wake-up is run at its time, in batches of INGEST_BATCH_SIZE (counted: "entry").
 */

export const JOURNEY = "member-day";
/** Member day's occurrence: Friday 20 November 2026, 10:00 in each member's zone; raised Thursday 20:00 UTC. */
const RAISED_AT = Date.parse("2026-11-19T20:00:00Z");
const JOINED_AT = Date.parse("2026-11-18T02:00:00Z");
const WEEK_MS = 7 * 86_400_000;
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
export const SQS_BATCH = 10;

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

/** The bench's member day, with its coupon budget scaled to `members` as the shipped one is to a million. */
function scaledToMillion(journeys: readonly Journey[], members: number): Journey[] {
  return journeys.map((j) => {
    const budget = j.policy?.couponBudget;
    if (j.id !== JOURNEY || budget === undefined) return j;
    const perDay = Math.max(1, Math.round((budget.perDay * members) / 1_000_000));
    return { ...j, policy: { ...j.policy, couponBudget: { ...budget, perDay } } };
  });
}

/** The figures of two occurrences: every member a coupon, then the next Friday's with the budget as at a million. */
export interface CampaignMeasurement {
  everyCoupon: CampaignFigures;
  atMillion: CampaignFigures;
}

/**
 * Runs the measurement; the figures per member follow from it. Two occurrences over the same members: member
 * day's of Friday 20 November with its budget as shipped (every member gets a coupon: the dear case), then
 * Friday 27 November's with its budget scaled to the audience as the shipped one is to a million members
 * (200,000 CNY: 20,000 coupons of 10, 2%), so that most members enter a day already spent, as at a million.
 */
export async function measureCampaign(options: {
  journeys: readonly Journey[];
  traits: TraitsFile;
  members: number;
}): Promise<CampaignMeasurement> {
  if (!options.journeys.some((j) => j.id === JOURNEY))
    throw new Error(`bench: no journey "${JOURNEY}" among the journeys`);
  const db = await startEmbeddedDynamoDb();
  try {
    const rig = new CampaignRig(db.store, options.traits);
    await addSilverMembers(rig.runtimeFor(options.journeys), options.members);
    const everyCoupon = await rig.occurrence(options.journeys, RAISED_AT);
    const atMillion = await rig.occurrence(scaledToMillion(options.journeys, options.members), RAISED_AT + WEEK_MS);
    return {
      everyCoupon: { ...everyCoupon, members: options.members },
      atMillion: { ...atMillion, members: options.members },
    };
  } finally {
    await db.close();
  }
}

/**
 * The platform around the runtime as AWS runs it, counting what an occurrence costs: the timers scheduled, the
 * parts handed on through a queue, the effects delivered and the events handed back, and the SendMessageBatch
 * requests they take.
 */
class CampaignRig {
  private readonly scheduled: WakeUp[] = [];
  private readonly effects: JourneyEffect[] = [];
  private readonly emitted: ShopEvent[] = [];
  private readonly sends = { delivery: 0, ingest: 0 };
  private readonly queue: OccurrenceWakeUp[] = [];
  private fanOutMessages = 0;
  private readonly store: JourneyStore;

  constructor(
    private readonly db: DynamoDbStore,
    private readonly traits: TraitsFile,
  ) {
    const schedule = db.scheduleWakeUp.bind(db);
    this.store = Object.assign(Object.create(db) as JourneyStore, {
      scheduleWakeUp: (wakeUp: WakeUp) => {
        this.scheduled.push(wakeUp);
        return schedule(wakeUp);
      },
    });
  }

  /** A runtime over every journey given, as deployed: the events the entries emit go to each journey listening. */
  runtimeFor(journeys: readonly Journey[]): JourneyRuntime {
    // The ingest function hands back only what a platform rule takes (IngestQueuePublisher, platformRoute).
    const routed = platformRoute(journeys, this.traits);
    return new JourneyRuntime({
      catalog: new JourneyCatalog(journeys),
      store: this.store,
      sink: {
        deliver: (effect) => void this.effects.push(effect),
        deliverAll: async (all) => {
          this.effects.push(...all);
          this.sends.delivery += sendMessageBatches(all);
        },
      },
      publisher: {
        publish: (event) => void (routed(event) && this.emitted.push(event)),
        publishAll: async (events) => {
          const back = events.filter(routed);
          this.emitted.push(...back);
          this.sends.ingest += Math.ceil(back.length / SQS_BATCH);
        },
      },
      traits: this.traits,
      flushEveryInputs: INGEST_BATCH_SIZE,
      journal: true,
      campaigns: {
        armsNext: false,
        handOnParts: async (parts) => {
          this.fanOutMessages += parts.length;
          this.queue.push(...parts);
        },
      },
    });
  }

  /** Member day's occurrence raised at `raisedAt`: its fan-out, its entries, then the events they emitted. */
  async occurrence(journeys: readonly Journey[], raisedAt: number): Promise<Omit<CampaignFigures, "members">> {
    const runtime = this.runtimeFor(journeys);
    this.scheduled.length = 0;
    this.fanOutMessages = 0;
    this.db.resetCapacity();
    const raised = runtime.raisedOccurrence(JOURNEY, raisedAt);
    if (raised === undefined)
      throw new Error(`bench: ${JOURNEY} has no occurrence at ${new Date(raisedAt).toISOString()}`);
    await runtime.handleWakeUp(raised, raisedAt);
    for (let part = this.queue.shift(); part !== undefined; part = this.queue.shift())
      await runtime.handleWakeUp(part, raisedAt);
    await runtime.flush();
    const fanOut = phaseOf(this.db.capacity);
    const entries = this.scheduled.filter((w) => w.kind === "entries").sort((a, b) => a.at.localeCompare(b.at));
    const audience = entries.reduce((sum, w) => sum + w.members.length, 0);

    this.db.resetCapacity();
    this.effects.length = 0;
    this.emitted.length = 0;
    Object.assign(this.sends, { delivery: 0, ingest: 0 });
    for (const wakeUp of entries) await runtime.handleWakeUp(wakeUp, Date.parse(wakeUp.at));
    await runtime.flush();
    const entry = phaseOf(this.db.capacity);
    const entrySends = { ...this.sends };

    // The events the entries emitted (coupon.issued) come back to the ingest function, as on AWS.
    this.db.resetCapacity();
    const back = [...this.emitted];
    for (const event of back) await runtime.handleEvent(event, Date.parse(event.time));
    await runtime.flush();
    const emittedPhase = phaseOf(this.db.capacity);
    const count = (type: string) => this.effects.filter((e) => e.type === type).length;
    return {
      audience,
      entryWakeUps: entries.length,
      fanOutMessages: this.fanOutMessages,
      entered: count("journey.entered"),
      holdout: count("holdout"),
      messages: count("message.sent"),
      coupons: count("coupon.issued"),
      fanOut,
      entry,
      emitted: { ...emittedPhase, events: back.length },
      sends: entrySends,
    };
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
