import { readFileSync } from "node:fs";
import type { TraitsFile } from "../functions/engine/traits/config.ts";
import { INGEST_BATCH_SIZE } from "../functions/handlers/batching.ts";
import type { Journey } from "../functions/language/schema.ts";
import { startEmbeddedDynamoDb } from "../functions/simulator/embedded-dynamodb.ts";
import { parseEventLines, simulate } from "../functions/simulator/simulate.ts";
import { generateShopLines, type ShopOptions } from "../functions/simulator/synthetic/index.ts";
import type { CapacityUse } from "../functions/store/dynamodb/table-client.ts";

/**
 * Benchmark 3 (`--only dynamodb`): DynamoDB consumed capacity per journey step, against dynalite. Each
 * run is simulate() over the same synthetic shop on a fresh embedded DynamoDB (dynalite in memory, a
 * table of its own, wake-ups taken from the simulator's timer index) with only some journeys loaded, and reads `store.capacity` at the end: read and write
 * units DynamoDB reported, requests, and refused conditional writes (billed as writes, reported as none).
 * Inputs go in batches of INGEST_BATCH_SIZE, as on AWS: the per-batch writes (proofs, statistics) count as there.
 */

export interface CapacityRun {
  name: string;
  journeys: string[];
  decisions: number;
  steps: number;
  effects: number;
  ms: number;
  requests: number;
  read: number;
  write: number;
  conditionFailures: number;
  byKind: Record<string, CapacityUse>;
  /** The simulator's inputs by kind (what the queues carry on AWS). */
  inputsByKind: { events: number; emitted: number; wakeUps: number };
  /** Messages sent (`message.sent` lines): what the channels deliver. */
  messages: number;
}

/** The runs: each seed journey alone (coupon-expiry-nudge with new-user-coupon, its coupons' source), then all. */
export function capacityRunsOf(journeys: readonly Journey[]): { name: string; journeys: Journey[] }[] {
  const byId = new Map(journeys.map((j) => [j.id, j]));
  const runs: { name: string; journeys: Journey[] }[] = [];
  for (const journey of journeys) {
    if (journey.id === "coupon-expiry-nudge") {
      const source = byId.get("new-user-coupon");
      const both = source ? [source, journey] : [journey];
      runs.push({ name: both.map((j) => j.id).join(" + "), journeys: both });
    } else {
      runs.push({ name: journey.id, journeys: [journey] });
    }
  }
  runs.push({ name: `all ${journeys.length}`, journeys: [...journeys] });
  return runs;
}

/** One simulate() over a fresh embedded DynamoDB with these journeys; the capacity it consumed. */
export async function runCapacity(run: {
  name: string;
  journeys: readonly Journey[];
  lines: readonly string[];
  until: number;
  /** The platform's computed traits (journeys/traits.json), kept on the profiles as the platform keeps them. */
  traits?: TraitsFile | undefined;
}): Promise<CapacityRun> {
  const { name, journeys, lines, until, traits } = run;
  const db = await startEmbeddedDynamoDb();
  try {
    const { events } = parseEventLines(lines);
    db.store.resetCapacity();
    let messages = 0;
    const started = performance.now();
    const result = await simulate({
      journeys,
      events,
      until,
      store: db.store,
      ...(traits === undefined ? {} : { traits }),
      onLine: (line) => {
        if (line.type === "message.sent") messages++;
      },
      inputsPerBatch: INGEST_BATCH_SIZE,
    });
    const ms = performance.now() - started;
    const byKind = structuredClone({ ...db.store.capacity });
    const total = { requests: 0, read: 0, write: 0, conditionFailures: 0 };
    for (const use of Object.values(byKind)) {
      total.requests += use.requests;
      total.read += use.read;
      total.write += use.write;
      total.conditionFailures += use.conditionFailures;
    }
    return {
      name,
      journeys: journeys.map((j) => j.id),
      decisions: result.decisions,
      steps: result.steps,
      effects: result.effects,
      ms,
      ...total,
      byKind,
      inputsByKind: result.inputsByKind,
      messages,
    };
  } finally {
    await db.close();
  }
}

/** The shop's lines, generated once for every run. */
export function shopLines(options: ShopOptions): string[] {
  return [...generateShopLines(options)];
}

export interface CouponStepCost {
  users: number;
  couponsIssued: number;
  decisions: number;
  steps: number;
  /** Writes (refused included) per coupon-issuing decision, by operation kind, and in all. */
  writesPerCoupon: Record<string, number>;
  total: number;
}

/**
 * The writes behind one coupon: `users` fresh users register a minute apart with only new-user-coupon
 * loaded, whose one decision enters, issues the coupon, sends the welcome and ends (the holdout share
 * gets none). Every write of the run (the registration's profile, the record, its outbox, statistics, and
 * the coupon projection when the coupon.issued event the journey emits comes back) divided by the
 * coupons issued.
 */
export async function couponStepCost(newUserCoupon: Journey, users: number): Promise<CouponStepCost> {
  const start = Date.parse("2026-10-01T00:00:00Z");
  const sample = JSON.parse(readFileSync(new URL("../events/samples/user.registered.json", import.meta.url), "utf8"));
  const lines = Array.from({ length: users }, (_, i) =>
    JSON.stringify({
      ...sample,
      id: `reg-${i}`,
      time: new Date(start + i * 60_000).toISOString().replace(".000Z", "Z"),
      detail: { ...sample.detail, userId: `u${i}` },
    }),
  );
  const db = await startEmbeddedDynamoDb();
  try {
    let couponsIssued = 0;
    const { events } = parseEventLines(lines);
    db.store.resetCapacity();
    const result = await simulate({
      journeys: [newUserCoupon],
      events,
      store: db.store,
      inputsPerBatch: INGEST_BATCH_SIZE,
      onLine: (line) => {
        if (line.type === "coupon.issued") couponsIssued++;
      },
    });
    const writesPerCoupon: Record<string, number> = {};
    let total = 0;
    for (const [kind, use] of Object.entries(db.store.capacity)) {
      const writes = use.write + use.conditionFailures;
      if (writes === 0) continue;
      writesPerCoupon[kind] = writes / couponsIssued;
      total += writes / couponsIssued;
    }
    return { users, couponsIssued, decisions: result.decisions, steps: result.steps, writesPerCoupon, total };
  } finally {
    await db.close();
  }
}

export interface TraitsCost {
  events: number;
  /** Writes (refused included) of the journeys that do not read traits: without, then with traits and segments. */
  without: number;
  with: number;
  /** What the traits and segments added, per shop event, by operation kind and in all. */
  addedByKind: Record<string, number>;
  addedPerEvent: number;
}

/** Whether a journey reads the traits or reacts to what they publish: it runs only with them. */
const needsTraits = (journey: Journey) => /traits|trait\.changed|segment\./.test(JSON.stringify(journey));

/**
 * What the computed traits and the segments cost in writes: the journeys that do not need them, over the
 * same shop, on fresh tables, without and with `traits` (segments included): the profile writes of events
 * only traits learn from, segment index entries, profile wake-ups and what they write, per shop event.
 */
export async function traitsCost(
  journeys: readonly Journey[],
  run: { lines: readonly string[]; until: number; traits: TraitsFile },
): Promise<TraitsCost> {
  const plain = journeys.filter((journey) => !needsTraits(journey));
  const { lines, until, traits } = run;
  const without = await runCapacity({ name: "without traits", journeys: plain, lines, until });
  const withTraits = await runCapacity({ name: "with traits", journeys: plain, lines, until, traits });
  const writes = (use: { write: number; conditionFailures: number }) => use.write + use.conditionFailures;
  const addedByKind: Record<string, number> = {};
  for (const kind of new Set([...Object.keys(without.byKind), ...Object.keys(withTraits.byKind)])) {
    const before = without.byKind[kind];
    const after = withTraits.byKind[kind];
    const added = (after ? writes(after) : 0) - (before ? writes(before) : 0);
    if (added !== 0) addedByKind[kind] = added / lines.length;
  }
  const added = writes(withTraits) - writes(without);
  return {
    events: lines.length,
    without: writes(without),
    with: writes(withTraits),
    addedByKind,
    addedPerEvent: added / lines.length,
  };
}
