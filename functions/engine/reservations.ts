import { budgetKey, DEFAULT_POLICY_CONFIG, type PolicyInputs } from "./delivery.ts";
import type { Decision } from "./engine.ts";
import { ConcurrencyError } from "./errors.ts";
import type { JourneyCatalog } from "./journeys.ts";
import type { SendLog } from "./model.ts";
import type { PolicyConfig } from "./policies/config.ts";
import { sendLogRetentionMs } from "./policies/reserve.ts";
import type { JourneyStore, Versioned } from "./store.ts";
import { parseInstant } from "./time.ts";

/** Rounds of read-and-decide-again an input may take for its policies (a budget running out mid-way). */
const MAX_ROUNDS = 4;
/** Coupons remembered as charged; past this the memory starts afresh (a retry that old is rare). */
const MAX_REMEMBERED_CHARGES = 10_000;

/**
 * The runtime's side of the policy layer: it reads the cross-journey state a decision needs (the user's
 * send log, the day's coupon spending) only when the engine asks for it, decides again with it, and
 * makes the decision's reservations with one conditional write each, before the run record is saved:
 *
 * - Coupon charges: a conditional add per coupon. When the budget ran out meanwhile, the input is
 *   decided again with the budget spent, so the journey's fallback applies.
 * - Sends: the user's send log, written on the revision read. When another journey's reservation wrote
 *   first, ConcurrencyError: the runtime retries the input, reads the log again (now with the other's
 *   send) and decides again. Two messages can never both pass a cap of one.
 *
 * If the save of the record then loses its race, the retried decision finds its own sends in the log by
 * message id, and its coupons in `charged`, and counts neither twice. A crash between the reservation
 * and the save leaves a reservation with no message: it errs on the side of fewer messages and coupons.
 */
export class PolicyReservations {
  readonly config: PolicyConfig;
  private readonly charged = new Set<string>();
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
   * decision and the send log it was decided on.
   */
  async decide(
    decide: (policy: PolicyInputs) => Decision | undefined,
    userId: string | undefined,
    consistent: boolean,
    skipLate = false,
  ): Promise<{ decision: Decision; sendLog: Versioned<SendLog> | undefined } | undefined> {
    // With a user, the send log is read on request: a decision that wants it stops at its first send.
    const inputs: PolicyInputs = {
      config: this.config,
      charged: this.charged,
      skipLate,
      sendsOnRequest: userId !== undefined,
    };
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
        budgets.set(key, await this.store.getCouponBudget(journeyId, day, { consistent }));
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
        if (this.charged.size >= MAX_REMEMBERED_CHARGES) this.charged.clear();
        this.charged.add(charge.couponId);
      }
      if (!again) return { decision, sendLog };
    }
    throw new ConcurrencyError(`policies of ${userId ?? "an unknown user"}: still changing after ${MAX_ROUNDS} rounds`);
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
