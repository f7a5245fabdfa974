import { budgetKey, type CouponCharge, DEFAULT_POLICY_CONFIG, type PolicyInputs } from "./delivery.ts";
import type { Decision } from "./engine.ts";
import { ConcurrencyError } from "./errors.ts";
import type { JourneyCatalog } from "./journeys.ts";
import type { SendLog } from "./model.ts";
import type { PolicyConfig } from "./policies/config.ts";
import { sendLogRetentionMs } from "./policies/reserve.ts";
import type { CouponSettlement, JourneyStore, Versioned } from "./store.ts";
import { parseInstant } from "./time.ts";

/** Rounds of read-and-decide-again an input may take for its policies (a budget running out mid-way). */
const MAX_ROUNDS = 4;

/** What `decide` hands back: the decision, the send log it was decided on, and the coupon charges it holds. */
export interface Decided {
  decision: Decision;
  sendLog: Versioned<SendLog> | undefined;
  /** Every charge this attempt made or found unsettled on the budgets it read: settled after the save. */
  charges: CouponCharge[];
}

/**
 * The runtime's side of the policy layer: it reads the cross-journey state a decision needs (the user's
 * send log, the day's coupon spending) only when the engine asks for it, decides again with it, and
 * makes the decision's reservations with one conditional write each, before the run record is saved:
 *
 * - Coupon charges: a conditional add per coupon, which marks the coupon unsettled in the same write.
 *   When the budget ran out meanwhile, the input is decided again with the budget spent, so the journey's
 *   fallback applies. Once the decision is saved, `settle` clears its markers and gives back any charge
 *   an earlier attempt made that the saved decision no longer holds.
 * - Sends: the user's send log, written on the revision read. When another journey's reservation wrote
 *   first, ConcurrencyError: the runtime retries the input, reads the log again (now with the other's
 *   send) and decides again. Two messages can never both pass a cap of one.
 *
 * A decision retried (its save lost a race, or its process died before the save) finds its own sends in
 * the log by message id and its own coupons unsettled on the budget, and counts neither twice.
 */
export class PolicyReservations {
  readonly config: PolicyConfig;
  private retention: { journeys: readonly unknown[]; ms: number } | undefined;

  constructor(
    private readonly store: JourneyStore,
    private readonly catalog: JourneyCatalog,
    config: PolicyConfig | undefined,
  ) {
    this.config = config ?? DEFAULT_POLICY_CONFIG;
  }

  /**
   * Runs `decide` with what the policies need read, charging the coupon budgets it spends; returns the
   * decision, the send log it was decided on, and its charges.
   */
  async decide(
    decide: (policy: PolicyInputs) => Decision | undefined,
    userId: string | undefined,
    consistent: boolean,
    skipLate = false,
  ): Promise<Decided | undefined> {
    const charged = new Set<string>();
    const charges: CouponCharge[] = [];
    // With a user, the send log is read on request: a decision that wants it stops at its first send.
    const inputs: PolicyInputs = { config: this.config, charged, skipLate, sendsOnRequest: userId !== undefined };
    let budgets: Map<string, number> | undefined;
    let sendLog: Versioned<SendLog> | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const decision = decide(inputs);
      if (decision === undefined) return undefined;
      const wants = decision.policy;
      let again = false;
      if (wants.wantsSends && inputs.sends === undefined && userId !== undefined) {
        sendLog = await this.store.getSendLog(userId, { consistent });
        inputs.sends = sendLog?.value.sends ?? [];
        again = true;
      }
      for (const { journeyId, day } of wants.wantsBudgets) {
        const key = budgetKey(journeyId, day);
        if (budgets?.has(key)) continue;
        budgets ??= new Map();
        const budget = await this.store.getCouponBudget(journeyId, day, { consistent });
        budgets.set(key, budget.spent);
        // Coupon ids are the runs' own: one unsettled here was charged by an earlier attempt at a decision
        // of its run (which lost its race, or died before its save), so it is not charged again.
        for (const [couponId, { amount, runId }] of Object.entries(budget.unsettled)) {
          charged.add(couponId);
          charges.push({ journeyId, day, couponId, runId, amount, limit: Number.POSITIVE_INFINITY });
        }
        inputs.budgets = budgets;
        again = true;
      }
      if (again) continue;
      for (const charge of wants.charges) {
        if (!(await this.store.chargeCouponBudget(charge))) {
          // Spent meanwhile by other runs: decide again with the day's budget gone.
          budgets ??= new Map();
          budgets.set(budgetKey(charge.journeyId, charge.day), charge.limit);
          inputs.budgets = budgets;
          again = true;
          break;
        }
        charged.add(charge.couponId);
        charges.push(charge);
      }
      if (!again) return { decision, sendLog, charges };
    }
    throw new ConcurrencyError(`policies of ${userId ?? "an unknown user"}: still changing after ${MAX_ROUNDS} rounds`);
  }

  /**
   * After the decision was saved: settles the charges it holds (the coupons it issues) and gives back the
   * ones of its run it no longer holds (made by an earlier attempt that decided otherwise). Another run's
   * unsettled charge, found on a budget read, is left to that run. One write per budget day touched.
   */
  async settle(decision: Decision, charges: readonly CouponCharge[]): Promise<void> {
    const runId = decision.record.run?.runId;
    if (charges.length === 0 || runId === undefined) return;
    const issued = new Set<string>();
    for (const effect of decision.effects) if (effect.type === "coupon.issued") issued.add(effect.coupon.couponId);
    const own = new Set(decision.record.run?.coupon ? [decision.record.run.coupon.couponId] : []);
    const byDay = new Map<string, CouponSettlement>();
    for (const charge of charges) {
      if (charge.runId !== runId) continue;
      const key = budgetKey(charge.journeyId, charge.day);
      let settlement = byDay.get(key);
      if (settlement === undefined) {
        settlement = { journeyId: charge.journeyId, day: charge.day, settled: [], released: [] };
        byDay.set(key, settlement);
      }
      if (issued.has(charge.couponId) || own.has(charge.couponId)) settlement.settled.push(charge.couponId);
      else settlement.released.push({ couponId: charge.couponId, amount: charge.amount });
    }
    for (const settlement of byDay.values())
      if (settlement.settled.length > 0 || settlement.released.length > 0)
        await this.store.settleCouponCharges(settlement);
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
   * Adds the decision's sends to the user's log with one conditional write on the revision decided on,
   * pruning sends no cap counts any more. Sends already in the log (this decision's, retried) are not added
   * again; when nothing is new, nothing is written.
   */
  async reserveSends(decision: Decision, userId: string, sendLog: Versioned<SendLog> | undefined): Promise<void> {
    const logged = sendLog?.value.sends ?? [];
    const fresh = decision.policy.reserved.filter(
      (sent) => !logged.some((old) => old.id !== undefined && old.id === sent.id),
    );
    if (fresh.length === 0) return;
    const retentionMs = this.retentionMs();
    const newest = Math.max(...fresh.map((sent) => parseInstant(sent.at) ?? 0));
    const kept = logged.filter((sent) => (parseInstant(sent.at) ?? 0) > newest - retentionMs);
    await this.store.putSendLog({ userId, sends: [...kept, ...fresh] }, sendLog?.revision);
  }
}
