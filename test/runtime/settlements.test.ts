import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { Decision } from "../../functions/engine/decide.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import type { CouponCharge } from "../../functions/engine/policy-state.ts";
import { PolicyReservations } from "../../functions/runtime/reservations.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, fireWakeUpsUntil, harness, journey, shopEvent } from "../engine/fixtures.ts";
import { BUDGET_DAY, BUDGET_NOON, DAILY_BUDGET } from "../support/coupon-budget.ts";
import { NO_POLICIES } from "../support/policies.ts";

/**
 * Lazy coupon settlements in the runtime (PolicyReservations): a saved decision's markers are queued, not
 * written; a give-back is written at once; a run's earlier coupon found still marked is settled, never
 * given back, whether its marker is queued in this process or was left by one that died.
 */

/** Two coupons of 20 an hour apart, in one run and one budget day. */
const twoCoupons = journey({
  id: "two-coupons",
  policy: DAILY_BUDGET,
  start: "first",
  steps: [
    { id: "first", type: "issue-coupon", amountOff: 20, validFor: "P7D", next: "later" },
    { id: "later", type: "wait", for: "PT1H", next: "second" },
    { id: "second", type: "issue-coupon", amountOff: 20, validFor: "P7D" },
  ],
});

/** A runtime as the ingest function runs it: what a batch leaves is written when flushed. */
function batchRuntime(store: MemoryStore) {
  const batch = { flushEveryInputs: Number.POSITIVE_INFINITY };
  return harness(new JourneyCatalog([twoCoupons]), store, NO_POLICIES, batch);
}

const budget = (store: MemoryStore) => store.getCouponBudget("two-coupons", BUDGET_DAY);
const issued = (delivered: readonly JourneyEffect[]) =>
  delivered.flatMap((effect) => (effect.type === "coupon.issued" ? [effect.coupon.couponId] : []));

describe("lazy coupon settlements", () => {
  it("clears a run's first coupon marker with its second charge, in one process", async () => {
    // Prepare
    const store = new MemoryStore();
    const { runtime, delivered } = batchRuntime(store);
    await runtime.handleEvent(shopEvent("user.registered", BUDGET_NOON, { userId: "u1" }), at(BUDGET_NOON));
    const afterFirst = Object.keys((await budget(store)).unsettled);
    // Act
    await fireWakeUpsUntil(store, runtime, "2026-11-25T05:00:00Z");
    // Assess: the first marker went with the second charge; the second waits for the flush.
    const [first, second] = issued(delivered);
    expect(afterFirst).toEqual([first]);
    expect(await budget(store)).toEqual({ spent: 40, unsettled: { [String(second)]: expect.anything() } });
    await runtime.flush();
    expect(await budget(store)).toEqual({ spent: 40, unsettled: {} });
  });

  it("queues a settlement its flush failed to write again, and writes it at the next flush", async () => {
    // Prepare: one coupon charged; the first settlement write fails, as a throttled UpdateItem would.
    const store = new MemoryStore();
    const { runtime } = batchRuntime(store);
    await runtime.handleEvent(shopEvent("user.registered", BUDGET_NOON, { userId: "u1" }), at(BUDGET_NOON));
    const settle = store.settleCouponCharges.bind(store);
    let failures = 1;
    store.settleCouponCharges = (settlement) => {
      if (failures-- > 0) throw new Error("throttled");
      return settle(settlement);
    };
    // Act
    const failed = await runtime.flush().then(
      () => "written",
      (error: Error) => error.message,
    );
    const markedAfterFailure = Object.keys((await budget(store)).unsettled).length;
    await runtime.flush();
    // Assess
    expect(failed).toBe("throttled");
    expect(markedAfterFailure).toBe(1);
    expect(await budget(store)).toEqual({ spent: 20, unsettled: {} });
  });

  it("settles, never gives back, a run's earlier coupon whose marker a dead process left", async () => {
    // Prepare: the first decision is saved by a process that dies before its flush.
    const store = new MemoryStore();
    const dying = batchRuntime(store);
    await dying.runtime.handleEvent(shopEvent("user.registered", BUDGET_NOON, { userId: "u1" }), at(BUDGET_NOON));
    // Act: a new process takes the wake-up, reads the budget (the first marker still there), issues the second.
    const next = batchRuntime(store);
    await fireWakeUpsUntil(store, next.runtime, "2026-11-25T05:00:00Z");
    await next.runtime.flush();
    // Assess: both coupons counted, once each (the first outbox, never proven, handed on again with its ids).
    expect(new Set(issued([...dying.delivered, ...next.delivered])).size).toBe(2);
    expect(await budget(store)).toEqual({ spent: 40, unsettled: {} });
  });

  it("gives back at once a charge of the run that the saved decision no longer holds", async () => {
    // Prepare: an earlier attempt charged c1 for run r1, and c9 waits to be settled on the same day.
    const store = new MemoryStore();
    const charge = (couponId: string): CouponCharge => ({
      journeyId: "two-coupons",
      day: BUDGET_DAY,
      couponId,
      runId: "r1",
      amount: 20,
      limit: 1000,
    });
    await store.chargeCouponBudget(charge("c1"));
    await store.chargeCouponBudget(charge("c9"));
    const reservations = new PolicyReservations(store, new JourneyCatalog([twoCoupons]), NO_POLICIES);
    // The saved decision: run r1 holds c9 from an earlier decision, issues nothing now.
    const saved = { record: { run: { runId: "r1", outputs: { first: { couponId: "c9" } } } }, effects: [] };
    // Act
    await reservations.settle(saved as unknown as Decision, [charge("c1"), charge("c9")], undefined);
    const afterSettle = await budget(store);
    await reservations.flush();
    // Assess: c1 given back with the settle, c9 kept (counted) and cleared by the flush.
    expect(afterSettle).toEqual({ spent: 20, unsettled: { c9: { amount: 20, runId: "r1", shard: 0 } } });
    expect(await budget(store)).toEqual({ spent: 20, unsettled: {} });
  });
});
