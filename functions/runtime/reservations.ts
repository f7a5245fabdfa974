import { budgetShardOf, shardLimit } from "../engine/budget-shards.ts";
import type { JourneyCatalog } from "../engine/catalog.ts";
import type { Decision } from "../engine/decide.ts";
import type { Run, RunRecord, SentMessage } from "../engine/model.ts";
import type { PolicyConfig } from "../engine/policies/config.ts";
import { sendLogAfter, sendLogRetentionMs } from "../engine/policies/reserve.ts";
import {
  budgetKey,
  type CouponCharge,
  DEFAULT_POLICY_CONFIG,
  type PolicyInputs,
  type PolicyOutcome,
} from "../engine/policy-state.ts";
import { ConcurrencyError } from "../shared/errors.ts";
import { answerOf, runSteps, type Steps } from "./awaitable.ts";
import type { Awaitable, BudgetStore, CouponBudget, CouponSettlement } from "./ports.ts";
import { type BudgetShard, SettledCharges } from "./settled-charges.ts";

/** Rounds of read-and-decide-again an input may take for its policies (a budget running out mid-way). */
const MAX_ROUNDS = 4;
/**
 * Coupons charged ahead in one write at most: each adds its marker's name to the update and the condition
 * (each at most 4 KB), and its marker to the item (billed by size, a write unit a KB).
 */
const PRECHARGED_PER_WRITE = 25;

/** The charges of a decision that charged nothing: one array for all of them (read-only by its type, not frozen: see NONE in user-input.ts). */
const NO_CHARGES: readonly CouponCharge[] = [];

/** What `decide` runs: the engine's decision for one input, with what the policies need read. */
export interface DecideRequest {
  /** The engine's decision with the policy inputs given (called again when they change); called as a method. */
  decide(policy: PolicyInputs): Decision | undefined;
  /** The user's recent sends, read with the profile (see UserInput); undefined: the input has no user. */
  sends: readonly SentMessage[] | undefined;
  /** Read consistently (a retry after a lost race). */
  consistent: boolean;
  /** A late wake-up: messages it would send are dropped as expired (see skipsLateMessages). */
  skipLate?: boolean;
}

/** What `decide` hands back: the decision and the coupon charges it holds. */
export interface Decided {
  decision: Decision;
  /** Every charge this attempt made or found unsettled on the budgets it read: settled after the save. */
  charges: readonly CouponCharge[];
}

/**
 * The runtime's side of the policy layer: it gives the engine the user's recent sends (read with the
 * profile), reads the day's coupon spending only when the engine asks for it and decides again when what it
 * read changes the decision, and makes the decision's reservations with one conditional write each, before
 * the run record is saved:
 *
 * - Coupon charges: a conditional add per coupon, which marks the coupon unsettled in the same write.
 *   When the budget ran out meanwhile, the input is decided again with the budget spent, so the journey's
 *   fallback applies. Once the decision is saved, `settle` gives back at once any charge an earlier attempt
 *   made that the saved decision no longer holds, and queues its markers to be cleared: the next charge on
 *   the same budget day clears them in its own write, `flush` (at the end of a batch) what is left. So a
 *   coupon costs its charge alone, not a second write to settle it.
 * - Sends: `sendsAfter` is the user's new send log, which the runtime writes with the profile, on the
 *   revision read (UserInput.save). When another journey's reservation wrote first, ConcurrencyError: the
 *   runtime retries the input, reads the user again (now with the other's send) and decides again. Two
 *   messages can never both pass a cap of one.
 *
 * A decision retried (its save lost a race, or its process died before the save) finds its own sends in
 * the log by message id and its own coupons unsettled on the budget, and counts neither twice.
 */
export class PolicyReservations {
  readonly config: PolicyConfig;
  private retention: { journeys: readonly unknown[]; ms: number } | undefined;
  /** Charges of saved decisions whose markers are still to be cleared (see SettledCharges). */
  private readonly settled = new SettledCharges();
  /**
   * Budget days this batch read with too little room for the coupon wanted (spent as decided, by budgetKey):
   * not read again until `flush`. After a sharded day runs out, each decision would otherwise read all of its
   * shards (16 x 0.5 RCU for member day) to find none with room. Room given back meanwhile (a decision that
   * charged, then decided otherwise) is seen by the next batch.
   */
  private readonly spentDays = new Map<string, number>();
  /** Coupons charged ahead of their decisions (`precharge`), by coupon id, until a decision claims them. */
  private readonly precharged = new Map<string, CouponCharge>();

  constructor(
    private readonly store: BudgetStore,
    private readonly catalog: JourneyCatalog,
    config: PolicyConfig | undefined,
  ) {
    this.config = config ?? DEFAULT_POLICY_CONFIG;
  }

  /**
   * The day's budget as a coupon decision needs it, eventually consistent first. Sharded, the coupon's home
   * shard first (one GetItem, 0.5 RCU): with room for the coupon there, the decision is told that room, and the
   * charge goes there. Only when the home shard has none are all S shards read (S x 0.5 RCU), so that no coupon
   * is withheld while any shard has room. (A retry whose earlier attempt charged another shard, its home full
   * then, finds its marker there by the full read; unless room was given back on its home since: the window
   * budgets.ts states.)
   */
  private *readBudget(
    wanted: PolicyOutcome["wantsBudgets"][number],
    consistent: boolean | undefined,
  ): Steps<{ budget: CouponBudget; spent: number }> {
    const { journeyId, day, perDay, shards, couponId, amount } = wanted;
    if (shards > 1) {
      const home = budgetShardOf(couponId, shards);
      const budget = yield* answerOf(this.store.getCouponBudget(journeyId, day, { consistent, shards, shard: home }));
      const room = shardLimit(perDay, shards, home) - budget.spent;
      if (room >= amount) return { budget, spent: perDay - room };
    }
    const budget = yield* answerOf(this.store.getCouponBudget(journeyId, day, { consistent, shards }));
    return { budget, spent: spentAsDecided(budget, perDay) };
  }

  /**
   * Runs `decide` with what the policies need read, charging the coupon budgets it spends; returns the
   * decision and its charges. At once (no promise) when the decision wants no budget: most inputs.
   */
  decide(request: DecideRequest): Awaitable<Decided | undefined> {
    const { sends, skipLate = false } = request;
    // No coupon charged yet: the set of them comes with the first budget read (decideWithBudgets). Every field
    // there from the start, in one order: the engine reads them all, and objects of one shape read fastest.
    const inputs: PolicyInputs = { config: this.config, sends, budgets: undefined, charged: undefined, skipLate };
    const first = request.decide(inputs);
    if (first === undefined) return undefined;
    if (first.policy.wantsBudgets.length === 0 && first.policy.charges.length === 0)
      return { decision: first, charges: NO_CHARGES };
    const charged = new Set<string>();
    inputs.charged = charged;
    return runSteps(this.decideWithBudgets(request, { inputs, charged, first }));
  }

  /**
   * `decide`'s rounds once the decision wants budgets: read, charged, and decided again as they change. Run
   * by runSteps: over the in-memory store, with no promise.
   */
  private *decideWithBudgets(
    request: DecideRequest,
    state: { inputs: PolicyInputs; charged: Set<string>; first: Decision },
  ): Steps<Decided | undefined> {
    const { consistent } = request;
    const { inputs, charged } = state;
    const charges: CouponCharge[] = [];
    let budgets: Map<string, number> | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const decision = round === 0 ? state.first : request.decide(inputs);
      if (decision === undefined) return undefined;
      const wants = decision.policy;
      let again = false;
      // A coupon charged already (claimed ahead, or an earlier attempt's found unsettled) changes the decision.
      const chargesBefore = charges.length;
      // Indexed loops in this generator: a for-of here makes an iterator result for every item.
      for (let index = 0; index < wants.wantsBudgets.length; index++) {
        const wanted = wants.wantsBudgets[index] as PolicyOutcome["wantsBudgets"][number];
        const { journeyId, day } = wanted;
        const key = budgetKey(journeyId, day);
        if (budgets?.has(key)) continue;
        // Charged ahead for this decision: issued as an earlier attempt's charge, with no read.
        const claimed = this.claimPrecharged(wanted);
        if (claimed !== undefined) {
          charged.add(claimed.couponId);
          charges.push(claimed);
          again = true;
          continue;
        }
        budgets ??= new Map();
        // A retry reads: it must find what its earlier attempt charged.
        const known = consistent ? undefined : this.spentDays.get(key);
        if (known !== undefined) {
          budgets.set(key, known);
          inputs.budgets = budgets;
          again = true;
          continue;
        }
        const { budget, spent } = yield* this.readBudget(wanted, consistent);
        budgets.set(key, spent);
        if (spent + wanted.amount > wanted.perDay) this.spentDays.set(key, spent);
        // Coupon ids are the runs' own: one unsettled here was charged by an earlier attempt at a decision
        // of its run (which lost its race, or died before its save), so it is not charged again. One this
        // process settled already (its marker waits for the next charge) is no attempt's: left out.
        // A loop over keys, not Object.entries: most reads find a marker or two, and every coupon decision reads.
        for (const couponId in budget.unsettled) {
          const marker = budget.unsettled[couponId];
          if (marker === undefined) continue;
          const { amount, runId, shard } = marker;
          if (this.settled.has({ journeyId, day, shard }, couponId)) continue;
          charged.add(couponId);
          charges.push({ journeyId, day, couponId, runId, amount, limit: Number.POSITIVE_INFINITY, shard });
        }
        inputs.budgets = budgets;
        again = true;
      }
      // Read something: decided again, unless what was read leaves the decision as it is (roomForAll).
      const leftAsItIs =
        charges.length === chargesBefore && budgets !== undefined && roomForAll(wants.charges, budgets);
      if (again && !leftAsItIs) continue;
      let refused = false;
      for (let index = 0; index < wants.charges.length; index++) {
        const wanted = wants.charges[index] as CouponCharge;
        const charge = yield* this.charge(wanted);
        if (charge === undefined) {
          // Spent meanwhile by other runs: decide again with the day's budget gone.
          budgets ??= new Map();
          budgets.set(budgetKey(wanted.journeyId, wanted.day), wanted.limit);
          inputs.budgets = budgets;
          refused = true;
          break;
        }
        charged.add(charge.couponId);
        charges.push(charge);
      }
      if (!refused) return { decision, charges };
    }
    throw new ConcurrencyError(`coupon budgets: still changing after ${MAX_ROUNDS} rounds`);
  }

  /**
   * Charges ahead, together, the coupons decisions about to be made will issue (a campaign's entries, their
   * decisions worked out first): one conditional write per budget day and home shard, instead of one a coupon.
   * Each is then an earlier attempt's charge to its decision, which `decide` claims with no budget read and no
   * charge of its own. A shard with no room for all of its group charges none of them: their decisions charge
   * one by one, as ever. The markers are set by the write, so a crash before a decision's save leaves its charge
   * for the retry to find, as any charge's. What no decision claims is given back by `releasePrecharged`.
   */
  async precharge(charges: readonly CouponCharge[]): Promise<void> {
    const groups = new Map<string, { home: BudgetShard; charges: CouponCharge[] }>();
    for (const charge of charges) {
      if (this.precharged.has(charge.couponId)) continue;
      const home = homeOf(charge);
      const key = `${budgetKey(home.journeyId, home.day)}#${home.shard}`;
      const group = groups.get(key) ?? { home, charges: [] };
      group.charges.push(charge);
      groups.set(key, group);
    }
    for (const { home, charges: all } of groups.values())
      for (let start = 0; start < all.length; start += PRECHARGED_PER_WRITE) {
        const together = all.slice(start, start + PRECHARGED_PER_WRITE);
        const carried = this.settled.peek(home, "");
        if (!(await this.store.chargeCouponsTogether({ charges: together, shard: home.shard, settled: carried })))
          continue;
        this.settled.remove(home, carried);
        for (const charge of together) this.precharged.set(charge.couponId, { ...charge, shard: home.shard });
      }
  }

  /** The budget days this batch found spent (see spentDays): a decision worked out ahead is told them. */
  knownBudgets(): ReadonlyMap<string, number> {
    return this.spentDays;
  }

  /** The charge made ahead for the coupon a decision wants a budget for, taken once; undefined: none. */
  private claimPrecharged(wanted: PolicyOutcome["wantsBudgets"][number]): CouponCharge | undefined {
    const charge = this.precharged.get(wanted.couponId);
    if (charge === undefined || charge.amount !== wanted.amount) return undefined;
    this.precharged.delete(wanted.couponId);
    return charge;
  }

  /**
   * Gives back the charges made ahead that no decision claimed (it decided otherwise, or was not made: its
   * input failed, and its redelivery charges afresh): one write per budget shard.
   */
  async releasePrecharged(): Promise<void> {
    if (this.precharged.size === 0) return;
    const released = new Map<string, CouponSettlement>();
    for (const charge of this.precharged.values())
      releaseOf(released, charge).released.push({ couponId: charge.couponId, amount: charge.amount });
    this.precharged.clear();
    await this.giveBack([...released.values()]);
  }

  /**
   * Charges one coupon, clearing in the same write the markers this process settled on its home shard of the
   * budget day; returns the charge with the shard it is on, or undefined when no shard had room. Refused, or
   * charged on another shard, the write removed none of them: they stay queued.
   */
  private *charge(charge: CouponCharge): Steps<CouponCharge | undefined> {
    const home = homeOf(charge);
    const carried = this.settled.peek(home, charge.couponId);
    const charged = yield* answerOf(this.store.chargeCouponBudget(charge, carried));
    if (charged === undefined) return undefined;
    if (charged.shard === home.shard) this.settled.remove(home, carried);
    return { ...charge, shard: charged.shard };
  }

  /**
   * After the decision was saved: settles the charges of its run it holds (see couponsHeld) and gives back
   * the others (made by an earlier attempt at it that decided otherwise, never saved). Another run's
   * unsettled charge, found on a budget read, is left to that run. A give-back is written at once (it
   * changes `spent`: one write per budget day); a settlement is only queued, for the next charge or `flush`.
   * `before`: the record the decision started from.
   */
  settle(decision: Decision, charges: readonly CouponCharge[], before: RunRecord | undefined): Awaitable<void> {
    const runId = decision.record.run?.runId;
    if (charges.length === 0 || runId === undefined) return undefined;
    const held = couponsHeld(decision, before?.run?.runId === runId ? before.run : undefined);
    // Made only when there is something to give back: mostly none, settled with no write, and no promise.
    let released: Map<string, CouponSettlement> | undefined;
    for (const charge of charges) {
      if (charge.runId !== runId) continue;
      if (held.has(charge.couponId)) this.settled.add(shardOf(charge), [charge.couponId]);
      else {
        released ??= new Map();
        releaseOf(released, charge).released.push({ couponId: charge.couponId, amount: charge.amount });
      }
    }
    return released === undefined ? undefined : this.giveBack([...released.values()]);
  }

  /** Gives back charges no saved decision holds: one write per budget shard. */
  private async giveBack(settlements: readonly CouponSettlement[]): Promise<void> {
    for (const settlement of settlements) await this.store.settleCouponCharges(settlement);
  }

  /**
   * Writes the settlements no charge carried: one UpdateItem per budget day (the runtime's flush, at the end
   * of a batch). One that fails is queued again, with those not tried yet, for the next charge or flush.
   */
  flush(): Awaitable<void> {
    this.spentDays.clear();
    const settlements = this.settled.drain();
    return settlements.length === 0 ? undefined : runSteps(this.settleAll(settlements));
  }

  /** Run by runSteps: at once when the store writes at once (the in-memory store's, each batch). */
  private *settleAll(settlements: readonly CouponSettlement[]): Steps<void> {
    for (const [index, settlement] of settlements.entries()) {
      try {
        yield this.store.settleCouponCharges(settlement);
      } catch (error) {
        for (const left of settlements.slice(index))
          this.settled.add({ ...left, shard: left.shard ?? 0 }, left.settled);
        throw error;
      }
    }
  }

  /** The send log's retention for the current journeys, worked out again only when the catalog changes. */
  private retentionMs(): number {
    const journeys = this.catalog.current();
    if (this.retention?.journeys !== journeys) {
      const caps = journeys.map((journey) => ({ caps: journey.journey.policy.caps }));
      this.retention = { journeys, ms: sendLogRetentionMs(this.config, caps) };
    }
    return this.retention.ms;
  }

  /**
   * The user's send log after the decision (sendLogAfter): its sends and held places added, the places it
   * gave back taken off, pruned of sends no cap counts any more; undefined when nothing changes.
   */
  sendsAfter(decision: Decision, logged: readonly SentMessage[], now: number): SentMessage[] | undefined {
    const { reserved, released } = decision.policy;
    if (reserved.length === 0 && released.length === 0) return undefined;
    return sendLogAfter(logged, decision.policy, { now, retentionMs: this.retentionMs() });
  }
}

/**
 * Whether every budget day the decision charges has room, as read, for all it charges there: decided again
 * with those budgets, the decision is then itself. The engine reads a budget only to refuse a coupon that
 * does not fit (chargeBudget, engine/policy-state.ts), and one that fits on nothing spent, as the first
 * round decides, fits on what was read. So most coupons cost one decide call, not two.
 */
function roomForAll(charges: readonly CouponCharge[], budgets: ReadonlyMap<string, number>): boolean {
  for (const charge of charges) {
    const spent = budgets.get(budgetKey(charge.journeyId, charge.day));
    if (spent === undefined) return false;
    let day = 0;
    for (const other of charges)
      if (other.journeyId === charge.journeyId && other.day === charge.day) day += other.amount;
    if (spent + day > charge.limit) return false;
  }
  return true;
}

/**
 * The coupons a saved decision's run holds: those the decision issues, and those its run held before or
 * after it (issued by an earlier decision of the run, saved: their markers may still be there, settled
 * lazily or left by a process that died). A decision that ends its run clears its outputs: only the
 * record it started from still names them.
 */
function couponsHeld(decision: Decision, before: Run | undefined): Set<string> {
  const held = new Set<string>();
  for (const effect of decision.effects) if (effect.type === "coupon.issued") held.add(effect.coupon.couponId);
  addCouponsOf(held, decision.record.run);
  addCouponsOf(held, before);
  return held;
}

/** A run's coupon and the coupons its outputs name, added to `held` (a loop over keys: no arrays made). */
function addCouponsOf(held: Set<string>, run: Run | undefined): void {
  if (run === undefined) return;
  if (run.coupon) held.add(run.coupon.couponId);
  for (const name in run.outputs) {
    const couponId = (run.outputs[name] as { couponId?: unknown } | null | undefined)?.couponId;
    if (typeof couponId === "string") held.add(couponId);
  }
}

/**
 * What the engine is told a day has spent, to compare `spent + amount` with perDay: the shards' sum, or, when
 * more, perDay less the most room any one shard has. A coupon is then withheld when no shard has room for it
 * (a day whose room is split between shards in parts smaller than its coupons is spent for them), rather than
 * each such decision trying every shard in turn (a refused write and a read each) to find none.
 */
function spentAsDecided(budget: CouponBudget, perDay: number): number {
  const byShard = budget.spentByShard;
  if (byShard === undefined) return budget.spent;
  const room = Math.max(...byShard.map((spent, shard) => shardLimit(perDay, byShard.length, shard) - spent));
  return Math.max(budget.spent, perDay - room);
}

/** A coupon's home item: its budget day's shard by its id (budgetShardOf). */
function homeOf(charge: CouponCharge): BudgetShard {
  return { journeyId: charge.journeyId, day: charge.day, shard: budgetShardOf(charge.couponId, charge.shards ?? 1) };
}

/** The budget item a charge is on: its day's shard (0, the one item, unless sharded). */
function shardOf(charge: CouponCharge): BudgetShard {
  return { journeyId: charge.journeyId, day: charge.day, shard: charge.shard ?? 0 };
}

/** The give-back of a charge's budget item, in `byShard`: one write per day and shard. */
function releaseOf(byShard: Map<string, CouponSettlement>, charge: CouponCharge): CouponSettlement {
  const { journeyId, day, shard } = shardOf(charge);
  const key = `${budgetKey(journeyId, day)}#${shard}`;
  let settlement = byShard.get(key);
  if (settlement === undefined) {
    settlement = { journeyId, day, ...(shard === 0 ? {} : { shard }), settled: [], released: [] };
    byShard.set(key, settlement);
  }
  return settlement;
}
