import type { ShopEvent } from "../events/catalog.ts";
import { JourneyCatalog } from "../functions/engine/catalog.ts";
import type { CompiledJourney } from "../functions/engine/compile.ts";
import { type Decision, decideEvent, decideWakeUp, newWakeUpsOf } from "../functions/engine/decide.ts";
import type { Profile, RunRecord, SentMessage, WakeUp } from "../functions/engine/model.ts";
import { sendLogAfter, sendLogRetentionMs } from "../functions/engine/policies/reserve.ts";
import { budgetKey, DEFAULT_POLICY_CONFIG, type PolicyInputs } from "../functions/engine/policy-state.ts";
import { applyEventToProfile } from "../functions/engine/profile.ts";
import type { Journey } from "../functions/language/schema.ts";
import { MinHeap } from "../functions/shared/min-heap.ts";

/**
 * The engine alone, synchronously: the pure decide functions over plain Maps for records and profiles and a
 * sorted timer queue, on the same virtual clock as the simulator (due timers fire before each event and at the
 * end), with no storage port, outbox, journal, statistics or output lines. What the engine costs, apart from
 * the runtime's glue around a store.
 *
 * Two ways (`withPolicyState`):
 * - without: the engine is told nothing of a user's recent sends or the coupon budgets, so no cap or budget
 *   holds a message back (what the engine decided before the policy layer: the comparison with f785e69);
 * - with: the state the runtime reads from its store is kept here in Maps, each user's send log and each
 *   budget day's spending, and handed in as the runtime hands it in. The engine then makes the runtime's own
 *   decisions (the bench checks the step counts agree): the fair measure of what the runtime adds.
 */

export interface PureEngineRun {
  ms: number;
  /** Inputs offered: an event or a due timer, to one journey's record for one key. */
  calls: number;
  /** Calls that changed the record. */
  decisions: number;
  /** Journey steps the decisions took (see Decision.steps). */
  steps: number;
  effects: number;
}

/** An event offered to one journey's record: the journey, the record's key, the event's user and profile. */
interface Offer {
  current: CompiledJourney;
  key: string;
  userId: string | undefined;
  profile: Profile | undefined;
  now: number;
}

interface Timer {
  at: number;
  order: number;
  wakeUp: WakeUp;
}

/** The runtime's read-ahead decide loop (PolicyReservations.decide) over Maps: a budget day read is 0 until charged. */
class PolicyMaps {
  private readonly config = DEFAULT_POLICY_CONFIG;
  private readonly sends = new Map<string, readonly SentMessage[]>();
  private readonly spent = new Map<string, number>();
  private readonly retentionMs: number;

  constructor(catalog: JourneyCatalog) {
    const journeys = catalog.current().map((journey) => ({ caps: journey.journey.policy.caps }));
    this.retentionMs = sendLogRetentionMs(this.config, journeys);
  }

  decide(userId: string | undefined, decide: (policy: PolicyInputs) => Decision | undefined, now: number) {
    const logged = (userId === undefined ? undefined : this.sends.get(userId)) ?? [];
    const policy: PolicyInputs = { config: this.config, sends: logged, budgets: this.spent };
    let decision = decide(policy);
    if (decision !== undefined && decision.policy.wantsBudgets.length > 0) {
      for (const { journeyId, day } of decision.policy.wantsBudgets) this.spent.set(budgetKey(journeyId, day), 0);
      decision = decide(policy);
    }
    if (decision === undefined) return undefined;
    for (const { journeyId, day, amount } of decision.policy.charges) {
      const key = budgetKey(journeyId, day);
      this.spent.set(key, (this.spent.get(key) ?? 0) + amount);
    }
    // As PolicyReservations.sendsAfter: a decision that reserves and releases nothing leaves the log as it is.
    const { reserved, released } = decision.policy;
    if (userId === undefined || (reserved.length === 0 && released.length === 0)) return decision;
    const after = sendLogAfter(logged, decision.policy, { now, retentionMs: this.retentionMs });
    if (after !== undefined) this.sends.set(userId, after);
    return decision;
  }
}

class PureEngine {
  readonly counts = { calls: 0, decisions: 0, steps: 0, effects: 0 };
  private readonly catalog: JourneyCatalog;
  private readonly records = new Map<string, Map<string, RunRecord>>();
  private readonly profiles = new Map<string, Profile>();
  private readonly timers = new MinHeap<Timer>((a, b) => a.at < b.at || (a.at === b.at && a.order < b.order));
  private scheduled = 0;

  private readonly policies: PolicyMaps | undefined;

  private readonly pausedFrom: ReadonlyMap<string, number>;

  constructor(journeys: readonly Journey[], options: PureEngineOptions) {
    this.catalog = new JourneyCatalog(journeys);
    this.policies = options.withPolicyState ? new PolicyMaps(this.catalog) : undefined;
    this.pausedFrom = options.pausedFrom ?? new Map();
  }

  handle(event: ShopEvent, now: number): void {
    const userId = typeof event.detail.userId === "string" ? event.detail.userId : undefined;
    let profile = userId === undefined ? undefined : this.profiles.get(userId);
    if (userId !== undefined) {
      const updated = applyEventToProfile(profile, event);
      if (updated !== undefined) {
        this.profiles.set(userId, updated);
        profile = updated;
      }
    }
    for (const journey of this.catalog.listeningTo(event["detail-type"])) {
      const key = event.detail[journey.journey.key];
      if (typeof key !== "string" || key === "") continue;
      this.offerEvent({ current: journey, key, userId, profile, now }, event);
    }
  }

  fireUntil(limit: number): void {
    for (let timer = this.timers.peek(); timer !== undefined && timer.at <= limit; timer = this.timers.peek()) {
      this.timers.pop();
      const journey = this.catalog.currentOf(timer.wakeUp.journeyId);
      const record = journey && this.recordOf(journey.id, timer.wakeUp.key);
      if (journey === undefined || record === undefined) continue;
      // A paused journey's wake-ups are held until it is resumed (never, here), as the runtime holds them.
      if (this.paused(journey.id, timer.at)) continue;
      this.offerWakeUp(journey, record, timer);
    }
  }

  // Without the policy state, the decide functions are called as the runtime-free loop always called them:
  // no closure, no policy inputs (the figure --compare sets against earlier revisions' same loop).
  private offerEvent(offer: Offer, event: ShopEvent): void {
    this.counts.calls++;
    const { current, key, userId, now } = offer;
    // With the policy state, the profile as an earlier journey's update-profile step left it for this event.
    const profile = this.policies && userId !== undefined ? this.profiles.get(userId) : offer.profile;
    const record = this.recordOf(current.id, key);
    const paused = this.paused(current.id, now);
    const decision = this.policies
      ? this.policies.decide(
          userId,
          (policy) => decideEvent({ current, record, key, profile, now, policy, paused, event }),
          now,
        )
      : decideEvent({ current, record, key, profile, now, paused, event });
    this.settle(decision, record, userId, now);
  }

  private offerWakeUp(current: CompiledJourney, record: RunRecord, timer: Timer): void {
    this.counts.calls++;
    const { wakeUp, at: now } = timer;
    const key = wakeUp.key;
    const user = record.run?.userId ?? record.inactivity?.lastEvent.detail.userId;
    const userId = typeof user === "string" ? user : undefined;
    const profile = userId === undefined ? undefined : this.profiles.get(userId);
    const decision = this.policies
      ? this.policies.decide(
          userId,
          (policy) => decideWakeUp({ current, record, key, profile, now, policy, wakeUp }),
          now,
        )
      : decideWakeUp({ current, record, key, profile, now, wakeUp });
    this.settle(decision, record, userId, now);
  }

  private settle(
    decision: Decision | undefined,
    record: RunRecord | undefined,
    userId: string | undefined,
    now: number,
  ) {
    if (decision === undefined) return;
    this.save(decision, record, userId);
    for (const emitted of decision.events) this.handle(emitted, now);
  }

  private paused(journeyId: string, now: number): boolean {
    const from = this.pausedFrom.get(journeyId);
    return from !== undefined && now >= from;
  }

  private recordOf(journeyId: string, key: string): RunRecord | undefined {
    return this.records.get(journeyId)?.get(key);
  }

  private save(decision: Decision, previous: RunRecord | undefined, userId: string | undefined): void {
    this.counts.decisions++;
    this.counts.steps += decision.steps;
    this.counts.effects += decision.effects.length;
    const { journeyId, key } = decision.record;
    let byKey = this.records.get(journeyId);
    if (byKey === undefined) {
      byKey = new Map();
      this.records.set(journeyId, byKey);
    }
    byKey.set(key, decision.record);
    // With the policy state, the profile as the runtime keeps it: update-profile steps' attributes saved too.
    if (this.policies && decision.profile !== undefined && userId !== undefined)
      this.profiles.set(userId, decision.profile);
    for (const wakeUp of newWakeUpsOf(decision.record, previous))
      this.timers.push({ at: Date.parse(wakeUp.at), order: this.scheduled++, wakeUp });
  }
}

export interface PureEngineOptions {
  until: number;
  /** Each user's send log and each budget day's spending kept and handed in, as the runtime does. */
  withPolicyState: boolean;
  /**
   * The instant each journey was paused from, as the runtime's guardrails paused it in the same stream (its
   * `journey.paused` lines): the engine is handed the controls the runtime read, and decides as paused from then.
   */
  pausedFrom?: ReadonlyMap<string, number>;
}

/** One timed pass of the pure engine over already parsed events, until `until`. */
export function runPureEngine(
  journeys: readonly Journey[],
  events: readonly ShopEvent[],
  options: PureEngineOptions,
): PureEngineRun {
  // Each side parses event times where its counterpart does: 1a before the timing, as f785e69's loop did
  // (--compare), 1c within it, as the simulator parses each event's time in its loop.
  const before = options.withPolicyState ? undefined : events.map((event) => Date.parse(event.time));
  const started = performance.now();
  const engine = new PureEngine(journeys, options);
  for (const [index, event] of events.entries()) {
    const at = before === undefined ? Date.parse(event.time) : (before[index] ?? 0);
    engine.fireUntil(at);
    engine.handle(event, at);
  }
  engine.fireUntil(options.until);
  return { ms: performance.now() - started, ...engine.counts };
}
