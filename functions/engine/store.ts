import type { ShopEvent } from "../../events/catalog.ts";
import type { CouponRecord, JourneyEffect, Profile, RunRecord, StatsCounter, WakeUp } from "./model.ts";

/**
 * The storage port. The engine's runtime needs only these methods; the in-memory store implements them
 * for the simulator and tests, the DynamoDB store for the platform. Every write is a single-item
 * conditional write: `expectedRevision` is the revision read (undefined: the item must not exist yet),
 * and a mismatch throws ConcurrencyError so the caller reloads and decides again.
 */
export interface Versioned<T> {
  value: T;
  revision: number;
}

export interface RunStore {
  getRecord(journeyId: string, key: string): Promise<Versioned<RunRecord> | undefined>;
  /** Saves the record if its revision is still `expectedRevision`; returns the new revision. */
  putRecord(record: RunRecord, expectedRevision: number | undefined): Promise<number>;
  /**
   * The record's pending effects were carried out: the store may drop them from that revision. Optional:
   * the in-memory store frees them; a durable store keeps them until the next write replaces them, since
   * a write only to forget them would cost as much as the step itself.
   */
  settleRecord?(journeyId: string, key: string, revision: number): Promise<void>;
}

export interface ProfileStore {
  getProfile(userId: string): Promise<Versioned<Profile> | undefined>;
  putProfile(profile: Profile, expectedRevision: number | undefined): Promise<void>;
}

/** The ledger of effects carried out, keyed by the effect's deterministic id. */
export interface EffectLedger {
  /** Records the effect; true the first time its id is seen, false for a repeat (do not carry it out). */
  claimEffect(effect: JourneyEffect): Promise<boolean>;
  /** claimEffect for each, in order: a decision's effects in one call. */
  claimEffects(effects: readonly JourneyEffect[]): Promise<boolean[]>;
  /**
   * Optional: whether an effect id was claimed, read cheaply. Effects are claimed in order, so the last
   * effect of a saved decision tells whether its outbox was carried out, and a durable store is spared
   * offering them all again (a refused conditional write costs a write unit each).
   */
  isClaimed?(effectId: string): Promise<boolean>;
}

export interface TimerStore {
  /**
   * Stores a wake-up. Scheduling the same wake-up twice may keep one or fire it twice: a wake-up that
   * fires after its run moved on (or its clock restarted) is stale and changes nothing.
   */
  scheduleWakeUp(wakeUp: WakeUp): Promise<void>;
  /** Takes up to `limit` wake-ups due at or before `until` (epoch ms), earliest first, off the store. */
  takeDueWakeUps(until: number, limit: number): Promise<WakeUp[]>;
  /** The due time of the earliest pending wake-up, for a virtual clock that jumps to it. */
  nextWakeUpAt(): Promise<number | undefined>;
}

/** What the platform knows of each issued coupon: issued, redeemed, and (past `expiresAt`) expired. */
export interface CouponStore {
  /** Applies a `coupon.issued` or `coupon.redeemed` event; idempotent, and safe in any arrival order. */
  recordCouponEvent(event: ShopEvent): Promise<void>;
  getCoupon(couponId: string): Promise<CouponRecord | undefined>;
}

/**
 * Journey statistics: counters per journey, version, UTC day and name (`entered`, `message.sent`,
 * `message.suppressed.unsubscribed`, `coupon.value`...). A durable store spreads each counter over
 * shards so a promotion peak makes no hot key, and sums them on read.
 */
export interface StatsStore {
  addStats(counters: readonly StatsCounter[]): Promise<void>;
  /** Sums of every counter of a journey for the days from `fromDay` to `toDay` (YYYY-MM-DD, inclusive). */
  readStats(journeyId: string, fromDay: string, toDay: string): Promise<StatsCounter[]>;
}

export interface JourneyStore extends RunStore, ProfileStore, EffectLedger, TimerStore, CouponStore, StatsStore {}
