import type { ShopEvent } from "../../events/catalog.ts";
import type { CompiledJourney } from "./compile.ts";
import { decideEvent, decideWakeUp, newWakeUpsOf } from "./engine.ts";
import { ConcurrencyError, NudgeError } from "./errors.ts";
import type { JourneyCatalog } from "./journeys.ts";
import type { EngineInput, JourneyEffect, Profile, RunRecord, WakeUp } from "./model.ts";
import { applyEventToProfile } from "./profile.ts";
import { statsOf } from "./stats.ts";
import type { JourneyStore, Versioned } from "./store.ts";

/**
 * Where effects go once the ledger has them: the simulator prints them, the platform delivers them.
 * A sink that finishes at once may return nothing; the runtime then does not wait on it.
 */
export interface EffectSink {
  deliver(effect: JourneyEffect): Promise<void> | undefined;
}

/** Where events the journeys emit go: back onto the bus, so other journeys react to them. */
export interface EventPublisher {
  publish(event: ShopEvent): Promise<void> | undefined;
}

export interface RuntimeOptions {
  catalog: JourneyCatalog;
  store: JourneyStore;
  sink: EffectSink;
  publisher: EventPublisher;
  /** How often a lost optimistic-concurrency race is retried before giving up. */
  maxAttempts?: number;
}

/**
 * Runs the pure engine against a store: load, decide, schedule the wake-ups, save with an
 * optimistic-concurrency check, then carry out the effects. At-least-once in, exactly-once out: a
 * redelivered input decides nothing new (the record remembers it), the saved decision keeps its effects
 * until they are carried out, and the ledger refuses an effect id it has seen.
 */
export class JourneyRuntime {
  private readonly maxAttempts: number;
  /**
   * Decisions saved (an input applied to one run record), journey steps they took (see Decision.steps),
   * effects carried out, and optimistic-concurrency conflicts retried.
   */
  readonly stats = { decisions: 0, steps: 0, effects: 0, conflicts: 0 };

  constructor(private readonly options: RuntimeOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  /** Applies one (already validated) event: first to the user's profile, then to every journey. */
  async handleEvent(event: ShopEvent, now: number): Promise<void> {
    const profile = await this.updateProfile(event);
    const detailType = event["detail-type"];
    if (detailType === "coupon.issued" || detailType === "coupon.redeemed")
      await this.options.store.recordCouponEvent(event);
    for (const journey of this.options.catalog.listeningTo(detailType)) {
      const key = event.detail[journey.journey.key];
      if (typeof key !== "string" || key === "") continue;
      await this.withRetries(
        () => `${journey.id}/${key}`,
        () => this.apply(journey, key, now, profile, { type: "event", event }),
      );
    }
  }

  /** Applies a timer that fell due. */
  async handleWakeUp(wakeUp: WakeUp, now: number): Promise<void> {
    const journey = this.options.catalog.current().find((j) => j.id === wakeUp.journeyId);
    if (journey === undefined) return; // the journey was removed: its timers lapse.
    await this.withRetries(
      () => `${wakeUp.journeyId}/${wakeUp.key}`,
      async () => {
        const stored = await this.options.store.getRecord(wakeUp.journeyId, wakeUp.key);
        const userId = stored?.value.run?.userId ?? stored?.value.inactivity?.lastEvent.detail.userId;
        const profile = typeof userId === "string" ? await this.options.store.getProfile(userId) : undefined;
        return this.apply(journey, wakeUp.key, now, profile?.value, { type: "wake-up", wakeUp }, stored);
      },
    );
  }

  private async apply(
    current: CompiledJourney,
    key: string,
    now: number,
    profile: Profile | undefined,
    input: EngineInput,
    preloaded?: Versioned<RunRecord>,
  ): Promise<void> {
    const { store, catalog } = this.options;
    const stored = preloaded ?? (await store.getRecord(current.id, key));
    const outbox = stored?.value.pending;
    if (outbox !== undefined && !(await this.carriedOut(outbox))) await this.flush(outbox);
    const run = stored?.value.run;
    const runJourney = run && run.version !== current.version ? catalog.get(current.id, run.version) : undefined;
    const record = stored?.value;
    // Literal arguments, not spreads: this runs for every journey an input concerns.
    const decision =
      input.type === "event"
        ? decideEvent({ current, runJourney, record, key, profile, now, event: input.event })
        : decideWakeUp({ current, runJourney, record, key, profile, now, wakeUp: input.wakeUp });
    if (decision === undefined) return;
    this.stats.decisions++;
    this.stats.steps += decision.steps;
    // The engine hands back a fresh record: the outbox goes on it, and only when there is something in it.
    const saved = decision.record;
    const hasOutbox = decision.effects.length > 0 || decision.events.length > 0;
    saved.pending = hasOutbox ? { effects: decision.effects, events: decision.events } : undefined;
    // Timers first: one scheduled for a save that then loses its race is stale, and ignored when it fires.
    for (const wakeUp of newWakeUpsOf(saved, record)) await store.scheduleWakeUp(wakeUp);
    if (decision.profile) await this.saveProfileAttributes(decision.profile);
    const revision = await store.putRecord(saved, stored?.revision);
    if (saved.pending === undefined) return;
    await this.flush(saved.pending);
    await store.settleRecord?.(saved.journeyId, saved.key, revision);
  }

  /** Whether a stored outbox was already carried out, when the store can tell cheaply. */
  private async carriedOut(outbox: NonNullable<RunRecord["pending"]>): Promise<boolean> {
    const last = outbox.effects.at(-1);
    const isClaimed = this.options.store.isClaimed?.bind(this.options.store);
    // With events to publish, or no way to ask, offer everything again: the ledger and the
    // recipients' duplicate checks make that safe.
    if (last === undefined || outbox.events.length > 0 || isClaimed === undefined) return false;
    return isClaimed(last.id);
  }

  /**
   * Carries out a saved decision's effects. The decision is saved (with its effects as `pending`) before
   * anything leaves, so a crash here loses nothing: the next touch of the record, or the redelivered
   * input, flushes `pending` again, and the ledger refuses the effects already carried out.
   */
  private async flush(pending: RunRecord["pending"]): Promise<void> {
    if (pending === undefined) return;
    const carriedOut: JourneyEffect[] = [];
    const claims = await this.options.store.claimEffects(pending.effects);
    for (const [index, effect] of pending.effects.entries()) {
      if (claims[index] !== true) continue;
      carriedOut.push(effect);
      const delivering = this.options.sink.deliver(effect);
      if (delivering) await delivering;
    }
    this.stats.effects += carriedOut.length;
    // Counted once the ledger has the effects: a crash just before this undercounts, never double counts.
    if (carriedOut.length > 0) await this.options.store.addStats(statsOf(carriedOut));
    for (const event of pending.events) {
      const publishing = this.options.publisher.publish(event);
      if (publishing) await publishing;
    }
  }

  private async updateProfile(event: ShopEvent): Promise<Profile | undefined> {
    const userId = event.detail.userId;
    if (typeof userId !== "string") return undefined;
    return this.withRetries(
      () => `profile/${userId}`,
      async () => {
        const stored = await this.options.store.getProfile(userId);
        const updated = applyEventToProfile(stored?.value, event);
        if (updated === undefined) return stored?.value;
        await this.options.store.putProfile(updated, stored?.revision);
        return updated;
      },
    );
  }

  /** Update-profile steps: their attributes land on the latest stored profile. */
  private async saveProfileAttributes(changed: Profile): Promise<void> {
    await this.withRetries(
      () => `profile/${changed.userId}`,
      async () => {
        const stored = await this.options.store.getProfile(changed.userId);
        const base = stored?.value ?? changed;
        await this.options.store.putProfile({ ...base, attributes: changed.attributes }, stored?.revision);
      },
    );
  }

  private async withRetries<T>(what: () => string, attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
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
