import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { budgetShardOf } from "../../functions/engine/budget-shards.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import type { Journey } from "../../functions/language/schema.ts";
import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { readUserJournal } from "../../functions/runtime/user-journal.ts";
import { parseEventLines } from "../../functions/simulator/simulate.ts";
import { withTimerIndex } from "../../functions/simulator/timer-index.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { dormancyPromise, loadSeedJourneys, platformPolicies } from "../scenarios/helpers.ts";
import { freshTable } from "../setup/dynalite.ts";
import { type CrashPlan, type HarnessResult, runWithCrashes } from "../support/crash-harness.ts";

/**
 * Issue 12's crash-point suite: the seed journeys over the example month, with the process dying at an
 * await point (every store, queue and journal call of ingest and the tick, before and after it), then the
 * input delivered again to a new process. Whatever dies where: every effect the clean run sends reaches
 * its channel, with the same content, and none twice under another content; coupon budgets hold exactly
 * the coupons issued; the user's journal (`nudge why`) holds exactly what reached the channels.
 */

const EXAMPLE = fileURLToPath(new URL("../../events/examples/first-month.ndjson", import.meta.url));
const DAY = 86_400_000;
const events: ShopEvent[] = parseEventLines(readFileSync(EXAMPLE, "utf8").split("\n")).events;
/**
 * Long enough for the last event's users to fall dormant and get the dormancy reminder: the journey's idle time,
 * read from its file (30 days as shipped), and ten days more (the reminder comes a week after entry).
 */
const until = Date.parse(events.at(-1)?.time ?? "") + dormancyPromise().idleMs + 10 * DAY;

/** The virtual time, which a DynamoDB store's clock follows (its timer wheel writes and takes by it). */
let virtualNow = 0;

const run = (store: JourneyStore, plan: CrashPlan | undefined, journeys: readonly Journey[]) =>
  runWithCrashes({
    journeys,
    policies: platformPolicies(),
    store,
    events,
    until,
    onTime: (now) => {
      virtualNow = now;
    },
    ...(plan ? { plan } : {}),
  });

/** Dies once: the `occurrence`-th time `point` is reached. */
const once =
  (point: string, occurrence: number): CrashPlan =>
  (name, reached) =>
    name === point && reached === occurrence;

/**
 * Dies at every point in turn: each input's first attempt dies at its first await point, the second at its
 * second, and so on, until an attempt has fewer points than its number and gets through.
 */
const everyPointInTurn: CrashPlan = (_point, _reached, { attempt, step }) => step === attempt;

/** The coupon value charged per journey and day, as the store holds it (every shard), for the days the coupons name. */
async function budgetsOf(
  store: JourneyStore,
  delivered: Map<string, JourneyEffect>,
  journeys: readonly Journey[],
): Promise<Map<string, number>> {
  const keys = new Set<string>();
  const issued = new Set<string>();
  for (const effect of delivered.values()) if (effect.type === "coupon.issued") issued.add(effect.coupon.couponId);
  for (const effect of delivered.values())
    if (effect.type === "coupon.issued") for (const day of daysAround(effect.at)) keys.add(`${effect.journey}#${day}`);
  const budgets = new Map<string, number>();
  for (const key of keys) {
    const [journeyId = "", day = ""] = key.split("#");
    const shards = journeys.find((journey) => journey.id === journeyId)?.policy.couponBudget?.shards ?? 1;
    const { spent, unsettled } = await store.getCouponBudget(journeyId, day, { consistent: true, shards });
    if (spent > 0) budgets.set(key, spent);
    // A charge left unsettled (its process died between the save and the settlement) is a coupon issued.
    for (const couponId of Object.keys(unsettled)) expect(issued.has(couponId), `${key} ${couponId}`).toBe(true);
  }
  return budgets;
}

/** The UTC day of an instant and the next (a budget day is the platform zone's, ahead of UTC). */
function daysAround(at: string): string[] {
  const time = Date.parse(at);
  return [
    new Date(time - DAY).toISOString().slice(0, 10),
    at.slice(0, 10),
    new Date(time + DAY).toISOString().slice(0, 10),
  ];
}

/** Each user's journal, as effect ids: all of it proven handed on (nothing left "to be sent"). */
async function journalsOf(store: JourneyStore, delivered: Map<string, JourneyEffect>) {
  const users = [...new Set([...delivered.values()].map((effect) => effect.user))].sort();
  // Each journey once, whatever versions journeys/ keeps, as `nudge why` reads them.
  const journeys = [...new Map(loadSeedJourneys().map((j) => [j.id, { id: j.id, key: j.key }])).values()];
  return Promise.all(
    users.map(async (user) => {
      const { entries, notHandedOn } = await readUserJournal(store, user, journeys);
      expect(notHandedOn, user).toEqual([]);
      return [user, entries.map((e) => e.id).sort()];
    }),
  );
}

function idsByUser(delivered: Map<string, JourneyEffect>) {
  const users = [...new Set([...delivered.values()].map((effect) => effect.user))].sort();
  return users.map((user) => [
    user,
    [...delivered.values()]
      .filter((e) => e.user === user)
      .map((e) => e.id)
      .sort(),
  ]);
}

interface Outcome {
  result: HarnessResult;
  budgets: Map<string, number>;
}

async function outcomeOf(store: JourneyStore, plan?: CrashPlan, journeys = loadSeedJourneys()): Promise<Outcome> {
  const result = await run(store, plan, journeys);
  return { result, budgets: await budgetsOf(store, result.delivered, journeys) };
}

async function expectSameAsClean(clean: Outcome, store: JourneyStore, crashed: Outcome): Promise<void> {
  const { delivered, conflicts } = crashed.result;
  expect(conflicts).toEqual([]);
  expect([...delivered.keys()].sort()).toEqual([...clean.result.delivered.keys()].sort());
  for (const [id, effect] of clean.result.delivered) expect(delivered.get(id)).toEqual(effect);
  expect(crashed.budgets).toEqual(clean.budgets);
  expect(await journalsOf(store, delivered)).toEqual(idsByUser(delivered));
}

describe("crash points on the in-memory store: dying anywhere loses nothing and repeats nothing", () => {
  let clean: Outcome;
  beforeAll(async () => {
    clean = await outcomeOf(new MemoryStore());
  });

  it("runs clean: messages and coupons, budgets charged with exactly the coupons issued", () => {
    const coupons = [...clean.result.delivered.values()].filter((e) => e.type === "coupon.issued");
    const messages = [...clean.result.delivered.values()].filter((e) => e.type === "message.sent");
    const charged = [...clean.budgets.values()].reduce((sum, value) => sum + value, 0);
    expect(coupons.length).toBeGreaterThanOrEqual(3);
    expect(messages.length).toBeGreaterThanOrEqual(6);
    expect(charged).toBe(coupons.reduce((sum, e) => sum + (e.type === "coupon.issued" ? e.coupon.amountOff : 0), 0));
    expect(clean.result.handedOn).toBe(clean.result.delivered.size);
  });

  it("dies once at every await point, each time it is reached (over 800 runs), and ends as the clean run", async () => {
    const points = [...clean.result.points].flatMap(([point, count]) =>
      Array.from({ length: count }, (_, index) => ({ point, occurrence: index + 1 })),
    );
    for (const { point, occurrence } of points) {
      const store = new MemoryStore();
      const crashed = await outcomeOf(store, once(point, occurrence));
      expect(crashed.result.crashes, `${point} #${occurrence}`).toBe(1);
      await expectSameAsClean(clean, store, crashed);
    }
    const names = new Set(points.map((p) => p.point));
    expect(names.size).toBeGreaterThanOrEqual(30);
    // The user's write, which carries the profile's change with the sends reserved, is one of them.
    expect([...names].filter((name) => name.includes("putUser"))).toHaveLength(2);
    expect(points.length).toBeGreaterThan(800);
  });

  it("dies at every point in turn, over and over, and still ends as the clean run", async () => {
    const store = new MemoryStore();
    const crashed = await outcomeOf(store, everyPointInTurn);
    expect(crashed.result.crashes).toBeGreaterThan(100);
    await expectSameAsClean(clean, store, crashed);
  });
});

describe("crash points on DynamoDB (dynalite): dying anywhere loses nothing and repeats nothing", () => {
  let clean: Outcome;
  beforeAll(async () => {
    clean = await outcomeOf(new MemoryStore());
  });
  const dynamoStore = async () => {
    const { client, tableName } = await freshTable();
    // The simulator's table (its wake-ups indexed in process, so the virtual clock can jump weeks without
    // walking every minute): the records, journals, budgets and send logs are DynamoDB's. The cursor walk of
    // a shared table is proven by test/guarantees/reproductions.test.ts and the store's tests.
    return withTimerIndex(new DynamoDbStore(client, { tableName, clock: () => virtualNow, consistentReads: true }));
  };

  it("dies once at each await point (the first time it is reached), and ends as the clean run", async () => {
    const points = [...clean.result.points.keys()].map((point) => ({ point, occurrence: 1 }));
    for (const { point, occurrence } of points) {
      const store = await dynamoStore();
      const crashed = await outcomeOf(store, once(point, occurrence));
      await expectSameAsClean(clean, store, crashed);
    }
    expect(points.length).toBeGreaterThanOrEqual(30);
  });

  it("dies at every point in turn, and still ends as the clean run", async () => {
    const store = await dynamoStore();
    const crashed = await outcomeOf(store, everyPointInTurn);
    expect(crashed.result.crashes).toBeGreaterThan(100);
    await expectSameAsClean(clean, store, crashed);
  });
});

/**
 * The seed journeys with their coupon budgets split over 3 shards of which only the first can hold a coupon:
 * new-user-coupon's 58 a day as 20, 19 and 19 (its coupon is 20), dormancy-reactivation's 88 as 30, 29 and 29
 * (its comeback coupon is 30). A coupon homed on shard 1 or 2 lands on shard 0, after its home: charged,
 * retried, settled and given back there.
 */
const SHARDS = 3;
function splitBudgets(): Journey[] {
  const parts: Record<string, number> = { "new-user-coupon": 58, "dormancy-reactivation": 88 };
  return loadSeedJourneys().map((journey) => {
    const budget = journey.policy.couponBudget;
    const perDay = parts[journey.id];
    if (budget === undefined || perDay === undefined) return journey;
    return { ...journey, policy: { ...journey.policy, couponBudget: { ...budget, perDay, shards: SHARDS } } };
  });
}

describe("crash points over coupon charges landing on a second shard: dying anywhere loses nothing and repeats nothing", () => {
  let clean: Outcome;
  beforeAll(async () => {
    clean = await outcomeOf(new MemoryStore(), undefined, splitBudgets());
  });
  const dynamoStore = async () => {
    const { client, tableName } = await freshTable();
    return withTimerIndex(new DynamoDbStore(client, { tableName, clock: () => virtualNow, consistentReads: true }));
  };

  it("runs clean with coupons homed on shards 1 and 2 charged on shard 0, each settled there", async () => {
    const store = new MemoryStore();
    await run(store, undefined, splitBudgets());
    const issued = [...clean.result.delivered.values()].flatMap((e) => (e.type === "coupon.issued" ? [e] : []));
    const coupons = issued.map((effect) => effect.coupon);
    for (const effect of issued)
      for (const day of daysAround(effect.at)) {
        const read = { consistent: true, shards: SHARDS };
        expect((await store.getCouponBudget(effect.journey, day, read)).unsettled, day).toEqual({});
      }
    const onSecondShard = coupons.filter((coupon) => budgetShardOf(coupon.couponId, SHARDS) !== 0);
    const charged = [...clean.budgets.values()].reduce((sum, value) => sum + value, 0);
    expect(onSecondShard.length).toBeGreaterThanOrEqual(1);
    expect(charged).toBe(coupons.reduce((sum, coupon) => sum + coupon.amountOff, 0));
  });

  it("dies once at every await point, each time it is reached, on the in-memory store, and ends as the clean run", async () => {
    const points = [...clean.result.points].flatMap(([point, count]) =>
      Array.from({ length: count }, (_, index) => ({ point, occurrence: index + 1 })),
    );
    for (const { point, occurrence } of points) {
      const store = new MemoryStore();
      const crashed = await outcomeOf(store, once(point, occurrence), splitBudgets());
      expect(crashed.result.crashes, `${point} #${occurrence}`).toBe(1);
      await expectSameAsClean(clean, store, crashed);
    }
    expect(points.length).toBeGreaterThan(500);
  });

  it("dies once at each await point and at every point in turn on DynamoDB, and ends as the clean run", async () => {
    for (const point of clean.result.points.keys()) {
      const store = await dynamoStore();
      await expectSameAsClean(clean, store, await outcomeOf(store, once(point, 1), splitBudgets()));
    }
    const store = await dynamoStore();
    const crashed = await outcomeOf(store, everyPointInTurn, splitBudgets());
    expect(crashed.result.crashes).toBeGreaterThan(100);
    await expectSameAsClean(clean, store, crashed);
  });
});
