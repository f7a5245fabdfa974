import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { unitInterval } from "../../functions/shared/hash.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { journey } from "../engine/fixtures.ts";
import { event } from "../scenarios/helpers.ts";
import { NO_POLICIES } from "../support/policies.ts";

/**
 * A shop whose report figures are worked out by hand. The journey: a 10 CNY coupon, a welcome, a day's
 * wait, a reminder; an order ends the run and converts its goal (within 7 days); half the entrants are
 * held out. Users are picked by the engine's own holdout hash, so the groups are exactly as chosen.
 */
export const REPORTED = journey({
  id: "report-test",
  holdoutPercent: 50,
  goal: { pattern: { "detail-type": ["order.placed"] }, within: "P7D" },
  exitOn: [{ "detail-type": ["order.placed"] }],
  start: "coupon",
  steps: [
    {
      id: "coupon",
      type: "issue-coupon",
      amountOff: 10,
      currency: "CNY",
      validFor: "P7D",
      codePrefix: "T",
      next: "welcome",
    },
    { id: "welcome", type: "send", channel: "push", template: "hello", next: "wait" },
    { id: "wait", type: "wait", for: "P1D", next: "reminder" },
    { id: "reminder", type: "send", channel: "push", template: "hello" },
  ],
});

export const REGISTERED_AT = "2026-11-02T01:00:00Z";
export const ORDERED_AT = "2026-11-02T13:00:00Z";

/** The first `count` user ids of a group, in order (u-0, u-1, ...: those the hash puts in that group). */
export function usersIn(group: "treatment" | "holdout", count: number): string[] {
  const users: string[] = [];
  for (let n = 0; users.length < count; n++) {
    const userId = `u-${n}`;
    const held = unitInterval(`holdout/${REPORTED.id}/${userId}`) < REPORTED.holdoutPercent / 100;
    if (held === (group === "holdout")) users.push(userId);
  }
  return users;
}

export interface ShopPlan {
  treatment: number;
  holdout: number;
  /** How many of each group order (the first ones), each order worth `amount(index)`. */
  treatmentOrders: number;
  holdoutOrders: number;
  /** How many of the treatment orders use the user's coupon (a coupon.redeemed event with the order). */
  redemptions: number;
}

/** The order value of the i-th order of a group: 100, 110, 120... */
export const orderAmount = (index: number) => 100 + 10 * index;

/**
 * Simulates the plan into the store: registrations, then orders 12 hours later (before the reminder),
 * the first `redemptions` of the treatment orders redeeming their coupon. The coupon ids come from a first
 * simulation of the registrations alone (the engine derives them from the run), on a store thrown away.
 * `reported`: the journey, REPORTED or a variant of it with the same id (one that keeps hours).
 */
export async function simulateShop(plan: ShopPlan, store: JourneyStore, reported = REPORTED): Promise<void> {
  const treated = usersIn("treatment", plan.treatment);
  const held = usersIn("holdout", plan.holdout);
  const registrations = [...treated, ...held].map((userId) =>
    event("user.registered", REGISTERED_AT, { userId, timezone: "Asia/Shanghai" }),
  );
  const first = await simulate({ journeys: [reported], lines: registrations, policies: NO_POLICIES });
  const couponOf = new Map(
    first.lines
      .filter((line) => line.type === "coupon.issued")
      .map((line) => [line.user, (line.coupon as { couponId: string }).couponId]),
  );
  const order = (userId: string, index: number) =>
    event("order.placed", ORDERED_AT, { userId, orderId: `o-${userId}`, amount: orderAmount(index), currency: "CNY" });
  const orders = [
    ...treated.slice(0, plan.treatmentOrders).map(order),
    ...held.slice(0, plan.holdoutOrders).map(order),
  ];
  const redemptions = treated
    .slice(0, plan.redemptions)
    .map((userId) =>
      event("coupon.redeemed", ORDERED_AT, { userId, couponId: couponOf.get(userId), orderId: `o-${userId}` }),
    );
  await simulate({
    journeys: [reported],
    lines: [...registrations, ...orders, ...redemptions],
    policies: NO_POLICIES,
    store,
    until: Date.parse("2026-11-12T00:00:00Z"),
  });
}
