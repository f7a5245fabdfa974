import type { ShopEvent } from "../../events/catalog.ts";
import type { CouponCharge } from "./delivery.ts";
import type { JournalEntry } from "./journal.ts";
import type {
  CouponRecord,
  JourneyEffect,
  Outbox,
  Profile,
  RunRecord,
  SendLog,
  StatsCounter,
  WakeUp,
} from "./model.ts";

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

/**
 * How to read: `consistent: false` allows an eventually consistent read, half the price on DynamoDB. A
 * stale value is safe wherever it is followed by a conditional write (the write is refused and the caller
 * reads again, consistently); the runtime reads that way first and consistently on a retry.
 */
export interface ReadOptions {
  consistent?: boolean;
}

export interface TakeOutboxOptions {
  claim?: WakeUp;
  left?: boolean;
}

export interface RunStore {
  getRecord(journeyId: string, key: string, options?: ReadOptions): Promise<Versioned<RunRecord> | undefined>;
  /** Saves the record if its revision is still `expectedRevision`; returns the new revision. */
  putRecord(record: RunRecord, expectedRevision: number | undefined): Promise<number>;
  /**
   * Claims the outbox (`pending`) of the record saved with `revision`, with one conditional write: true
   * when this call claimed it, and the caller carries it out; false when it was claimed already or the
   * record moved on (whoever saved the next revision claimed it first, see JourneyRuntime). Exactly one
   * caller ever gets true for an outbox.
   *
   * With `claim` (the outbox's `claim`, the run's new wake-up), the claim is scheduling that wake-up:
   * one write for both, where taking the outbox off the record would be a second. `left`: the outbox was
   * found on a stored record, so it may be claimed already; a store may check with a read before it
   * writes. Without `claim`, the outbox is taken off the record.
   */
  takeOutbox(journeyId: string, key: string, revision: number, options?: TakeOutboxOptions): Promise<boolean>;
  /**
   * Undoes a claim whose outbox could not be carried out (a send failed): the outbox can be claimed again,
   * by the retried input. False when the record moved on since, and the outbox cannot be put back.
   */
  releaseOutbox(journeyId: string, key: string, revision: number, outbox: Outbox): Promise<boolean>;
}

export interface ProfileStore {
  getProfile(userId: string, options?: ReadOptions): Promise<Versioned<Profile> | undefined>;
  putProfile(profile: Profile, expectedRevision: number | undefined): Promise<void>;
}

/**
 * The frequency-cap counter: each user's recent sends as one versioned value. Sending under a cap is
 * read, decide, then `putSendLog` with the revision read; of two journeys that read the same revision,
 * one write wins and the other reloads and decides again, so two cannot both pass a cap of one.
 */
export interface SendLogStore {
  getSendLog(userId: string, options?: ReadOptions): Promise<Versioned<SendLog> | undefined>;
  /** Saves the log if its revision is still `expectedRevision`; returns the new revision. */
  putSendLog(log: SendLog, expectedRevision: number | undefined): Promise<number>;
}

/**
 * Coupon budgets: the value of coupons each journey issued per budget day. A charge is one conditional
 * add (no read first), so any number of runs charging at once can never take a day past its limit.
 */
export interface BudgetStore {
  /** The value charged to the journey's budget on the day (0 when nothing was). */
  getCouponBudget(journeyId: string, day: string, options?: ReadOptions): Promise<number>;
  /** Adds the charge if the day stays within `charge.limit`; false, and nothing added, if it would not. */
  chargeCouponBudget(charge: CouponCharge): Promise<boolean>;
}

/** What each journey did for a user, and what was held back and why: the record `nudge why` reads. */
export interface JournalStore {
  /**
   * Records a claimed outbox's effects in their users' journals. Idempotent: recording the same effects
   * again (an outbox carried out again after a failed send) keeps one copy.
   */
  appendJournal(effects: readonly JourneyEffect[]): Promise<void>;
  /** A user's journal entries, oldest first. */
  readJournal(userId: string): Promise<JournalEntry[]>;
}

/**
 * A ledger of effect ids, for a consumer that carries effects out again after an at-least-once hand-over
 * (the deliver function, between the deliver queue and a channel): it claims a message's id before it
 * sends it. The runtime itself needs no ledger: `takeOutbox` hands each decision's effects out once.
 */
export interface EffectLedger {
  /** Records the effect; true the first time its id is seen, false for a repeat (do not carry it out). */
  claimEffect(effect: JourneyEffect): Promise<boolean>;
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
  /**
   * Applies a `coupon.issued` or `coupon.redeemed` event; idempotent, and safe in any arrival order.
   * Returns the coupon as the event left it, or undefined when it changed nothing (a redelivery): the
   * runtime counts a redemption for the issuing journey once, when the coupon first stands redeemed with
   * its journey known (see redemptionStatsOf).
   */
  recordCouponEvent(event: ShopEvent): Promise<CouponRecord | undefined>;
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

export interface JourneyStore
  extends RunStore,
    ProfileStore,
    SendLogStore,
    BudgetStore,
    JournalStore,
    EffectLedger,
    TimerStore,
    CouponStore,
    StatsStore {}
