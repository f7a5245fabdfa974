import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect, Profile, WakeUp } from "../../functions/engine/model.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, harness, journey } from "../engine/fixtures.ts";
import { freshTable } from "../setup/dynalite.ts";
import { NO_POLICIES } from "../support/policies.ts";

/**
 * A campaign's entries wake-up (functions/runtime/campaign-entries.ts): its members read ahead and their
 * coupons charged together, one write per budget shard; each coupon charged once, whatever fails or dies,
 * and every marker settled. On the memory store and on DynamoDB (dynalite), the code the platform runs.
 */

const ENTRY_AT = "2026-12-04T02:00:00Z";
const DAY = "2026-12-04";
const SHARDS = 4;

/** Member day's shape: a coupon of 10 against a day's budget over 4 shards, then its message. */
const memberDay = (perDay: number) =>
  journey({
    id: "member-day",
    trigger: { type: "schedule", schedule: "cron(0 10 ? * FRI *)", timezone: "user", segment: "silver-and-above" },
    policy: { couponBudget: { perDay, whenExhausted: "skip-coupon", shards: SHARDS } },
    start: "issue",
    steps: [
      { id: "issue", type: "issue-coupon", amountOff: 10, validFor: "P1D", next: "hello" },
      { id: "hello", type: "send", channel: "push", template: "hello" },
    ],
    templates: { hello: { "zh-CN": "会员日快乐" } },
  });

const MEMBERS = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, "0")}`);

const entries: WakeUp = {
  kind: "entries",
  journeyId: "member-day",
  key: `@campaign:${MEMBERS[0]}`,
  at: ENTRY_AT,
  occurrence: "2026-12-04T10:00",
  members: MEMBERS,
};

const profileOf = (userId: string): Profile => ({
  userId,
  attributes: {},
  consent: {},
  orderCount: 1,
  totalSpent: 600,
  timezone: "Asia/Shanghai",
  segments: ["silver-and-above"],
});

/** Calls of each budget method, counted as they reach the store; `failPutRecord`: the saves that throw. */
function counting(store: JourneyStore, failPutRecord: (call: number) => boolean = () => false) {
  const calls = { chargeCouponsTogether: 0, chargeCouponBudget: 0, getCouponBudget: 0, putRecord: 0 };
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== "string" || !(property in calls) || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const call = ++calls[property as keyof typeof calls];
        if (property === "putRecord" && failPutRecord(call)) throw new Error("simulated: the process dies here");
        return value.apply(target, args);
      };
    },
  });
  return { store: counted, calls };
}

const issued = (delivered: readonly JourneyEffect[]) => delivered.filter((e) => e.type === "coupon.issued");

describe.each([
  ["the memory store", async () => new MemoryStore()],
  [
    "DynamoDB",
    async () => {
      const { client, tableName } = await freshTable();
      return new DynamoDbStore(client, { tableName, clock: () => at(ENTRY_AT) });
    },
  ],
])("a campaign's entries with coupons, on %s", (_name, newStore) => {
  async function prepared(perDay: number, failPutRecord?: (call: number) => boolean) {
    const inner = await newStore();
    for (const userId of MEMBERS) await inner.putUser(userId, { profile: profileOf(userId) }, undefined);
    const { store, calls } = counting(inner, failPutRecord);
    const catalog = new JourneyCatalog([memberDay(perDay)]);
    const { runtime, delivered } = harness(catalog, store, undefined, { flushEveryInputs: Number.POSITIVE_INFINITY });
    const budget = () => inner.getCouponBudget("member-day", DAY, { consistent: true, shards: SHARDS });
    return { runtime, delivered, calls, budget };
  }

  it("charges 40 members' coupons in one write per budget shard, each once, and settles every marker", async () => {
    // Prepare
    const { runtime, delivered, calls, budget } = await prepared(1000);
    // Act
    await runtime.handleWakeUp(entries, at(ENTRY_AT));
    await runtime.flush();
    // Assess: four writes for forty coupons; no decision read the budget or charged on its own.
    expect(issued(delivered)).toHaveLength(40);
    expect(calls).toMatchObject({ chargeCouponsTogether: SHARDS, chargeCouponBudget: 0, getCouponBudget: 0 });
    expect(await budget()).toMatchObject({ spent: 400, unsettled: {} });
  });

  it("dies after the charges, before any member is saved; the redelivery charges no coupon twice", async () => {
    // Prepare: the first save throws, as a process that dies there.
    const { runtime, delivered, budget } = await prepared(1000, (call) => call === 1);
    // Act
    await expect(runtime.handleWakeUp(entries, at(ENTRY_AT))).rejects.toThrow("simulated");
    await runtime.handleWakeUp(entries, at(ENTRY_AT));
    await runtime.flush();
    // Assess: every member entered once, the day charged once a coupon, no marker left.
    expect(issued(delivered).map((e) => e.user)).toEqual(MEMBERS);
    expect(await budget()).toMatchObject({ spent: 400, unsettled: {} });
  });

  it("fails at the 11th member: what no entry claimed is given back, and the redelivery enters the rest", async () => {
    // Prepare
    const { runtime, delivered, budget } = await prepared(1000, (call) => call === 11);
    // Act
    await expect(runtime.handleWakeUp(entries, at(ENTRY_AT))).rejects.toThrow("simulated");
    const afterFailure = await budget();
    await runtime.handleWakeUp(entries, at(ENTRY_AT));
    await runtime.flush();
    // Assess: ten saved, the 11th's charge left for its retry, the other 29 given back; then all 40 once.
    expect(afterFailure.spent).toBe(110);
    expect(issued(delivered).map((e) => e.user)).toEqual(MEMBERS);
    expect(await budget()).toMatchObject({ spent: 400, unsettled: {} });
  });

  it("withholds coupons past the day's budget, reading the spent day once in the batch, not once a member", async () => {
    // Prepare: room for 8 coupons of 10, 2 a shard
    const { runtime, delivered, calls, budget } = await prepared(80);
    // Act
    await runtime.handleWakeUp(entries, at(ENTRY_AT));
    await runtime.flush();
    // Assess: 8 coupons, 32 members without one. The budget read at most once a coupon issued and twice a
    // shard, not once a member withheld (32 x 5: the home shard, then all four).
    expect(issued(delivered)).toHaveLength(8);
    expect(delivered.filter((e) => e.type === "coupon.withheld")).toHaveLength(32);
    expect(await budget()).toMatchObject({ spent: 80, unsettled: {} });
    expect(calls.getCouponBudget).toBeLessThanOrEqual(8 + 2 * SHARDS);
  });
});

describe("a campaign's entries, their messages handed on together", () => {
  it("gives the sink all 40 members' effects in one call; a failed send proves nothing, and the redelivery sends them all", async () => {
    // Prepare: a sink that batches (as the platform's queues do), whose first call fails.
    const store = new MemoryStore();
    for (const userId of MEMBERS) await store.putUser(userId, { profile: profileOf(userId) }, undefined);
    const calls: JourneyEffect[][] = [];
    const sink = {
      deliver: async () => undefined,
      deliverAll: async (effects: readonly JourneyEffect[]) => {
        calls.push([...effects]);
        if (calls.length === 1) throw new Error("simulated: the queue refused the batch");
      },
    };
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog([memberDay(1000)]),
      store,
      sink,
      publisher: { publish: () => undefined },
      policies: NO_POLICIES,
      flushEveryInputs: Number.POSITIVE_INFINITY,
    });
    // Act: the batch fails and ends (its flush writes the proofs of what went out), then is redelivered.
    await expect(runtime.handleWakeUp(entries, at(ENTRY_AT))).rejects.toThrow("simulated");
    await runtime.flush();
    await runtime.handleWakeUp(entries, at(ENTRY_AT));
    await runtime.flush();
    // Assess: one call each time, with every member's message; the same message ids the second time.
    const messages = (effects: readonly JourneyEffect[]) => effects.filter((e) => e.type === "message.sent");
    expect(calls.map((effects) => messages(effects).length)).toEqual([40, 40]);
    expect(messages(calls[1] ?? []).map((e) => e.id)).toEqual(messages(calls[0] ?? []).map((e) => e.id));
  });
});
