import { describe, expect, it } from "vitest";
import { budgetShardOf } from "../../../functions/engine/budget-shards.ts";
import { JourneyCatalog } from "../../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../../functions/engine/model.ts";
import type { CouponCharge } from "../../../functions/engine/policy-state.ts";
import type { JourneyStore } from "../../../functions/runtime/ports.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../../functions/store/memory/memory-store.ts";
import { at, harness, journey, shopEvent } from "../../engine/fixtures.ts";
import { freshTable } from "../../setup/dynalite.ts";
import { NO_POLICIES } from "../../support/policies.ts";

/**
 * A coupon budget day over shards on DynamoDB (dynalite): each shard its own conditional UpdateItem within its
 * part of perDay, so charges racing on every shard at once never take the day past perDay, and every unit of
 * room is usable (a charge its home shard has no room for goes on to the next shard with room).
 */

const NOON = "2026-11-25T04:00:00Z";
const DAY = "2026-11-25";

async function dynamoDbStore() {
  const { client, tableName } = await freshTable();
  return new DynamoDbStore(client, { tableName, clock: () => at(NOON) });
}

const charge = (couponId: string, amount: number, limit: number): CouponCharge => ({
  journeyId: "welcome",
  day: DAY,
  couponId,
  runId: `run-${couponId}`,
  amount,
  limit,
  shards: 4,
});

/** Markers per shard, from a consistent read of every shard. */
async function markersPerShard(store: DynamoDbStore): Promise<number[]> {
  const { unsettled } = await store.getCouponBudget("welcome", DAY, { consistent: true, shards: 4 });
  const counts = [0, 0, 0, 0];
  for (const { shard } of Object.values(unsettled)) counts[shard] = (counts[shard] ?? 0) + 1;
  return counts;
}

describe("a budget day over 4 shards on DynamoDB, charges racing", () => {
  it("never passes perDay and uses every unit of it: 42 over 4 shards (11, 11, 10, 10), 80 charges of 1 at once", async () => {
    // Prepare
    const store = await dynamoDbStore();
    const couponIds = Array.from({ length: 80 }, (_, i) => `cpn.welcome.1.issue.u${i}`);
    // Act
    const charged = await Promise.all(couponIds.map((couponId) => store.chargeCouponBudget(charge(couponId, 1, 42))));
    // Assess: exactly 42 charged, each shard full to its part.
    const budget = await store.getCouponBudget("welcome", DAY, { consistent: true, shards: 4 });
    expect(charged.filter((on) => on !== undefined)).toHaveLength(42);
    expect(budget.spent).toBe(42);
    expect(await markersPerShard(store)).toEqual([11, 11, 10, 10]);
  });

  it("fills every shard with coupons of 5 and withholds the rest: 100 over 4 shards, 40 charges at once", async () => {
    // Prepare
    const store = await dynamoDbStore();
    const couponIds = Array.from({ length: 40 }, (_, i) => `cpn.welcome.1.issue.v${i}`);
    // Act
    const charged = await Promise.all(couponIds.map((couponId) => store.chargeCouponBudget(charge(couponId, 5, 100))));
    const again = await Promise.all(couponIds.map((couponId) => store.chargeCouponBudget(charge(couponId, 5, 100))));
    // Assess: 20 charged; charged again, the same 20 are found where they are, and nothing more is added.
    expect(charged.filter((on) => on !== undefined)).toHaveLength(20);
    expect(again).toEqual(charged);
    expect((await store.getCouponBudget("welcome", DAY, { consistent: true, shards: 4 })).spent).toBe(100);
    expect(await markersPerShard(store)).toEqual([5, 5, 5, 5]);
  });

  it("reads every shard when asked for the day: 4 GetItems, 0.5 RCU each; a charge on its home shard is one UpdateItem of 1 WCU", async () => {
    // Prepare
    const store = await dynamoDbStore();
    // Act
    await store.getCouponBudget("welcome", DAY, { shards: 4 });
    await store.chargeCouponBudget(charge("cpn.welcome.1.issue.w1", 5, 100));
    // Assess
    expect(store.capacity.getCouponBudget).toMatchObject({ requests: 4, read: 2 });
    expect(store.capacity.chargeCouponBudget).toMatchObject({ requests: 1, write: 1, conditionFailures: 0 });
  });
});

/** A welcome coupon of 20 against 80 a day over 4 shards (20 each: one coupon a shard), then a message. */
const welcome = journey({
  id: "welcome",
  policy: { couponBudget: { perDay: 80, whenExhausted: "skip-coupon", shards: 4 } },
  start: "issue",
  steps: [
    { id: "issue", type: "issue-coupon", amountOff: 20, validFor: "P7D", next: "hello" },
    { id: "hello", type: "send", channel: "push", template: "hello" },
  ],
});

const register = (userId: string) => shopEvent("user.registered", NOON, { userId }, `reg-${userId}`);
const ofType = (delivered: readonly JourneyEffect[], type: string) => delivered.filter((e) => e.type === type);

/** The store, recording for each charge made its coupon's home shard and the shard it was charged on. */
function recordingLandings(store: DynamoDbStore, landings: { home: number; on: number | undefined }[]): JourneyStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== "chargeCouponBudget") return Reflect.get(target, property, receiver);
      return async (...args: Parameters<JourneyStore["chargeCouponBudget"]>) => {
        const charged = await target.chargeCouponBudget(...args);
        landings.push({ home: budgetShardOf(args[0].couponId, args[0].shards ?? 1), on: charged?.shard });
        return charged;
      };
    },
  });
}

/** Five users whose first four coupons' home shards are not all different (some land on another shard). */
const USERS = ["u6", "u7", "u8", "u9", "u10"];

describe("the runtime over a budget day of 4 shards, on DynamoDB", () => {
  it("issues a coupon while any shard has room, withholds the fifth, and settles every shard's markers where they landed", async () => {
    // Prepare
    const store = await dynamoDbStore();
    const landings: { home: number; on: number | undefined }[] = [];
    const batch = { flushEveryInputs: Number.POSITIVE_INFINITY };
    const catalog = new JourneyCatalog([welcome]);
    const { runtime, delivered } = harness(catalog, recordingLandings(store, landings), NO_POLICIES, batch);
    // Act
    for (const userId of USERS) await runtime.handleEvent(register(userId), at(NOON));
    await runtime.flush();
    // Assess: four coupons, one a shard, some away from their home shard; the fifth withheld; no marker left.
    expect(ofType(delivered, "coupon.issued")).toHaveLength(4);
    expect(ofType(delivered, "coupon.withheld").map((e) => e.user)).toEqual([USERS.at(-1)]);
    expect(new Set(landings.map((landing) => landing.on))).toEqual(new Set([0, 1, 2, 3]));
    expect(landings.some((landing) => landing.on !== landing.home)).toBe(true);
    expect(await store.getCouponBudget("welcome", DAY, { consistent: true, shards: 4 })).toEqual({
      spent: 80,
      unsettled: {},
      spentByShard: [20, 20, 20, 20],
    });
  });

  it("withholds a coupon no shard has room for without trying them, though the shards' room adds up to it", async () => {
    // Prepare: 15 of each shard's 20 spent: 20 left in all, 5 a shard.
    const store = await dynamoDbStore();
    for (const [index, couponId] of ["a", "b", "c", "d"].entries())
      await store.chargeCouponBudget({ ...charge(`cpn.other.${couponId}`, 15, 80), runId: `other-${index}` });
    const landings: { home: number; on: number | undefined }[] = [];
    const { runtime, delivered } = harness(new JourneyCatalog([welcome]), recordingLandings(store, landings));
    // Act
    await runtime.handleEvent(register("u1"), at(NOON));
    // Assess: withheld at the decision, with no charge tried.
    expect(ofType(delivered, "coupon.withheld").map((e) => e.user)).toEqual(["u1"]);
    expect(landings).toEqual([]);
    expect((await store.getCouponBudget("welcome", DAY, { consistent: true, shards: 4 })).spentByShard).toEqual([
      15, 15, 15, 15,
    ]);
  });

  it("reads only the coupon's home shard while it has room (one GetItem a decision), and every shard once it has none", async () => {
    // Prepare: u3's coupon id (the same on any store: ids are the runs' own) and a coupon id of the same home shard
    const memory = harness(new JourneyCatalog([welcome]), new MemoryStore());
    await memory.runtime.handleEvent(register("u3"), at(NOON));
    const issued = ofType(memory.delivered, "coupon.issued")[0];
    const u3Home = budgetShardOf(issued?.type === "coupon.issued" ? issued.coupon.couponId : "", 4);
    const filler = Array.from({ length: 64 }, (_, n) => `cpn.other.fill-${n}`).find(
      (couponId) => budgetShardOf(couponId, 4) === u3Home,
    );
    const store = await dynamoDbStore();
    const { runtime, delivered } = harness(new JourneyCatalog([welcome]), store);
    // Act: u2's decision with every shard empty; then u3's with its home shard full
    await runtime.handleEvent(register("u2"), at(NOON));
    const roomy = { ...store.capacity.getCouponBudget };
    await store.chargeCouponBudget({ ...charge(filler ?? "", 20, 80), runId: "other-fill" });
    await runtime.handleEvent(register("u3"), at(NOON));
    const full = store.capacity.getCouponBudget;
    // Assess: one GetItem (0.5 RCU) for u2; for u3 its home shard, then the four, and the charge's look for its
    // marker on the home shard that refused it (budgets.ts); both get a coupon
    expect(roomy).toMatchObject({ requests: 1, read: 0.5 });
    expect((full?.requests ?? 0) - (roomy.requests ?? 0)).toBe(1 + 4 + 1);
    expect(ofType(delivered, "coupon.issued").map((e) => e.user)).toEqual(["u2", "u3"]);
  });
});
