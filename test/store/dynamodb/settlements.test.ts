import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../../functions/engine/model.ts";
import type { CouponCharge } from "../../../functions/engine/policy-state.ts";
import type { JourneyStore } from "../../../functions/runtime/ports.ts";
import { CrashingStore, SimulatedCrash } from "../../../functions/simulator/faults.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../../functions/store/memory/memory-store.ts";
import { at, harness, journey, shopEvent } from "../../engine/fixtures.ts";
import { freshTable } from "../../setup/dynalite.ts";
import { NO_POLICIES } from "../../support/policies.ts";

/**
 * Coupon settlements carried by the next charge: a saved decision's charge marker is not cleared with a
 * write of its own but by the next charge on the same budget item (in the charge's write), and what is left
 * by the runtime's flush at the end of a batch. The charge's condition is about its own coupon: a refused
 * charge removes nothing. A retried decision still finds its own charge, never charged twice.
 */

const NOON = "2026-11-25T04:00:00Z";
const DAY = "2026-11-25";

async function dynamoDbStore() {
  const { client, tableName } = await freshTable();
  return new DynamoDbStore(client, { tableName, clock: () => at(NOON) });
}

const stores: [string, () => Promise<JourneyStore>][] = [
  ["the in-memory store", async () => new MemoryStore()],
  ["DynamoDB", dynamoDbStore],
];

/** A welcome coupon of 20 against `perDay` a day, then a message. */
const welcome = (perDay: number) =>
  journey({
    id: "welcome",
    policy: { couponBudget: { perDay, whenExhausted: "skip-coupon" } },
    start: "issue",
    steps: [
      { id: "issue", type: "issue-coupon", amountOff: 20, validFor: "P7D", next: "hello" },
      { id: "hello", type: "send", channel: "push", template: "hello" },
    ],
  });

/** A runtime as the ingest function runs it: statistics and settlements written when flushed, per batch. */
function batchRuntime(store: JourneyStore, perDay: number) {
  const batch = { flushEveryInputs: Number.POSITIVE_INFINITY };
  return harness(new JourneyCatalog([welcome(perDay)]), store, NO_POLICIES, batch);
}

/** The store, except that its second budget read runs `meanwhile` before it returns. */
function readThenLet(store: JourneyStore, meanwhile: () => Promise<void>): JourneyStore {
  let reads = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== "getCouponBudget") return Reflect.get(target, property, receiver);
      return async (...args: Parameters<JourneyStore["getCouponBudget"]>) => {
        const budget = await target.getCouponBudget(...args);
        if (++reads === 2) await meanwhile();
        return budget;
      };
    },
  });
}

const register = (userId: string) => shopEvent("user.registered", NOON, { userId }, `reg-${userId}`);
const couponsOf = (delivered: readonly JourneyEffect[]) =>
  delivered.flatMap((effect) => (effect.type === "coupon.issued" ? [effect.coupon.couponId] : []));
const unsettledOn = async (store: JourneyStore) =>
  Object.keys((await store.getCouponBudget("welcome", DAY, { consistent: true })).unsettled).sort();

describe.each(stores)("chargeCouponBudget with settled markers, on %s", (_name, newStore) => {
  const charge = (couponId: string): CouponCharge => ({
    journeyId: "welcome",
    day: DAY,
    couponId,
    runId: `run-${couponId}`,
    amount: 20,
    limit: 40,
  });

  it("removes the settled markers with a charge, and nothing with a refused one", async () => {
    // Prepare: c1 and c2 charged, the day's 40 spent.
    const store = await newStore();
    await store.chargeCouponBudget(charge("c1"));
    await store.chargeCouponBudget(charge("c2"));
    // Act: c3 has no room (c1 settled rides on it); c2 again, charged already (c1 settled rides on it).
    const refused = await store.chargeCouponBudget(charge("c3"), ["c1"]);
    const afterRefused = await unsettledOn(store);
    const again = await store.chargeCouponBudget(charge("c2"), ["c1", "c2"]);
    // Assess
    expect(refused).toBeUndefined();
    expect(afterRefused).toEqual(["c1", "c2"]);
    expect(again).toEqual({ shard: 0 });
    expect(await unsettledOn(store)).toEqual(["c2"]);
    expect((await store.getCouponBudget("welcome", DAY, { consistent: true })).spent).toBe(40);
  });
});

describe("coupon settlements carried by the next charge, on DynamoDB", () => {
  it("clears the first coupon's marker in the second's charge: one write a coupon, no write to settle", async () => {
    // Prepare
    const store = await dynamoDbStore();
    const { runtime, delivered } = batchRuntime(store, 1000);
    // Act
    await runtime.handleEvent(register("u1"), at(NOON));
    await runtime.handleEvent(register("u2"), at(NOON));
    // Assess: two charges, one write unit each; u1's marker went with u2's charge; u2's waits.
    const [first, second] = couponsOf(delivered);
    expect(store.capacity.chargeCouponBudget).toMatchObject({ requests: 2, write: 2, conditionFailures: 0 });
    expect(store.capacity.settleCouponCharges).toBeUndefined();
    expect(await unsettledOn(store)).toEqual([second]);
    expect(first).not.toBe(second);
  });

  it("writes what no charge carried when the runtime flushes: one write per budget day", async () => {
    // Prepare
    const store = await dynamoDbStore();
    const { runtime } = batchRuntime(store, 1000);
    for (const userId of ["u1", "u2", "u3"]) await runtime.handleEvent(register(userId), at(NOON));
    // Act
    await runtime.flush();
    await runtime.flush();
    // Assess
    expect(store.capacity.settleCouponCharges).toMatchObject({ requests: 1 });
    expect(await unsettledOn(store)).toEqual([]);
    expect((await store.getCouponBudget("welcome", DAY, { consistent: true })).spent).toBe(60);
  });

  it("keeps a marker queued past a refused charge, and the flush clears it", async () => {
    // Prepare: a budget of two coupons a day; one process issued u1's. Its next budget read (u2's) is
    // followed, before its charge, by another process issuing u3's coupon: the last room.
    const store = await dynamoDbStore();
    const other = batchRuntime(store, 40);
    const first = batchRuntime(
      readThenLet(store, () => other.runtime.handleEvent(register("u3"), at(NOON))),
      40,
    );
    await first.runtime.handleEvent(register("u1"), at(NOON));
    // Act: u2's charge is refused, and the coupon withheld; u1's marker did not go with it.
    await first.runtime.handleEvent(register("u2"), at(NOON));
    const beforeFlush = await unsettledOn(store);
    await first.runtime.flush();
    // Assess
    const withheld = first.delivered.filter((effect) => effect.type === "coupon.withheld");
    expect(withheld.map((effect) => effect.user)).toEqual(["u2"]);
    expect(store.capacity.chargeCouponBudget?.conditionFailures).toBe(1);
    const [u1] = couponsOf(first.delivered);
    const [u3] = couponsOf(other.delivered);
    expect(beforeFlush).toEqual([u1, u3].sort());
    expect(await unsettledOn(store)).toEqual([u3]);
    expect((await store.getCouponBudget("welcome", DAY, { consistent: true })).spent).toBe(40);
  });

  it("lets a decision retried after its process died before the save find its own charge: charged once", async () => {
    // Prepare: a process issues u1's coupon (settlement queued), then dies before saving u2's decision.
    const store = await dynamoDbStore();
    const crashing = new CrashingStore(store, () => undefined);
    const dying = batchRuntime(crashing, 1000);
    await dying.runtime.handleEvent(register("u1"), at(NOON));
    crashing.arm("before-save");
    await expect(dying.runtime.handleEvent(register("u2"), at(NOON))).rejects.toThrow(SimulatedCrash);
    // Act: the input delivered again to a new process, which then ends its batch.
    const next = batchRuntime(store, 1000);
    await next.runtime.handleEvent(register("u2"), at(NOON));
    await next.runtime.flush();
    // Assess: u2's charge was found, not made again; u1's marker went with it (the dead queue is not needed).
    expect(couponsOf(next.delivered)).toHaveLength(1);
    expect(store.capacity.chargeCouponBudget?.requests).toBe(2);
    expect((await store.getCouponBudget("welcome", DAY, { consistent: true })).spent).toBe(40);
    expect(await unsettledOn(store)).toEqual([]);
  });

  it("leaves the markers of a process that died before its flush, counting nothing twice", async () => {
    // Prepare: a process saves u1's decision and dies before the end of its batch.
    const store = await dynamoDbStore();
    const dying = batchRuntime(store, 1000);
    await dying.runtime.handleEvent(register("u1"), at(NOON));
    // Act: another process issues u2's coupon and ends its batch.
    const next = batchRuntime(store, 1000);
    await next.runtime.handleEvent(register("u2"), at(NOON));
    await next.runtime.flush();
    // Assess: u1's marker stays (a coupon charged), u2's is cleared; each coupon counted once.
    expect(await unsettledOn(store)).toEqual(couponsOf(dying.delivered));
    expect((await store.getCouponBudget("welcome", DAY, { consistent: true })).spent).toBe(40);
  });
});
