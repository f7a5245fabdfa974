import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, harness, journey, shopEvent } from "../engine/fixtures.ts";
import { BUDGET_DAY, BUDGET_NOON, DAILY_BUDGET } from "../support/coupon-budget.ts";
import { NO_POLICIES } from "../support/policies.ts";

/**
 * The rounds of a coupon decision (PolicyReservations.decide): the engine decides as if nothing were spent,
 * says which budget day it wants, and the runtime reads it. A read with room for the coupon leaves the
 * decision as it was, so it is not made again; a read that changes it (no room, or the coupon found charged
 * by an earlier attempt) is decided again with what was read.
 */

const welcomeCoupon = journey({
  id: "welcome-coupon",
  policy: DAILY_BUDGET,
  start: "coupon",
  steps: [{ id: "coupon", type: "issue-coupon", amountOff: 20, validFor: "P7D" }],
});

const registered = shopEvent("user.registered", BUDGET_NOON, { userId: "u1" });
const budget = (store: MemoryStore) => store.getCouponBudget("welcome-coupon", BUDGET_DAY);
const issued = (delivered: readonly JourneyEffect[]) => delivered.filter((effect) => effect.type === "coupon.issued");

function runtimeOver(store: MemoryStore) {
  return harness(new JourneyCatalog([welcomeCoupon]), store, NO_POLICIES);
}

describe("a coupon decision's budget rounds", () => {
  it("decides once when the budget read has room for the coupon", async () => {
    // Prepare
    const store = new MemoryStore();
    const { runtime, delivered } = runtimeOver(store);
    // Act
    await runtime.handleEvent(registered, at(BUDGET_NOON));
    await runtime.flush();
    // Assess
    expect(runtime.stats).toMatchObject({ decisions: 1, decideCalls: 1 });
    expect(issued(delivered)).toHaveLength(1);
    expect(await budget(store)).toEqual({ spent: 20, unsettled: {} });
  });

  it("decides again when the budget read leaves no room: the journey's fallback applies", async () => {
    // Prepare: 990 of the day's 1000 spent already, by a decision saved and settled.
    const store = new MemoryStore();
    const spent = { journeyId: "welcome-coupon", day: BUDGET_DAY, runId: "r0", amount: 990, limit: 1000 };
    await store.chargeCouponBudget({ ...spent, couponId: "earlier" });
    store.settleCouponCharges({ journeyId: "welcome-coupon", day: BUDGET_DAY, settled: ["earlier"], released: [] });
    const charge = store.chargeCouponBudget.bind(store);
    let charges = 0;
    store.chargeCouponBudget = (...args) => {
      charges++;
      return charge(...args);
    };
    const { runtime, delivered } = runtimeOver(store);
    // Act
    await runtime.handleEvent(registered, at(BUDGET_NOON));
    // Assess: no charge tried on a day read as full.
    expect(runtime.stats).toMatchObject({ decisions: 1, decideCalls: 2 });
    expect(charges).toBe(0);
    expect(issued(delivered)).toEqual([]);
    expect((await budget(store)).spent).toBe(990);
  });

  it("decides again, charging nothing twice, when it finds its coupon charged by an attempt that died", async () => {
    // Prepare: the first attempt charges the coupon, then its process dies at the record's save.
    const store = new MemoryStore();
    const putRecord = store.putRecord.bind(store);
    store.putRecord = () => {
      throw new Error("process died");
    };
    const dying = runtimeOver(store);
    const died = await dying.runtime.handleEvent(registered, at(BUDGET_NOON)).catch((error: Error) => error.message);
    store.putRecord = putRecord;
    const chargedBefore = await budget(store);
    // Act: the event is redelivered to another process.
    const next = runtimeOver(store);
    await next.runtime.handleEvent(registered, at(BUDGET_NOON));
    await next.runtime.flush();
    // Assess: the coupon issued, its one charge found and kept, not charged again.
    expect(died).toBe("process died");
    expect(chargedBefore.spent).toBe(20);
    expect(next.runtime.stats).toMatchObject({ decisions: 1, decideCalls: 2 });
    expect(issued(next.delivered)).toHaveLength(1);
    expect(await budget(store)).toEqual({ spent: 20, unsettled: {} });
  });
});
