import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ShopEvent } from "../../../events/catalog.ts";
import type { CouponRedemption, JourneyEffect, Profile, RunRecord, StatsCounter, WakeUp } from "../../engine/model.ts";
import type { CouponCharge } from "../../engine/policy-state.ts";
import type { ControlStore, JourneyControl } from "../../runtime/control-cache.ts";
import type {
  BudgetReadOptions,
  ChargedOn,
  CouponBudget,
  CouponSettlement,
  CouponsTogether,
  DueWakeUps,
  JourneyStore,
  ReadOptions,
  RunOfUser,
  SharedValueStore,
  UserState,
  Versioned,
} from "../../runtime/ports.ts";
import { ConcurrencyError } from "../../shared/errors.ts";
import { DAY_MS, parseInstant } from "../../shared/time.ts";
import * as budgets from "./budgets.ts";
import * as controls from "./controls.ts";
import * as coupons from "./coupons.ts";
import { isConditionFailure } from "./errors.ts";
import { type JourneyInventory, scanInventory, scanRunsInFlight } from "./inventory.ts";
import * as proofs from "./proofs.ts";
import { readRunRecord, recordExpiry, runRecordItem } from "./records.ts";
import * as segments from "./segments.ts";
import * as shared from "./shared-values.ts";
import * as stats from "./stats.ts";
import { DEFAULTS, type DynamoDbStoreConfig, keys } from "./table.ts";
import { type CapacityUse, TableClient } from "./table-client.ts";
import { TimerWheel } from "./timer-wheel.ts";
import * as users from "./users.ts";

/**
 * The storage port on one DynamoDB table (README.md beside this file has the design). Every write is a
 * single-item conditional write; no transactions.
 */
export class DynamoDbStore implements JourneyStore, ControlStore, SharedValueStore {
  private readonly table: TableClient;
  private readonly timers: TimerWheel;
  private readonly retentionMs: number;
  private readonly journalRetentionMs: number;
  private readonly statsShards: number;
  private readonly consistent: boolean;
  private readonly clock: () => number;
  private readonly random: () => number;

  constructor(client: DynamoDBDocumentClient, config: DynamoDbStoreConfig) {
    this.table = new TableClient(client, config.tableName);
    this.retentionMs = (config.retentionDays ?? DEFAULTS.retentionDays) * DAY_MS;
    this.journalRetentionMs = (config.journalRetentionDays ?? DEFAULTS.journalRetentionDays) * DAY_MS;
    this.statsShards = config.statsShards ?? DEFAULTS.statsShards;
    this.consistent = config.consistentReads ?? false;
    this.clock = config.clock ?? Date.now;
    this.random = config.random ?? Math.random;
    this.timers = new TimerWheel(this.table, {
      shards: config.timerShards ?? DEFAULTS.timerShards,
      retentionMs: (config.timerRetentionDays ?? DEFAULTS.timerRetentionDays) * DAY_MS,
      lookaheadMs: config.lookaheadMs ?? DEFAULTS.lookaheadMs,
      settleMs: config.settleMs ?? DEFAULTS.settleMs,
      horizonMinutes: config.nextWakeUpHorizonMinutes ?? DEFAULTS.nextWakeUpHorizonMinutes,
      bucketMs: (config.timerBucketMinutes ?? DEFAULTS.timerBucketMinutes) * 60_000,
      clock: this.clock,
    });
  }

  /** Requests and consumed capacity units so far, by operation kind (the port method). */
  get capacity(): Readonly<Record<string, CapacityUse>> {
    return this.table.capacity;
  }

  resetCapacity(): void {
    for (const kind of Object.keys(this.table.capacity)) delete this.table.capacity[kind];
  }

  async getRecord(journeyId: string, key: string, options?: ReadOptions): Promise<Versioned<RunRecord> | undefined> {
    const output = await this.table.get("getRecord", {
      Key: keys.run(journeyId, key),
      ConsistentRead: this.consistentRead(options),
    });
    return readRunRecord(output.Item);
  }

  async putRecord(record: RunRecord, expectedRevision: number | undefined): Promise<number> {
    const key = keys.run(record.journeyId, record.key);
    const revision = (expectedRevision ?? 0) + 1;
    const ttl = recordExpiry(record, this.retentionMs, this.clock());
    await this.conditionalPut("putRecord", runRecordItem(key, record, revision, ttl), expectedRevision);
    return revision;
  }

  getUser(userId: string, options?: ReadOptions): Promise<Versioned<UserState> | undefined> {
    return users.getUser(this.table, userId, this.consistentRead(options));
  }

  /** One conditional UpdateItem of the user's item (see users.ts); no expiry: the profile stays. */
  getShared(key: string, options?: ReadOptions): Promise<Versioned<Record<string, unknown>> | undefined> {
    return shared.getShared(this.table, key, options?.consistent ?? this.consistent);
  }

  putShared(key: string, value: Record<string, unknown>, expectedRevision: number | undefined): Promise<number> {
    return shared.putShared(this.table, { key, value, expectedRevision });
  }

  putUser(userId: string, parts: UserState, expectedRevision: number | undefined): Promise<number> {
    return users.putUser(this.table, { userId, parts, expectedRevision });
  }

  async getProfile(userId: string, options?: ReadOptions): Promise<Versioned<Profile> | undefined> {
    const stored = await this.getUser(userId, options);
    return stored?.value.profile && { value: stored.value.profile, revision: stored.revision };
  }

  getProfiles(userIds: readonly string[]): Promise<(Profile | undefined)[]> {
    return users.getProfiles(this.table, userIds, this.consistent);
  }

  getCouponBudget(journeyId: string, day: string, options?: BudgetReadOptions): Promise<CouponBudget> {
    const budget = {
      journeyId,
      day,
      shards: options?.shards ?? 1,
      ...(options?.shard === undefined ? {} : { shard: options.shard }),
    };
    return budgets.getCouponBudget(this.table, budget, this.consistentRead(options));
  }

  /** One conditional UpdateItem (a shard with room), which also removes the `settled` markers. */
  chargeCouponBudget(charge: CouponCharge, settled?: readonly string[]): Promise<ChargedOn | undefined> {
    return budgets.chargeCouponBudget(this.table, charge, budgetExpiry(charge.day), settled);
  }

  /** One conditional UpdateItem for all of them (see chargeCouponBudget). */
  async chargeCouponsTogether(together: CouponsTogether): Promise<boolean> {
    const first = together.charges[0];
    return first === undefined || budgets.chargeCouponsTogether(this.table, together, budgetExpiry(first.day));
  }

  settleCouponCharges(settlement: CouponSettlement): Promise<void> {
    return budgets.settleCouponCharges(this.table, settlement);
  }

  proveHandedOn(proof: string, ids: readonly string[]): Promise<void> {
    return proofs.proveHandedOn(this.table, { proof, ids, ttl: this.journalExpiry() });
  }

  isHandedOn(outbox: { proof: string; id: string; at: string }): Promise<boolean> {
    // Past the retention the proof may be gone: an outbox that old went out, or was given up with its input.
    const expired = (parseInstant(outbox.at) ?? 0) < this.clock() - this.journalRetentionMs + DAY_MS;
    return expired ? Promise.resolve(true) : proofs.isHandedOn(this.table, outbox.proof, outbox.id);
  }

  /** The runs on the user's item, and those indexed as items of their own before it kept them (until their TTL). */
  async userRuns(userId: string): Promise<RunOfUser[]> {
    const [user, indexed] = await Promise.all([
      this.getUser(userId, { consistent: true }),
      proofs.userRuns(this.table, userId),
    ]);
    const runs = [...(user?.value.runs ?? [])];
    for (const run of indexed)
      if (!runs.some((held) => held.journeyId === run.journeyId && held.key === run.key)) runs.push(run);
    return runs;
  }

  /** One write per membership change (segments.ts). */
  indexSegmentChanges(events: readonly ShopEvent[]): Promise<void> {
    return segments.indexSegmentChanges(this.table, events);
  }

  segmentMembers(segment: string, page: { limit: number; after?: string; part?: number }) {
    return segments.segmentMembers(this.table, { segment, ...page });
  }

  segmentParts() {
    return segments.SEGMENT_SHARDS;
  }

  everyUser(page: { limit: number; after?: string; part?: number }) {
    return segments.everyUser(this.table, page);
  }

  countSegmentMembers(segment: string): Promise<number> {
    return segments.countSegmentMembers(this.table, segment);
  }

  private journalExpiry(): number {
    return Math.ceil((this.clock() + this.journalRetentionMs) / 1000);
  }

  /** The deliver side's ledger (see EffectLedger): one conditional PutItem per effect id. */
  async claimEffect(effect: JourneyEffect): Promise<boolean> {
    const since = Math.max(this.clock(), parseInstant(effect.at) ?? 0);
    try {
      await this.table.put("claimEffect", {
        Item: {
          ...keys.effect(effect.id),
          doc: JSON.stringify(effect),
          ttl: Math.ceil((since + this.retentionMs) / 1000),
        },
        ConditionExpression: "attribute_not_exists(pk)",
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Whether the ledger holds the effect id: an eventually consistent GetItem of its key (0.5 RCU). */
  async hasEffect(effectId: string): Promise<boolean> {
    const output = await this.table.get("hasEffect", { Key: keys.effect(effectId), ProjectionExpression: "pk" });
    return output.Item !== undefined;
  }

  scheduleWakeUp(wakeUp: WakeUp): Promise<void> {
    return this.timers.schedule(wakeUp);
  }

  /** Many wake-ups in batched writes (bulk loads and benchmarks); the same as scheduling each. */
  scheduleWakeUps(wakeUps: readonly WakeUp[]): Promise<void> {
    return this.timers.scheduleAll(wakeUps);
  }

  /** Wake-ups pending (not in the port): a Scan of the table, for the local platform's health line. */
  countPendingWakeUps(): Promise<number> {
    return this.timers.countPending();
  }

  dueWakeUps(until: number, limit: number): Promise<DueWakeUps> {
    return this.timers.due(until, limit);
  }

  async takeDueWakeUps(until: number, limit: number): Promise<WakeUp[]> {
    // Another process may move the cursor between the read and the write: read again, a few times.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const due = await this.timers.due(until, limit);
      if (await due.done()) return due.wakeUps;
    }
    return [];
  }

  nextWakeUpAt(): Promise<number | undefined> {
    return this.timers.next();
  }

  recordRedemption(redemption: CouponRedemption): Promise<boolean> {
    return coupons.recordRedemption(this.table, redemption, this.retentionMs);
  }

  addStats(counters: readonly StatsCounter[]): Promise<void> {
    return stats.addStats(this.table, counters, this.statsShards, this.random);
  }

  readStats(journeyId: string, fromDay: string, toDay: string): Promise<StatsCounter[]> {
    return stats.readStats(this.table, { journeyId, fromDay, toDay, hours: false }, this.statsShards);
  }

  readHourlyStats(journeyId: string, fromDay: string, toDay: string): Promise<StatsCounter[]> {
    return stats.readStats(this.table, { journeyId, fromDay, toDay, hours: true }, this.statsShards);
  }

  getControls(options?: ReadOptions): Promise<Versioned<JourneyControl>[]> {
    return controls.getControls(this.table, this.consistentRead(options));
  }

  setControl(control: JourneyControl, expectedRevision: number | undefined): Promise<number> {
    return controls.setControl(this.table, control, expectedRevision);
  }

  holdWakeUp(wakeUp: WakeUp): Promise<void> {
    return controls.holdWakeUp(this.table, wakeUp);
  }

  listHeldWakeUps(journeyId: string, limit: number): Promise<WakeUp[]> {
    return controls.listHeldWakeUps(this.table, journeyId, limit);
  }

  releaseHeldWakeUps(wakeUps: readonly WakeUp[]): Promise<void> {
    return controls.releaseHeldWakeUps(this.table, wakeUps);
  }

  /** Runs and timers of every journey (not in the port): a Scan, for `nudge status`. */
  journeyInventory(): Promise<Map<string, JourneyInventory>> {
    return scanInventory(this.table);
  }

  /** The runs in flight of these journeys by version and step, and their inactivity clocks (`nudge plan`). */
  runsInFlight(journeyIds: readonly string[]) {
    return scanRunsInFlight(this.table, journeyIds);
  }

  /**
   * Consistent when the caller asks (a retry after a lost race) or when configured so for every read;
   * otherwise eventually consistent, half a read unit.
   */
  private consistentRead(options: ReadOptions | undefined): boolean {
    return options?.consistent ?? this.consistent;
  }

  /** Puts an item only if its revision is still `expected` (undefined: only if there is none yet). */
  private async conditionalPut(kind: string, item: { pk: string; sk: string }, expected: number | undefined) {
    try {
      await this.table.put(kind, {
        Item: item,
        ConditionExpression: expected === undefined ? "attribute_not_exists(pk)" : "rev = :expected",
        ...(expected === undefined ? {} : { ExpressionAttributeValues: { ":expected": expected } }),
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new ConcurrencyError(`${item.pk}: expected revision ${expected ?? "none"}, another write came first`, {
        cause: error,
      });
    }
  }
}

/** A budget day's items are kept 8 days past the day's start (a week of reports): their TTL, in seconds. */
function budgetExpiry(day: string): number {
  return Math.ceil((Date.parse(`${day}T00:00:00Z`) + 8 * DAY_MS) / 1000);
}
