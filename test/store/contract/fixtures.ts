import type {
  CouponRedemption,
  IssuedCoupon,
  JourneyEffect,
  Outbox,
  Profile,
  RunRecord,
  SentMessage,
  StatsCounter,
  WakeUp,
} from "../../../functions/engine/model.ts";
import type { CouponCharge } from "../../../functions/engine/policy-state.ts";
import type { JourneyControl } from "../../../functions/runtime/control-cache.ts";
import type { Awaitable } from "../../../functions/runtime/ports.ts";
import { shopEvent } from "../../engine/fixtures.ts";

/**
 * Real-shaped values for the store contract: what the runtime saves for the shipped journeys (a welcome
 * run waiting a day, its outbox of a sent push, a coupon of new-user-coupon, a review run keyed by order).
 */

/** The contract's "now": 2026-11-01 10:00 UTC. */
export const T0 = Date.parse("2026-11-01T10:00:00Z");
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** A welcome run of user `key`, entered at T0 and waiting a day at its `wait` step. */
export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  const key = overrides.key ?? "u1";
  const trigger = shopEvent("user.registered", iso(T0), { userId: key }, `evt-reg-${key}`);
  return {
    journeyId: "welcome",
    key,
    entries: 1,
    lastEnteredAt: iso(T0),
    lastTriggerAt: iso(T0),
    recentEventIds: [trigger.id],
    run: {
      runId: `welcome:${key}:1`,
      journeyId: "welcome",
      version: 1,
      key,
      userId: key,
      holdout: false,
      status: "active",
      enteredAt: iso(T0),
      stepId: "wait",
      seq: 2,
      wake: { at: iso(T0 + DAY), seq: 2 },
      trigger,
      outputs: {},
    },
    ...overrides,
  };
}

/** The welcome push of run `welcome:<user>:1`, the first effect of its entry decision's outbox. */
export function sentEffect(user = "u1", step = 1): JourneyEffect {
  return {
    id: `welcome:${user}:1:${step}:sent`,
    at: iso(T0),
    journey: "welcome",
    version: 1,
    user,
    run: `welcome:${user}:1`,
    type: "message.sent",
    channel: "push",
    template: "welcome",
    category: "marketing",
    locale: "zh-CN",
    text: `欢迎, ${user}`,
  };
}

/** The entry decision's outbox: the entered effect, then the push; proven under the batch key `proof`. */
export function outbox(user = "u1", proof = `welcome:${user}:1:0:entered`): Outbox {
  const entered: JourneyEffect = { ...sentEffect(user), id: `welcome:${user}:1:0:entered`, type: "journey.entered" };
  return { effects: [entered, sentEffect(user)], events: [], proof };
}

export function profile(overrides: Partial<Profile> = {}): Profile {
  return {
    userId: "u1",
    registeredAt: iso(T0),
    locale: "zh-CN",
    timezone: "Asia/Shanghai",
    channel: "push",
    attributes: { tier: "gold", vip: false },
    consent: { "*": { subscribed: true, at: iso(T0) } },
    orderCount: 2,
    totalSpent: 120.5,
    firstOrderAt: iso(T0 - 30 * DAY),
    lastOrderAt: iso(T0 - DAY),
    fieldTimes: { locale: iso(T0), "attributes.tier": iso(T0) },
    ...overrides,
  };
}

/** A user's recent sends: `count` welcome pushes a minute apart. */
export function sends(userId = "u1", count = 1): SentMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `welcome:${userId}:1:${i + 1}:sent`,
    at: iso(T0 + i * MINUTE),
    journeyId: "welcome",
    channel: "push",
    category: "marketing",
  }));
}

export const coupon = (hash: string): IssuedCoupon => ({
  couponId: `cpn.new-user-coupon.1.issue-welcome-coupon.${hash}`,
  code: `WELCOME-${hash.toUpperCase()}`,
  amountOff: 10,
  currency: "CNY",
  freeShipping: false,
  minSpend: 50,
  expiresAt: iso(T0 + 7 * DAY),
});

/** A charge of new-user-coupon's budget for 2026-11-01 (1,000 a day), for coupon `hash` of run `user`. */
export function charge(hash: string, overrides: Partial<CouponCharge> = {}): CouponCharge {
  return {
    journeyId: "new-user-coupon",
    day: "2026-11-01",
    couponId: coupon(hash).couponId,
    runId: `new-user-coupon:u-${hash}:1`,
    amount: 10,
    limit: 1000,
    ...overrides,
  };
}

export function redemption(hash: string, overrides: Partial<CouponRedemption> = {}): CouponRedemption {
  return {
    couponId: coupon(hash).couponId,
    userId: `u-${hash}`,
    orderId: `SO-${hash}`,
    redeemedAt: iso(T0 + DAY),
    ...overrides,
  };
}

/** A run's wake-up of the welcome journey, due at `at` (epoch ms). */
export const runWakeUp = (key: string, at: number, seq = 2): WakeUp => ({
  kind: "run",
  journeyId: "welcome",
  key,
  at: iso(at),
  seq,
});

/** An inactivity wake-up of dormancy-reactivation, due at `at` (epoch ms). */
export const inactivityWakeUp = (key: string, at: number): WakeUp => ({
  kind: "inactivity",
  journeyId: "dormancy-reactivation",
  key,
  at: iso(at),
});

export function counter(day: string, name: string, amount: number, overrides: Partial<StatsCounter> = {}) {
  return { journeyId: "welcome", version: 1, day, name, amount, ...overrides };
}

export function control(journeyId: string, paused: boolean, overrides: Partial<JourneyControl> = {}): JourneyControl {
  return {
    journeyId,
    paused,
    ...(paused ? { reason: "checking the copy", by: "cli:ops" } : {}),
    since: iso(T0),
    ...overrides,
  };
}

/** In a stable order, for results whose order no port promises. */
export function sorted<T>(values: readonly T[], by: (value: T) => string): T[] {
  return [...values].sort((a, b) => (by(a) < by(b) ? -1 : by(a) > by(b) ? 1 : 0));
}

/** What a write threw (undefined if it did not), awaited at once: no rejection is left unhandled meanwhile. */
export async function failure(write: Awaitable<unknown>): Promise<unknown> {
  try {
    await write;
    return undefined;
  } catch (error) {
    return error;
  }
}
