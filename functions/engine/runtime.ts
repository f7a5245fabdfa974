import type { ShopEvent } from "../../events/catalog.ts";
import type { CompiledJourney } from "./compile.ts";
import { ControlCache, type ControlStore } from "./controls.ts";
import { decideEvent, decideWakeUp, newWakeUpsOf } from "./engine.ts";
import { ConcurrencyError, NudgeError } from "./errors.ts";
import { guardrailCounters } from "./guardrail-counts.ts";
import { skipsLateMessages } from "./held-messages.ts";
import type { JourneyCatalog } from "./journeys.ts";
import type { EngineInput, JourneyEffect, Outbox, Profile, RunRecord, StatsCounter, WakeUp } from "./model.ts";
import type { PolicyConfig } from "./policies/config.ts";
import { applyEventToProfile } from "./profile.ts";
import { PolicyReservations } from "./reservations.ts";
import { redemptionStatsOf, statsOf, stepStatsOf } from "./stats.ts";
import type { JourneyStore, Versioned } from "./store.ts";
import { formatInstant } from "./time.ts";

/**
 * Where effects go once their outbox is claimed: the simulator prints them, the platform delivers them.
 * A sink that finishes at once may return nothing; the runtime then does not wait on it.
 */
export interface EffectSink {
  deliver(effect: JourneyEffect): Promise<void> | undefined;
  /** Optional: a decision's effects in one call, instead of `deliver` for each (the platform batches sends). */
  deliverAll?(effects: readonly JourneyEffect[]): Promise<void>;
}

/** Where events the journeys emit go: back to the runtime's input, so other journeys react to them. */
export interface EventPublisher {
  publish(event: ShopEvent): Promise<void> | undefined;
  /** Optional: a decision's events in one call, instead of `publish` for each. */
  publishAll?(events: readonly ShopEvent[]): Promise<void>;
}

export interface RuntimeOptions {
  catalog: JourneyCatalog;
  store: JourneyStore;
  sink: EffectSink;
  publisher: EventPublisher;
  /** The platform's messaging policies (journeys/policy.json); the defaults when absent. */
  policies?: PolicyConfig;
  /** How often a lost optimistic-concurrency race is retried before giving up. */
  maxAttempts?: number;
  /**
   * Statistics are added up in memory and written every this many inputs (default 1: after each input),
   * and by `flushStats()`. A Lambda handler flushes once per batch: one write per journey and day instead
   * of one per counter. A crash loses the counts not yet written: they undercount, never double count.
   */
  statsEveryInputs?: number;
  /** Called with the counters each flush wrote (the ingest function publishes them as EMF metrics). */
  onStatsWritten?: (counters: readonly StatsCounter[]) => void;
  /** Journey controls (pause/resume, functions/engine/controls.ts); none: no journey is ever paused. */
  controls?: ControlStore;
  /** How long the controls read are trusted, in ms of the inputs' `now` (default 30 s). */
  controlTtlMs?: number;
}

/**
 * Runs the pure engine against a store: load, decide, schedule the wake-ups, save with an
 * optimistic-concurrency check, then claim the outbox and carry out the effects. At-least-once in,
 * exactly-once out: a redelivered input decides nothing new (the record remembers it), the saved decision
 * keeps its effects until someone claims them, and exactly one caller claims each outbox.
 */
export class JourneyRuntime {
  private readonly maxAttempts: number;
  private readonly statsEveryInputs: number;
  private readonly unsavedStats = new Map<string, StatsCounter>();
  private inputsSinceStats = 0;
  /** Raised whenever a guardrail's numerator is counted (refunds, unsubscribes, withheld coupons). */
  guardrailCountersAdded = 0;
  private readonly policies: PolicyReservations;
  /** The journeys paused, as last read: see ControlCache. */
  readonly controls: ControlCache;
  /**
   * Decisions saved (an input applied to one run record), journey steps they took (see Decision.steps),
   * effects carried out, and optimistic-concurrency conflicts retried.
   */
  readonly stats = { decisions: 0, steps: 0, effects: 0, conflicts: 0 };

  constructor(private readonly options: RuntimeOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.statsEveryInputs = options.statsEveryInputs ?? 1;
    this.policies = new PolicyReservations(options.store, options.catalog, options.policies);
    this.controls = new ControlCache(options.controls, options.controlTtlMs);
  }

  /** Writes the statistics added up since the last flush (one `addStats` call). */
  async flushStats(): Promise<void> {
    this.inputsSinceStats = 0;
    if (this.unsavedStats.size === 0) return;
    const counters = [...this.unsavedStats.values()];
    this.unsavedStats.clear();
    await this.options.store.addStats(counters);
    this.options.onStatsWritten?.(counters);
  }

  /** Applies one (already validated) event: first to the user's profile, then to every journey. */
  async handleEvent(event: ShopEvent, now: number): Promise<void> {
    const { profile, applied } = await this.updateProfile(event);
    const detailType = event["detail-type"];
    if (detailType === "coupon.issued" || detailType === "coupon.redeemed")
      this.addStats(redemptionStatsOf(await this.options.store.recordCouponEvent(event)));
    // Counted the first time the event reaches the profile only: a redelivery must not count twice.
    if (applied && (detailType === "order.refunded" || detailType === "user.unsubscribed"))
      this.addStats(await guardrailCounters(this.options.catalog, this.options.store, event, now));
    for (const journey of this.options.catalog.listeningTo(detailType)) {
      const key = event.detail[journey.journey.key];
      if (typeof key !== "string" || key === "") continue;
      // Paused: the event still converts goals and ends runs, but admits no one and sends nothing.
      const paused = (await this.controls.pausedControl(journey.id, now)) !== undefined;
      await this.withRetries(
        () => `${journey.id}/${key}`,
        (attempt) => this.apply(journey, key, now, profile, { type: "event", event }, attempt, undefined, paused),
      );
    }
    await this.inputDone();
  }

  /** Applies a timer that fell due. */
  async handleWakeUp(wakeUp: WakeUp, now: number): Promise<void> {
    const journey = this.options.catalog.current().find((j) => j.id === wakeUp.journeyId);
    if (journey === undefined) return; // the journey was removed: its timers lapse.
    if ((await this.controls.pausedControl(journey.id, now)) !== undefined && this.options.controls) {
      // Held as it is, one write, until the journey is resumed (resumeHeldRuns hands it back).
      await this.options.controls.holdWakeUp({ ...wakeUp, heldAt: wakeUp.heldAt ?? formatInstant(now) });
      await this.inputDone();
      return;
    }
    await this.withRetries(
      () => `${wakeUp.journeyId}/${wakeUp.key}`,
      async (attempt) => {
        const read = { consistent: attempt > 1 };
        const stored = await this.options.store.getRecord(wakeUp.journeyId, wakeUp.key, read);
        const userId = stored?.value.run?.userId ?? stored?.value.inactivity?.lastEvent.detail.userId;
        const profile = typeof userId === "string" ? await this.options.store.getProfile(userId, read) : undefined;
        return this.apply(journey, wakeUp.key, now, profile?.value, { type: "wake-up", wakeUp }, attempt, stored);
      },
    );
    await this.inputDone();
  }

  private async inputDone(): Promise<void> {
    if (++this.inputsSinceStats >= this.statsEveryInputs) await this.flushStats();
  }

  private async apply(
    current: CompiledJourney,
    key: string,
    now: number,
    profile: Profile | undefined,
    input: EngineInput,
    attempt: number,
    preloaded?: Versioned<RunRecord>,
    paused = false,
  ): Promise<void> {
    const { store, catalog } = this.options;
    // Eventually consistent first: a stale record only loses the race below, and the retry reads consistently.
    const stored = preloaded ?? (await store.getRecord(current.id, key, { consistent: attempt > 1 }));
    // An outbox still on the record: claimed already (a claim by wake-up leaves it there), or not, if its
    // saver died first. It is claimed before the record moves on (see takeOutbox); only the caller that
    // claims it carries it out. The wake-up that claimed it, firing, proves the claim: nothing to ask.
    const left = stored?.value.pending;
    if (stored !== undefined && left !== undefined && !firedClaim(left, input)) {
      if (await store.takeOutbox(current.id, key, stored.revision, { claim: left.claim, left: true }))
        await this.carryOut(left, current.id, key, stored.revision);
    }
    const run = stored?.value.run;
    const runJourney = run && run.version !== current.version ? catalog.get(current.id, run.version) : undefined;
    const record = stored?.value;
    const eventUser = input.type === "event" ? input.event.detail.userId : undefined;
    const userId = profile?.userId ?? run?.userId ?? (typeof eventUser === "string" ? eventUser : undefined);
    // Literal arguments, not spreads: this runs for every journey an input concerns.
    const decided = await this.policies.decide(
      (policy) =>
        input.type === "event"
          ? decideEvent({ current, runJourney, record, key, profile, now, policy, paused, event: input.event })
          : decideWakeUp({ current, runJourney, record, key, profile, now, policy, wakeUp: input.wakeUp }),
      userId,
      attempt > 1,
      input.type === "wake-up" && skipsLateMessages((runJourney ?? current).journey, input.wakeUp, now),
    );
    if (decided === undefined) return;
    const { decision, sendLog } = decided;
    this.stats.decisions++;
    this.stats.steps += decision.steps;
    // The engine hands back a fresh record: the outbox goes on it, and only when there is something in it.
    const saved = decision.record;
    const hasOutbox = decision.effects.length > 0 || decision.events.length > 0;
    const wakeUps = newWakeUpsOf(saved, record);
    // The run's new wake-up, scheduled after the save, claims the outbox: one write for both.
    const claim = hasOutbox ? wakeUps.find((wakeUp) => wakeUp.kind === "run") : undefined;
    const outbox: Outbox | undefined = hasOutbox ? { effects: decision.effects, events: decision.events } : undefined;
    if (outbox !== undefined && claim !== undefined) outbox.claim = claim;
    saved.pending = outbox;
    // The sends are reserved before the save: a save that then loses its race finds them when it retries.
    const sender = saved.run?.userId ?? userId;
    if (decision.policy.reserved.length > 0 && sender !== undefined)
      await this.policies.reserveSends(decision, sender, sendLog);
    // Other timers first: one scheduled for a save that then loses its race is stale, ignored when it fires.
    for (const wakeUp of wakeUps) if (wakeUp !== claim) await store.scheduleWakeUp(wakeUp);
    if (decision.profile) await this.saveProfileAttributes(decision.profile);
    const revision = await store.putRecord(saved, stored?.revision);
    // Saved: the steps it reached count once (a redelivered input decides nothing new).
    if (saved.run !== undefined && !saved.run.holdout && decision.visited.length > 0)
      this.addStats(stepStatsOf(saved.journeyId, saved.run.version, new Date(now).toISOString(), decision.visited));
    if (outbox === undefined) return;
    if (await store.takeOutbox(saved.journeyId, saved.key, revision, { claim }))
      await this.carryOut(outbox, saved.journeyId, saved.key, revision);
  }

  /**
   * Carries out a claimed outbox: its effects, then its events, then the statistics. The decision was
   * saved (with its effects as `pending`) before anything leaves, and only the caller that claimed the
   * outbox gets here, so a crash before this loses nothing (the next touch of the record, or the
   * redelivered input, claims the outbox) and nothing goes out twice. If a send fails, the outbox is put
   * back before the error surfaces, so the retried input claims it and sends it all again: nothing is lost,
   * and what went out before the failure goes out again with the same ids, for the channels and the
   * ingest function to drop. A crash in here (no chance to put it back) loses the rest of the outbox.
   */
  private async carryOut(outbox: Outbox, journeyId: string, key: string, revision: number): Promise<void> {
    const { sink, publisher, store } = this.options;
    try {
      // The journal first: a failure here sends nothing, and the retry writes the same entries.
      if (outbox.effects.length > 0) await store.appendJournal(outbox.effects);
      if (sink.deliverAll) await sink.deliverAll(outbox.effects);
      else
        for (const effect of outbox.effects) {
          const delivering = sink.deliver(effect);
          if (delivering) await delivering;
        }
      if (publisher.publishAll) {
        if (outbox.events.length > 0) await publisher.publishAll(outbox.events);
      } else
        for (const event of outbox.events) {
          const publishing = publisher.publish(event);
          if (publishing) await publishing;
        }
    } catch (error) {
      // Best effort: if the record moved on meanwhile (another input, in the seconds of the send's
      // retries), the outbox cannot be put back, and the error still surfaces.
      await store.releaseOutbox(journeyId, key, revision, outbox).catch(() => false);
      throw error;
    }
    this.stats.effects += outbox.effects.length;
    this.addStats(statsOf(outbox.effects));
  }

  /** Adds counters to the ones not yet written (see flushStats). */
  private addStats(counters: readonly StatsCounter[]): void {
    // Only a rising numerator can make a guardrail cross (more entrants or conversions lower the rates).
    if (counters.some((c) => c.name.startsWith("guardrail.") || c.name.startsWith("coupon.withheld.")))
      this.guardrailCountersAdded++;
    for (const counter of counters) {
      const id = `${counter.journeyId}|${counter.version}|${counter.day}|${counter.name}`;
      const total = this.unsavedStats.get(id);
      if (total) total.amount += counter.amount;
      else this.unsavedStats.set(id, counter);
    }
  }

  /**
   * Applies the event to the user's profile; `applied` is true when this call changed it (false for a
   * redelivered event, which the profile remembers, and for events that say nothing about the profile).
   */
  private async updateProfile(event: ShopEvent): Promise<{ profile: Profile | undefined; applied: boolean }> {
    const userId = event.detail.userId;
    if (typeof userId !== "string") return { profile: undefined, applied: false };
    return this.withRetries(
      () => `profile/${userId}`,
      async (attempt) => {
        const stored = await this.options.store.getProfile(userId, { consistent: attempt > 1 });
        const updated = applyEventToProfile(stored?.value, event);
        if (updated === undefined) return { profile: stored?.value, applied: false };
        await this.options.store.putProfile(updated, stored?.revision);
        return { profile: updated, applied: true };
      },
    );
  }

  /** Update-profile steps: their attributes land on the latest stored profile. */
  private async saveProfileAttributes(changed: Profile): Promise<void> {
    await this.withRetries(
      () => `profile/${changed.userId}`,
      async (attempt) => {
        const stored = await this.options.store.getProfile(changed.userId, { consistent: attempt > 1 });
        const base = stored?.value ?? changed;
        await this.options.store.putProfile({ ...base, attributes: changed.attributes }, stored?.revision);
      },
    );
  }

  private async withRetries<T>(what: () => string, attempt: (tries: number) => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt(tries);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        this.stats.conflicts++;
        if (tries >= this.maxAttempts) {
          throw new NudgeError(`${what()}: still contended after ${tries} attempts`, { cause: error });
        }
      }
    }
  }
}

/** Whether the input is the very wake-up that claims this outbox: it fired, so it was scheduled, so claimed. */
function firedClaim(outbox: Outbox, input: EngineInput): boolean {
  const claim = outbox.claim;
  if (claim === undefined || input.type !== "wake-up" || claim.kind !== "run") return false;
  const fired = input.wakeUp;
  return (
    fired.kind === "run" &&
    fired.journeyId === claim.journeyId &&
    fired.key === claim.key &&
    fired.seq === claim.seq &&
    fired.at === claim.at
  );
}
