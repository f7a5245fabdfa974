import type { ShopEvent } from "../../events/catalog.ts";
import type {
  CouponRedemption,
  JourneyEffect,
  Outbox,
  Profile,
  RunRecord,
  SentMessage,
  StatsCounter,
  WakeUp,
} from "../engine/model.ts";
import type { CouponCharge } from "../engine/policy-state.ts";

/**
 * The storage port. The engine's runtime needs only these methods; the in-memory store implements them
 * for the simulator and tests, the DynamoDB store for the platform. Every write is a single-item
 * conditional write: `expectedRevision` is the revision read (undefined: the item must not exist yet),
 * and a mismatch throws ConcurrencyError so the caller reloads and decides again.
 */
/**
 * A port's answer: a promise, or the value itself from an adapter that has it at once (the in-memory store),
 * so that the runtime's hot path waits only on what is truly asynchronous. An await costs a promise and a
 * turn of the microtask queue: millions of them in a simulation (`npm run bench -- --only engine`). Callers
 * that do not care simply `await` it; the runtime awaits only a promise (see isPromise).
 */
export type Awaitable<T> = T | Promise<T>;

/** Whether a port's answer is still to come (see Awaitable). */
export function isPromise<T>(answer: Awaitable<T>): answer is Promise<T> {
  return answer instanceof Promise;
}

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

/** The two ways the hot path reads, one object each rather than one a read. */
export const READ_EVENTUALLY: ReadOptions = Object.freeze({ consistent: false });
export const READ_CONSISTENTLY: ReadOptions = Object.freeze({ consistent: true });

/** `READ_CONSISTENTLY` when `consistent`, else `READ_EVENTUALLY`. */
export const readOptions = (consistent: boolean): ReadOptions => (consistent ? READ_CONSISTENTLY : READ_EVENTUALLY);

export interface RunStore {
  getRecord(journeyId: string, key: string, options?: ReadOptions): Awaitable<Versioned<RunRecord> | undefined>;
  /**
   * Saves the record if its revision is still `expectedRevision`; returns the new revision. Saving is the
   * commit of a decision: its outbox (`pending`) is saved with it, and handed on afterwards (see
   * JourneyRuntime): nothing ever claims the outbox before its effects are out.
   */
  putRecord(record: RunRecord, expectedRevision: number | undefined): Awaitable<number>;
}

/**
 * What the store keeps of a user, one item with one revision: the profile and the recent sends on every
 * journey (the frequency-cap counter, see functions/engine/policies/reserve.ts). An input that changes the
 * profile and reserves a send writes both at once (see UserInput).
 */
export interface UserState {
  profile?: Profile;
  /** In the order recorded; sends older than the longest cap window are pruned as new ones are added. */
  sends?: SentMessage[];
  /**
   * The user's runs of journeys keyed by something else (a coupon, an order), for `nudge why`: the latest
   * MAX_RUNS_OF_USER, oldest first. Kept on the user's item so that indexing a run rides on a write the
   * input pays anyway (see UserInput.indexRuns).
   */
  runs?: RunOfUser[];
  /**
   * The events the profile's last review published (segment and trait changes: functions/engine/segments),
   * saved with the profile that changed, handed on after the write (as a run record's `pending`); `null`
   * in `putUser` removes the one stored (it was handed on).
   */
  outbox?: Outbox | null;
}

/** A run record that concerns a user: its journey and key. */
export interface RunOfUser {
  journeyId: string;
  key: string;
}

/**
 * Users, each a versioned item. Sending under a cap is read, decide, then `putUser` with the revision read;
 * of two journeys that read the same revision, one write wins and the other reloads and decides again, so
 * two cannot both pass a cap of one.
 */
export interface UserStore {
  getUser(userId: string, options?: ReadOptions): Awaitable<Versioned<UserState> | undefined>;
  /**
   * Saves the parts given (a part left out stays as stored) if the user's revision is still
   * `expectedRevision`; returns the new revision.
   */
  putUser(userId: string, parts: UserState, expectedRevision: number | undefined): Awaitable<number>;
}

/**
 * A small value every instance shares (a provider's access token: channels/wechat-token.ts), replaced only
 * on the revision read, so that of instances racing to replace it one wins.
 */
export interface SharedValueStore {
  getShared(key: string, options?: ReadOptions): Promise<Versioned<Record<string, unknown>> | undefined>;
  /** Writes it if its revision is still `expectedRevision` (undefined: none stored); ConcurrencyError otherwise. */
  putShared(key: string, value: Record<string, unknown>, expectedRevision: number | undefined): Promise<number>;
}

/** A user's profile alone, read (the channels, `nudge why`). */
export interface ProfileReader {
  getProfile(userId: string, options?: ReadOptions): Promise<Versioned<Profile> | undefined>;
}

/** Many users' profiles read at once, eventually consistent (a campaign's fan-out learns its members' zones). */
export interface ProfilesReader {
  /** Each user's profile, in the order asked; undefined for one with none. */
  getProfiles(userIds: readonly string[]): Promise<(Profile | undefined)[]>;
}

/** A journey's coupon budget for a day: the value charged, and the charges not settled yet. */
export interface CouponBudget {
  spent: number;
  /**
   * Coupons charged by a decision not known to be saved yet, with their value: a decision retried after a
   * lost race or a crash finds its own coupon here, already charged, and does not charge it again.
   */
  unsettled: Record<string, { amount: number; runId: string; shard: number }>;
  /** A budget over shards (read with `shards` > 1): each shard's `spent`, in shard order. */
  spentByShard?: number[];
}

/** Which of a budget day's shards to read: `couponBudget.shards` of its journey (absent: 1). */
export interface BudgetReadOptions extends ReadOptions {
  shards?: number;
  /** Read this one shard of the day alone (a coupon's home shard): `spent` and `unsettled` are that shard's. */
  shard?: number;
}

/** A charge made (now, or already): the shard of the budget day it is on. */
export interface ChargedOn {
  shard: number;
}

/** Coupons of one budget day (the same journey, day, limit and shards) to charge to one shard in one write. */
export interface CouponsTogether {
  charges: readonly CouponCharge[];
  shard: number;
  settled?: readonly string[];
}

/** After a decision was saved: the charges it kept are settled, those it no longer made are given back. */
export interface CouponSettlement {
  journeyId: string;
  day: string;
  /** The shard of the budget day their charges are on (absent: 0, an unsharded budget's one item). */
  shard?: number;
  settled: string[];
  released: { couponId: string; amount: number }[];
}

/**
 * Coupon budgets: the value of coupons each journey issued per budget day. A charge is one conditional
 * add (no read first), so any number of runs charging at once can never take a day past its limit, and it
 * is idempotent by coupon: the charge marks its coupon unsettled in the same write, until the decision
 * that made it is saved and settles it. Settling is lazy (see PolicyReservations): the next charge on the
 * same budget day removes the settled markers in its own write, and what is left is written in a batch.
 */
export interface BudgetStore {
  /** The day's budget over its `options.shards` shards: their `spent` summed, their unsettled markers. */
  getCouponBudget(journeyId: string, day: string, options?: BudgetReadOptions): Awaitable<CouponBudget>;
  /**
   * Adds the charge to a shard of its day (`charge.shards`, see budget-shards.ts) if that shard stays within
   * its part of `charge.limit`, its home shard first, then the others in order, and marks its coupon
   * unsettled there; the shard when the coupon is charged (now, or already and unsettled); undefined, and
   * nothing added, if no shard has room. `settled`: coupons of the charge's home shard whose decisions were
   * saved since their charge; when charged on the home shard, their markers are gone too (removed in the
   * charge's own write: no write of their own); otherwise nothing of them is touched, still to be settled.
   */
  chargeCouponBudget(charge: CouponCharge, settled?: readonly string[]): Awaitable<ChargedOn | undefined>;
  /**
   * Charges coupons of one budget day to one of its shards together, in one write: all of them when the shard
   * stays within its part of the limit and none of them is marked there already (true), else none (false).
   * Each is marked unsettled, as chargeCouponBudget marks one. `settled`: as chargeCouponBudget's, removed by
   * the same write when it is made.
   */
  chargeCouponsTogether(together: CouponsTogether): Promise<boolean>;
  /** Settles charges (their decision was saved) and gives back released ones, in one write. */
  settleCouponCharges(settlement: CouponSettlement): Awaitable<void>;
}

/**
 * The proof that saved outboxes were handed on. The runtime saves a decision with its outbox (the
 * commit), hands the outbox on, and at the end of its batch of inputs writes one proof for every outbox it
 * handed on in the batch: the ids of their first effects, under the batch's key, which each outbox names
 * (`Outbox.proof`). One write a batch, not one a decision. An outbox found on a record and not proven (its
 * process died before the proof, or a send failed) is handed on again, with the same ids, and proven then.
 */
export interface HandOnProofStore {
  /** Adds these outboxes (by first effect id) to the proof under `proof`; idempotent (a set add). */
  proveHandedOn(proof: string, ids: readonly string[]): Awaitable<void>;
  /**
   * Whether the outbox (its id, and its time) is proven handed on under `proof`. Proofs are kept for the
   * journal's retention: an outbox older than that counts as handed on (its input is gone from every
   * queue by then, and its proof with the retention).
   */
  isHandedOn(outbox: { proof: string; id: string; at: string }): Awaitable<boolean>;
  /**
   * The store answers `isHandedOn` from its own memory, at once (the in-memory store): the runtime then keeps
   * no memory of the outboxes it handed on. Elsewhere that memory saves a read for a record's next input.
   */
  readonly answersProofsAtOnce?: boolean;
}

/**
 * Which runs concern a user, for `nudge why`, beside the runs keyed by the user id itself (found by key):
 * the runs of journeys keyed by something else (a coupon, an order), kept on the user's item
 * (`UserState.runs`, written with the user: UserInput.indexRuns).
 */
export interface UserRunIndex {
  /** The run records indexed for a user. */
  userRuns(userId: string): Promise<RunOfUser[]>;
}

/** A member of a segment, since when. */
export interface SegmentMember {
  userId: string;
  since: string;
}

/**
 * The segments' members, kept so that listing a segment costs in proportion to its members, not to every
 * profile (the membership itself lives on the profile: `Profile.segments`). Written as the profiles'
 * `segment.entered` / `segment.exited` events are handed on: idempotent, so a hand-on repeated changes nothing.
 */
export interface SegmentIndex {
  /** Applies the membership changes among `events` (other events are ignored). */
  indexSegmentChanges(events: readonly ShopEvent[]): Promise<void>;
  /**
   * A page of a segment's members; `after` is the previous page's `next`. With `part`, only that part of
   * the listing (0 to segmentParts() - 1): the parts together list every member once.
   */
  segmentMembers(
    segment: string,
    page: { limit: number; after?: string; part?: number },
  ): Promise<{ members: SegmentMember[]; next?: string }>;
  /** Into how many parts a segment's listing splits, for listing them in parallel (a campaign's fan-out). */
  segmentParts(): number;
  /**
   * A page of every user with a profile (a campaign with no segment: its `audience` alone picks), in
   * segmentParts() parts as a segment's members. Reads every profile, not an index: on DynamoDB, a Scan.
   */
  everyUser(page: {
    limit: number;
    after?: string;
    part?: number;
  }): Promise<{ members: SegmentMember[]; next?: string }>;
  /** How many members a segment has (reads its members' index, not every profile). */
  countSegmentMembers(segment: string): Promise<number>;
}

/**
 * A ledger of effect ids, for a consumer that receives effects at least once and must carry each out once
 * (the email deliver function, between its queue and SES, which cannot refuse a repeat): it looks the
 * message up before it sends and records it once sent (functions/channels/ledger.ts).
 */
export interface EffectLedger {
  /** Records the effect; true the first time its id is seen, false for a repeat (do not carry it out). */
  claimEffect(effect: JourneyEffect): Promise<boolean>;
  /** Whether the effect's id was recorded (an eventually consistent read may miss a write of the last second). */
  hasEffect(effectId: string): Promise<boolean>;
}

/** Wake-ups read by `TimerStore.dueWakeUps`: still due until `done`. */
export interface DueWakeUps {
  wakeUps: WakeUp[];
  /**
   * Takes the first `count` (default all) off the store: they were handed on. False when another tick
   * took them meanwhile (they may then be handed on twice; the second is stale).
   */
  done(count?: number): Promise<boolean>;
}

export interface TimerStore {
  /**
   * Stores a wake-up. Scheduling the same wake-up twice may keep one or fire it twice: a wake-up that
   * fires after its run moved on (or its clock restarted) is stale and changes nothing.
   */
  scheduleWakeUp(wakeUp: WakeUp): Awaitable<void>;
  /**
   * Reads up to `limit` wake-ups due at or before `until` (epoch ms), earliest first, without taking them:
   * they stay due until `done` says they were handed on, so a tick that dies in between leaves them for
   * the next (handed on twice at worst: a repeated wake-up is stale and changes nothing).
   */
  dueWakeUps(until: number, limit: number): Promise<DueWakeUps>;
  /** Takes up to `limit` wake-ups due by `until` off the store at once (`dueWakeUps`, then `done` of all). */
  takeDueWakeUps(until: number, limit: number): Awaitable<WakeUp[]>;
  /** The due time of the earliest pending wake-up, for a virtual clock that jumps to it. */
  nextWakeUpAt(): Awaitable<number | undefined>;
}

/**
 * Redemptions of Nudge's own coupons, each kept once. Issuing a coupon writes nothing here: the coupon's id
 * names the journey that issued it (functions/engine/coupon-ids.ts).
 */
export interface CouponStore {
  /**
   * Keeps a redemption; true the first time the coupon is redeemed, false for a repeat (a redelivered or
   * replayed event, a second redemption event for the same coupon): the runtime counts it once.
   */
  recordRedemption(redemption: CouponRedemption): Awaitable<boolean>;
}

/**
 * Journey statistics: counters per journey, version, UTC day and name (`entered`, `message.sent`,
 * `message.suppressed.unsubscribed`, `coupon.value`...), and per UTC hour as well for a journey that keeps
 * hours (`report.byHour`). A durable store spreads each counter over shards so a promotion peak makes no hot
 * key, and sums them on read.
 */
export interface StatsStore {
  addStats(counters: readonly StatsCounter[]): Awaitable<void>;
  /** Sums of every day counter of a journey for the days from `fromDay` to `toDay` (YYYY-MM-DD, inclusive). */
  readStats(journeyId: string, fromDay: string, toDay: string): Promise<StatsCounter[]>;
  /** The same for its hour counters (each with its `hour`): none for a journey that keeps no hours. */
  readHourlyStats(journeyId: string, fromDay: string, toDay: string): Promise<StatsCounter[]>;
}

export interface JourneyStore
  extends RunStore,
    UserStore,
    ProfileReader,
    ProfilesReader,
    BudgetStore,
    HandOnProofStore,
    UserRunIndex,
    SegmentIndex,
    EffectLedger,
    TimerStore,
    CouponStore,
    StatsStore {}

/** A message waiting on the shop's site for its user (the inbox channel, docs/channels/inbox.md). */
export interface InboxMessage {
  /** The message's id (the `message.sent` effect's). */
  id: string;
  userId: string;
  journeyId: string;
  journeyVersion: number;
  template: string;
  locale: string;
  title?: string;
  text: string;
  placement: string;
  priority: number;
  /** ISO-8601 instants: when it was sent, and after which it no longer shows. */
  sentAt: string;
  expiresAt: string;
  couponId?: string;
  /** When the user dismissed it: it no longer shows. */
  dismissedAt?: string;
}

/**
 * The inbox: a user's messages by placement. Only the user's own messages are ever read (every method takes
 * the user id), and a message shows until it expires, is dismissed, or its coupon is redeemed.
 */
export interface InboxStore {
  /** Keeps a message; false when it was kept already (a redelivery), which changes nothing, a dismissal included. */
  putInboxMessage(message: InboxMessage): Promise<boolean>;
  /** One of the user's messages, whatever its state; undefined when the user has none of that id. */
  getInboxMessage(userId: string, messageId: string): Promise<InboxMessage | undefined>;
  /** The user's messages showing at `now` in a placement, highest priority first, then newest first. */
  currentInboxMessages(query: {
    userId: string;
    placement: string;
    now: number;
    limit: number;
  }): Promise<InboxMessage[]>;
  /** Marks a message dismissed (at `at`, ISO-8601); false when the user has no such message. */
  dismissInboxMessage(userId: string, messageId: string, at: string): Promise<boolean>;
}
