import type { ShopEvent } from "../../../events/catalog.ts";
import { outboxId } from "../../engine/journal.ts";
import {
  type CouponRedemption,
  type JourneyEffect,
  type RunRecord,
  type StatsCounter,
  type WakeUp,
  wakeUpToken,
} from "../../engine/model.ts";
import type { CouponCharge } from "../../engine/policy-state.ts";
import type { ControlStore, JourneyControl } from "../../runtime/control-cache.ts";
import { CounterTotals } from "../../runtime/counter-totals.ts";
import type {
  Awaitable,
  BudgetReadOptions,
  CouponSettlement,
  CouponsTogether,
  JourneyStore,
  SharedValueStore,
  UserState,
  Versioned,
} from "../../runtime/ports.ts";
import { withParts } from "../../runtime/user-input.ts";
import { ConcurrencyError } from "../../shared/errors.ts";
import { entryOf, newMap } from "../../shared/maps.ts";
import { MemoryBudgets } from "./memory-budgets.ts";
import { MemoryTimers } from "./memory-timers.ts";

export interface MemoryStoreOptions {
  /**
   * Keep the runs' journals for `nudge why` (default true): without, an outbox proven handed on is taken
   * off its record (the simulator prints every effect as it happens, and nobody asks it why).
   */
  journal?: boolean;
}

/**
 * The storage port in memory, with the same conditional-write semantics as the DynamoDB store. Values
 * are kept as given: the engine never mutates a record or profile it has handed over. The runtime's hot
 * path (records, users, proofs, timers) is answered at once, not by a promise (see Awaitable); a refused
 * write still fails as every adapter's does, by a rejected promise.
 * Timers sit in a binary min-heap by due time, so taking what is due costs O(log n) each.
 */
export class MemoryStore implements JourneyStore, ControlStore, SharedValueStore {
  /** Run records by journey, then key: no key string is built per lookup. */
  private readonly records = new Map<string, Map<string, Versioned<RunRecord>>>();
  /** The segments' members (SegmentIndex): user id to the time they entered, by segment. */
  readonly segments = new Map<string, Map<string, string>>();
  /** Each user's profile and recent sends (the frequency-cap counter), one versioned value. */
  readonly users = new Map<string, Versioned<UserState>>();
  /** Values every instance shares (SharedValueStore), by key. */
  private readonly shared = new Map<string, Versioned<Record<string, unknown>>>();
  /** The deliver side's ledger of effect ids (see EffectLedger); the runtime does not use it. */
  readonly ledger = new Set<string>();
  /** The coupons redeemed (see CouponStore). */
  private readonly redeemed = new Set<string>();
  /** The coupon budgets, shard by shard (see MemoryBudgets). */
  private readonly couponBudgets = new MemoryBudgets();
  /** The records whose outboxes are saved and not proven handed on yet, by outbox id (see isHandedOn). */
  private readonly unproven = new Map<string, Versioned<RunRecord> | undefined>();
  /** Runs of journeys not keyed by the user, by user: `journeyId` to keys (see UserRunIndex). */
  /**
   * Counters by journey, then UTC day, added up by version, hour and name (no hour: the day's). By day, so a
   * read of a few days (the guardrails' window, checked every virtual hour) looks at those days only, not at
   * every counter the journey ever had.
   */
  private readonly stats = new Map<string, Map<string, CounterTotals>>();
  private readonly timers = new MemoryTimers();
  private readonly controls = new Map<string, Versioned<JourneyControl>>();
  /** Wake-ups held while their journey is paused, by journey, then `key#seq`. */
  private readonly held = new Map<string, Map<string, WakeUp>>();
  private readonly keepsJournal: boolean;
  /** Proofs are answered from `unproven` above (HandOnProofStore). */
  readonly answersProofsAtOnce = true;

  constructor(options: MemoryStoreOptions = {}) {
    this.keepsJournal = options.journal ?? true;
  }

  async getControls() {
    return [...this.controls.values()].map(({ value, revision }) => ({ value: { ...value }, revision }));
  }

  async setControl(control: JourneyControl, expectedRevision: number | undefined) {
    const id = control.journeyId;
    const revision = this.checkRevision(this.controls.get(id), expectedRevision, () => `control of ${id}`);
    this.controls.set(id, { value: { ...control }, revision });
    return revision;
  }

  holdWakeUp(wakeUp: WakeUp): void {
    entryOf(this.held, wakeUp.journeyId, newMap<string, WakeUp>).set(heldId(wakeUp), wakeUp);
  }

  async listHeldWakeUps(journeyId: string, limit: number) {
    return [...(this.held.get(journeyId)?.values() ?? [])].slice(0, limit);
  }

  async releaseHeldWakeUps(wakeUps: readonly WakeUp[]) {
    for (const wakeUp of wakeUps) this.held.get(wakeUp.journeyId)?.delete(heldId(wakeUp));
  }

  getRecord(journeyId: string, key: string) {
    return this.records.get(journeyId)?.get(key);
  }

  putRecord(record: RunRecord, expectedRevision: number | undefined): Awaitable<number> {
    try {
      return this.writeRecord(record, expectedRevision);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private writeRecord(record: RunRecord, expectedRevision: number | undefined): number {
    const byKey = entryOf(this.records, record.journeyId, newMap<string, Versioned<RunRecord>>);
    // nextRevision rather than checkRevision: no closure made for the message of every write.
    const found = byKey.get(record.key);
    const revision = nextRevision(found, expectedRevision);
    if (revision === undefined) throw conflict(`${record.journeyId}|${record.key}`, expectedRevision, found);
    const stored = { value: record, revision };
    byKey.set(record.key, stored);
    const id = record.pending === undefined ? undefined : outboxId(record.pending);
    if (id !== undefined) this.unproven.set(id, stored);
    return revision;
  }

  /** Every stored run record (for reports and tests). */
  *allRecords(): IterableIterator<RunRecord> {
    for (const byKey of this.records.values()) for (const stored of byKey.values()) yield stored.value;
  }

  async getShared(key: string): Promise<Versioned<Record<string, unknown>> | undefined> {
    const stored = this.shared.get(key);
    return stored && { value: structuredClone(stored.value), revision: stored.revision };
  }

  async putShared(key: string, value: Record<string, unknown>, expectedRevision: number | undefined) {
    const revision = this.checkRevision(this.shared.get(key), expectedRevision, () => `shared value ${key}`);
    this.shared.set(key, { value: structuredClone(value), revision });
    return revision;
  }

  getUser(userId: string) {
    return this.users.get(userId);
  }

  putUser(userId: string, parts: UserState, expectedRevision: number | undefined): Awaitable<number> {
    try {
      return this.writeUser(userId, parts, expectedRevision);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private writeUser(userId: string, parts: UserState, expectedRevision: number | undefined): number {
    const stored = this.users.get(userId);
    const revision = nextRevision(stored, expectedRevision);
    if (revision === undefined) throw conflict(`user ${userId}`, expectedRevision, stored);
    const value = withParts(stored?.value, parts);
    // A profile's outbox (its review's events) is not proven handed on until proveHandedOn says so.
    const outbox = parts.outbox === null || parts.outbox === undefined ? undefined : outboxId(parts.outbox);
    if (outbox !== undefined) this.unproven.set(outbox, undefined);
    this.users.set(userId, { value, revision });
    return revision;
  }

  async getProfile(userId: string) {
    const stored = this.users.get(userId);
    return stored?.value.profile && { value: stored.value.profile, revision: stored.revision };
  }

  async getProfiles(userIds: readonly string[]) {
    return userIds.map((userId) => this.users.get(userId)?.value.profile);
  }

  getCouponBudget(journeyId: string, day: string, options?: BudgetReadOptions) {
    return this.couponBudgets.read(journeyId, day, options);
  }

  chargeCouponBudget(charge: CouponCharge, settled: readonly string[] = []) {
    return this.couponBudgets.charge(charge, settled);
  }

  async chargeCouponsTogether(together: CouponsTogether) {
    return this.couponBudgets.chargeTogether(together);
  }

  settleCouponCharges(settlement: CouponSettlement): void {
    this.couponBudgets.settle(settlement);
  }

  /**
   * Proven: known from the outboxes saved and not proven since, so that it holds without keeping proofs.
   * Without a journal, a proven outbox is taken off its record (the runtime's own saved copy), so memory
   * holds no run's last messages; DynamoDB keeps it until the next save moves it to the run's journal.
   */
  proveHandedOn(_proof: string, ids: readonly string[]): void {
    for (const id of ids) {
      const stored = this.unproven.get(id);
      this.unproven.delete(id);
      const pending = stored?.value.pending;
      if (!this.keepsJournal && stored !== undefined && pending !== undefined && outboxId(pending) === id)
        stored.value.pending = undefined;
    }
  }

  isHandedOn(outbox: { proof: string; id: string; at: string }) {
    return !this.unproven.has(outbox.id);
  }

  async userRuns(userId: string) {
    return this.users.get(userId)?.value.runs ?? [];
  }

  async indexSegmentChanges(events: readonly ShopEvent[]) {
    for (const event of events) {
      const { userId, segment } = event.detail;
      if (typeof userId !== "string" || typeof segment !== "string") continue;
      let members = this.segments.get(segment);
      if (event["detail-type"] === "segment.entered") {
        if (members === undefined) {
          members = new Map();
          this.segments.set(segment, members);
        }
        members.set(userId, event.time);
      } else if (event["detail-type"] === "segment.exited") members?.delete(userId);
    }
  }

  /** Members in the order they entered, in one part; `after` is the position to go on from. */
  async segmentMembers(segment: string, page: { limit: number; after?: string; part?: number }) {
    if (page.part !== undefined && page.part !== 0) return { members: [] };
    const all = [...(this.segments.get(segment) ?? [])];
    const from = page.after === undefined ? 0 : Number(page.after);
    const members = all.slice(from, from + page.limit).map(([userId, since]) => ({ userId, since }));
    const end = from + members.length;
    return end < all.length ? { members, next: String(end) } : { members };
  }

  segmentParts() {
    return 1;
  }

  /** The users with a profile, in the order they were first saved; `after` is the position to go on from. */
  async everyUser(page: { limit: number; after?: string; part?: number }) {
    if (page.part !== undefined && page.part !== 0) return { members: [] };
    const all = [...this.users].filter(([, user]) => user.value.profile !== undefined);
    const from = page.after === undefined ? 0 : Number(page.after);
    const members = all.slice(from, from + page.limit).map(([userId]) => ({ userId, since: "" }));
    const end = from + members.length;
    return end < all.length ? { members, next: String(end) } : { members };
  }

  async countSegmentMembers(segment: string) {
    return this.segments.get(segment)?.size ?? 0;
  }

  async claimEffect(effect: JourneyEffect) {
    if (this.ledger.has(effect.id)) return false;
    this.ledger.add(effect.id);
    return true;
  }

  async hasEffect(effectId: string) {
    return this.ledger.has(effectId);
  }

  scheduleWakeUp(wakeUp: WakeUp) {
    return this.timers.scheduleWakeUp(wakeUp);
  }

  dueWakeUps(until: number, limit: number) {
    return this.timers.dueWakeUps(until, limit);
  }

  takeDueWakeUps(until: number, limit: number) {
    return this.timers.takeDueWakeUps(until, limit);
  }

  recordRedemption(redemption: CouponRedemption): boolean {
    if (this.redeemed.has(redemption.couponId)) return false;
    this.redeemed.add(redemption.couponId);
    return true;
  }

  addStats(counters: readonly StatsCounter[]): void {
    // A copy: the totals change the counter they keep, and the caller's stays as it gave it.
    for (const counter of counters) {
      const byDay = entryOf(this.stats, counter.journeyId, newMap<string, CounterTotals>);
      entryOf(byDay, counter.day, newTotals).add({ ...counter });
    }
  }

  async readStats(journeyId: string, fromDay: string, toDay: string) {
    return this.statsOf(journeyId, { fromDay, toDay, hourly: false });
  }

  async readHourlyStats(journeyId: string, fromDay: string, toDay: string) {
    return this.statsOf(journeyId, { fromDay, toDay, hourly: true });
  }

  /** Copies of the journey's daily (or hourly) counters from `fromDay` to `toDay`, day by day. */
  private statsOf(journeyId: string, read: { fromDay: string; toDay: string; hourly: boolean }): StatsCounter[] {
    const found: StatsCounter[] = [];
    this.stats.get(journeyId)?.forEach((totals, day) => {
      if (day < read.fromDay || day > read.toDay) return;
      for (const counter of totals.list()) if ((counter.hour !== undefined) === read.hourly) found.push({ ...counter });
    });
    return found;
  }

  nextWakeUpAt() {
    return this.timers.nextWakeUpAt();
  }

  get pendingWakeUps(): number {
    return this.timers.pending;
  }

  /** The next revision, or ConcurrencyError naming `what` (built only then: this runs for every write). */
  private checkRevision<T>(
    current: Versioned<T> | undefined,
    expected: number | undefined,
    what: () => string,
  ): number {
    const revision = nextRevision(current, expected);
    if (revision === undefined) throw conflict(what(), expected, current);
    return revision;
  }
}

const newTotals = () => new CounterTotals();

/** A held wake-up's identity: the same wake-up held twice (a redelivery) is kept once. */
function heldId(wakeUp: WakeUp): string {
  return `${wakeUp.key}#${wakeUpToken(wakeUp)}#${wakeUp.at}`;
}

/** The revision a conditional write expecting `expected` makes; undefined when the stored one is another. */
function nextRevision(found: Versioned<unknown> | undefined, expected: number | undefined): number | undefined {
  return found?.revision === expected ? (expected ?? 0) + 1 : undefined;
}

/** The error of a conditional write that found another revision than the one it expected. */
function conflict(what: string, expected: number | undefined, found: Versioned<unknown> | undefined): ConcurrencyError {
  return new ConcurrencyError(`${what}: expected revision ${expected ?? "none"}, found ${found?.revision ?? "none"}`);
}
