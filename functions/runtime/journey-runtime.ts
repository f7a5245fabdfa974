import type { ShopEvent } from "../../events/catalog.ts";
import type { CompiledJourney } from "../engine/compile.ts";
import type { EngineInput, Outbox, StatsCounter, WakeUp } from "../engine/model.ts";
import { DEFAULT_TIMEZONE } from "../engine/policies/config.ts";
import { compileWatch } from "../engine/segments/watch.ts";
import { countEffects } from "../engine/stats.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import { formatInstant } from "../shared/time.ts";
import { InputApplier } from "./apply-input.ts";
import { andThen, runSteps, type Steps } from "./awaitable.ts";
import { chargesAhead, enterMembers, type MemberRead } from "./campaign-entries.ts";
import {
  armRelativeOccurrence,
  type EntriesWakeUp,
  fanOutUnlessPaused,
  memberEntries,
  type OccurrenceWakeUp,
  raisedOccurrenceWakeUp,
} from "./campaign-fan-out.ts";
import { ControlCache } from "./control-cache.ts";
import { CounterTotals } from "./counter-totals.ts";
import { guardrailCounters } from "./guardrail-counts.ts";
import { HandOn } from "./hand-on.ts";
import { type Awaitable, isPromise, READ_EVENTUALLY } from "./ports.ts";
import { redemptionCounters } from "./redemptions.ts";
import { PolicyReservations } from "./reservations.ts";
import { Retries } from "./retries.ts";
import type { RuntimeOptions } from "./runtime-options.ts";
import { RuntimeUsers } from "./runtime-users.ts";
import type { UserInput } from "./user-input.ts";

export type { EffectSink, EventPublisher } from "./hand-on.ts";

export type { RuntimeOptions } from "./runtime-options.ts";

/**
 * Runs the pure engine against a store: load, decide, reserve, schedule the wake-ups, save with an
 * optimistic-concurrency check (the commit), then hand the outbox on; the batch's proof, written at `flush`,
 * says it went out. At-least-once in, exactly-once out: a redelivered input decides nothing new (the record
 * remembers it); a saved outbox not proven is handed on again, with the same ids, until it is; and the
 * consumers (channels with idempotency keys or a ledger, the ingest function for emitted events) carry out
 * each id once. The outbox joins the run's journal (`nudge why`) at the run's next save.
 */
export class JourneyRuntime {
  /** Inputs tried again after a lost race (retries.ts). */
  private readonly retries: Retries;
  private readonly flushEveryInputs: number;
  private readonly unsavedStats = new CounterTotals();
  private inputsSinceFlush = 0;
  /** Raised whenever a guardrail's numerator is counted (refunds, unsubscribes, withheld coupons). */
  guardrailCountersAdded = 0;
  private readonly policies: PolicyReservations;
  /** Applies one input to one journey's record (apply-input.ts). */
  private readonly applier: InputApplier;
  /** Handing outboxes on, and their proofs (hand-on.ts). */
  private readonly handOns: HandOn;
  /** Users read and saved (runtime-users.ts). */
  private readonly users: RuntimeUsers;
  private readonly keepsJournal: boolean;
  /** The zone of a user whose profile names none (the policies'). */
  private readonly defaultZone: string;
  /** The traits with the zone of a user whose profile names none; undefined: the platform has none. */
  private readonly traits: TraitsSetting | undefined;
  /** The journeys paused, as last read: see ControlCache. */
  readonly controls: ControlCache;
  /**
   * Decisions saved (an input applied to one run record), journey steps they took (see Decision.steps),
   * effects carried out, optimistic-concurrency conflicts retried, and the engine's decide calls: in all,
   * and the most for one input and journey. An input is decided again when the policies need something
   * read (the send log, a budget: PolicyReservations, at most 4 rounds) and when its save lost a race (at
   * most `maxAttempts`, 8): at most 32 calls, bounded; `npm run bench -- --only engine` prints how many
   * it takes in practice.
   */
  readonly stats = { decisions: 0, steps: 0, effects: 0, conflicts: 0, decideCalls: 0, mostDecideCalls: 0 };

  constructor(private readonly options: RuntimeOptions) {
    this.retries = new Retries(this.stats, options.maxAttempts ?? 8);
    this.flushEveryInputs = options.flushEveryInputs ?? 1;
    this.keepsJournal = options.journal ?? true;
    this.policies = new PolicyReservations(options.store, options.catalog, options.policies);
    this.controls = new ControlCache(options.controls, options.controlTtlMs);
    this.handOns = new HandOn({ sink: options.sink, publisher: options.publisher, store: options.store });
    const traits = options.traits;
    const watch =
      traits &&
      compileWatch(
        traits,
        options.catalog.current().map((current) => current.journey),
      );
    this.defaultZone = options.policies?.defaultTimezone ?? DEFAULT_TIMEZONE;
    this.traits = traits && {
      file: traits,
      defaultZone: this.defaultZone,
      ...(watch === undefined ? {} : { watch }),
    };
    const { store, catalog } = options;
    const { handOns, policies, retries, stats, keepsJournal } = this;
    const handOn = (outbox: Outbox, how: { again: boolean }) => this.handOn(outbox, how);
    this.users = new RuntimeUsers({ store, retries, handOns, traits: this.traits, handOn });
    this.applier = new InputApplier(
      { store, catalog, handOns, policies, retries, stats, traits: this.traits, keepsJournal },
      {
        loadUser: (request) => this.users.load(request),
        handOn,
        writeUser: (user, sends) => this.users.write(user, sends),
        addCounter: this.addCounter,
      },
    );
  }

  /**
   * Ends a batch of inputs: writes the proof that the outboxes it handed on went out (one write a proof
   * key), the coupon settlements no charge carried (one write per budget day: see PolicyReservations.settle),
   * then the statistics added up since the last flush (one `addStats` call).
   */
  async flush(): Promise<void> {
    await this.flushNow();
  }

  /** `flush`, at once when the store writes at once (runSteps): the in-memory store's batches cost no promise. */
  private flushNow(): Awaitable<void> {
    this.inputsSinceFlush = 0;
    return runSteps(this.flushSteps());
  }

  private *flushSteps(): Steps<void> {
    yield this.handOns.prove();
    yield this.policies.flush();
    if (this.unsavedStats.size === 0) return;
    const counters = this.unsavedStats.take();
    yield this.options.store.addStats(counters);
    this.options.onStatsWritten?.(counters);
  }

  /**
   * Applies one (already validated) event to every journey that listens to it, with the user's profile as
   * the event changes it; the change is saved with the first send a journey reserves, or after the
   * journeys, in one write with it (see UserInput).
   */
  async handleEvent(event: ShopEvent, now: number): Promise<void> {
    const handling = this.onEvent(event, now);
    if (isPromise(handling)) await handling;
  }

  /**
   * `handleEvent`, answering at once when nothing it did was asynchronous (see Awaitable): the simulator's
   * loop, over the in-memory store, applies an event with no promise at all.
   */
  onEvent(event: ShopEvent, now: number): Awaitable<void> {
    const userId = event.detail.userId;
    const loading = typeof userId === "string" ? this.users.load({ userId, event, consistent: false, now }) : undefined;
    if (isPromise(loading)) return loading.then((user) => this.eventWith(event, now, user));
    return this.eventWith(event, now, loading);
  }

  // Written with `isPromise` rather than andThen: a closure made for every input and journey is garbage
  // the simulator would collect millions of times.
  private eventWith(event: ShopEvent, now: number, user: UserInput | undefined): Awaitable<void> {
    if (this.controls.staleAt(now)) return this.controls.refresh(now).then(() => this.eventCounted(event, now, user));
    return this.eventCounted(event, now, user);
  }

  /** A redemption's counters, then the journeys. */
  private eventCounted(event: ShopEvent, now: number, user: UserInput | undefined): Awaitable<void> {
    if (event["detail-type"] !== "coupon.redeemed") return this.eventThrough(event, now, user);
    const { store, catalog } = this.options;
    return andThen(redemptionCounters(store, catalog, event), (counters) => {
      this.addStats(counters);
      return this.eventThrough(event, now, user);
    });
  }

  /** The event applied to the journeys, then what follows them (afterEvent). */
  private eventThrough(event: ShopEvent, now: number, user: UserInput | undefined): Awaitable<void> {
    const applying = this.eventToJourneys(event, now, user);
    return isPromise(applying)
      ? applying.then(() => this.afterEvent(event, now, user))
      : this.afterEvent(event, now, user);
  }

  /** The journeys in turn, from the `from`th; waits only on what is a promise (no closure for each event). */
  private eventToJourneys(event: ShopEvent, now: number, user: UserInput | undefined, from = 0): Awaitable<void> {
    const journeys = this.options.catalog.listeningTo(event["detail-type"]);
    for (let i = from; i < journeys.length; i++) {
      const applying = this.eventTo(journeys[i] as CompiledJourney, event, user, now);
      if (isPromise(applying)) return applying.then(() => this.eventToJourneys(event, now, user, i + 1));
    }
    return undefined;
  }

  /** The event applied to one journey that listens to its detail-type. */
  private eventTo(journey: CompiledJourney, event: ShopEvent, user: UserInput | undefined, now: number) {
    // A campaign relative to this event: the occurrence it sets is armed (its runs' exits and goal go on below).
    if (journey.journey.trigger.type === "schedule" && journey.trigger.matches(event)) {
      const arming = { store: this.options.store, journey, now, defaultZone: this.defaultZone, event };
      return armRelativeOccurrence(arming).then(() => this.applyEventTo(journey, event, user, now));
    }
    return this.applyEventTo(journey, event, user, now);
  }

  private applyEventTo(journey: CompiledJourney, event: ShopEvent, user: UserInput | undefined, now: number) {
    const key = event.detail[journey.journey.key];
    // Its detail-type but none of its patterns (a member day coupon, to the coupon-expiry nudge): no record read.
    if (typeof key !== "string" || key === "" || !this.options.catalog.mayMatter(journey.id, event)) return undefined;
    // Paused: the event still converts goals and ends runs, but admits no one and sends nothing.
    const paused = this.controls.pausedAsRead(journey.id) !== undefined;
    const input: EngineInput = { type: "event", event };
    // Every request with the same fields in the same order (a wake-up's below): one shape where it is read.
    return this.applier.applyRetried({ current: journey, key, now, user, input, attempt: 1, ahead: undefined, paused });
  }

  /** After the journeys: the profile's change no send carried, the guardrails' counters, the batch's flush. */
  private afterEvent(event: ShopEvent, now: number, user: UserInput | undefined): Awaitable<void> {
    const saving = user?.changed ? this.users.save(user) : undefined;
    if (isPromise(saving)) return saving.then(() => this.afterSave(event, now, user));
    return this.afterSave(event, now, user);
  }

  private afterSave(event: ShopEvent, now: number, user: UserInput | undefined): Awaitable<void> {
    const detailType = event["detail-type"];
    // Counted by the input whose write changed the profile only: a redelivery must not count twice.
    if (!user?.applied || (detailType !== "order.refunded" && detailType !== "user.unsubscribed"))
      return this.flushIfDue();
    return andThen(guardrailCounters(this.options.catalog, this.options.store, event, now), (counters) => {
      this.addStats(counters);
      return this.flushIfDue();
    });
  }

  /** The wake-up of the occurrence EventBridge Scheduler raised for a campaign at `at`; undefined: none. */
  raisedOccurrence(journeyId: string, at: number): OccurrenceWakeUp | undefined {
    const journey = this.options.catalog.currentOf(journeyId);
    return journey === undefined ? undefined : raisedOccurrenceWakeUp(journey, at);
  }

  /** Applies a timer that fell due. */
  async handleWakeUp(wakeUp: WakeUp, now: number): Promise<void> {
    const handling = this.onWakeUp(wakeUp, now);
    if (isPromise(handling)) await handling;
  }

  /** `handleWakeUp`, answering at once when nothing it did was asynchronous (see onEvent). */
  onWakeUp(wakeUp: WakeUp, now: number): Awaitable<void> {
    if (wakeUp.kind === "profile") return this.handleProfileWakeUp(wakeUp, now);
    if (wakeUp.kind === "entries") return this.handleEntries(wakeUp, now);
    return this.wakeUpWith(wakeUp, now, undefined);
  }

  /**
   * A campaign's entries: read ahead, their coupons charged together, entered one after the other
   * (campaign-entries.ts). Their messages go out together at the end, ten a queue request (HandOn.gathering);
   * a failed send fails the group too, and its redelivery sends them.
   */
  private async handleEntries(wakeUp: EntriesWakeUp, now: number): Promise<void> {
    const journey = this.options.catalog.currentOf(wakeUp.journeyId);
    if (this.controls.staleAt(now)) await this.controls.refresh(now);
    const ahead = journey !== undefined && this.controls.pausedAsRead(journey.id) === undefined;
    await this.handOns.gathering(() =>
      enterMembers({
        entries: memberEntries(wakeUp),
        ahead: ahead
          ? {
              read: async (entry) => ({
                stored: await this.options.store.getRecord(entry.journeyId, entry.key, READ_EVENTUALLY),
                user: await this.users.load({ userId: entry.key, consistent: false, now }),
              }),
              chargesOf: (entry, read) => {
                this.stats.decideCalls++;
                const policy = { config: this.policies.config, budgets: this.policies.knownBudgets() };
                return chargesAhead({
                  catalog: this.options.catalog,
                  journey,
                  entry,
                  read,
                  now,
                  policy,
                  traits: this.traits,
                });
              },
            }
          : undefined,
        charges: this.policies,
        enter: async (entry, read) => this.wakeUpWith(entry, now, read),
      }),
    );
  }

  /** A wake-up of one run: `read`, its record and user read ahead (a campaign's entry), for its first try. */
  private wakeUpWith(wakeUp: WakeUp, now: number, read: MemberRead | undefined): Awaitable<void> {
    const journey = this.options.catalog.currentOf(wakeUp.journeyId);
    if (journey === undefined) return undefined; // the journey was removed: its timers lapse.
    if (this.controls.staleAt(now))
      return this.controls.refresh(now).then(() => this.wakeUpOf(journey, wakeUp, now, read));
    return this.wakeUpOf(journey, wakeUp, now, read);
  }

  private wakeUpOf(journey: CompiledJourney, wakeUp: WakeUp, now: number, read: MemberRead | undefined) {
    const paused = this.controls.pausedAsRead(journey.id) !== undefined;
    // Paused, a campaign's entry lapses and another wake-up is held (with no controls store, it is applied).
    const held = paused && (wakeUp.kind === "campaign" || this.options.controls !== undefined);
    if (wakeUp.kind === "occurrence") return this.fanOut({ journey, wakeUp, now, paused });
    if (held) return this.held(wakeUp, now);
    const input: EngineInput = { type: "wake-up", wakeUp };
    const request = {
      current: journey,
      key: wakeUp.key,
      now,
      user: undefined,
      input,
      attempt: 1,
      ahead: read,
      paused: undefined,
    };
    const applying = this.applier.applyRetried(request);
    return isPromise(applying) ? applying.then(() => this.flushIfDue()) : this.flushIfDue();
  }

  /** A campaign's occurrence: its fan-out (a paused campaign enters no one: its occurrence lists no one). */
  private async fanOut(request: { journey: CompiledJourney; wakeUp: OccurrenceWakeUp; now: number; paused: boolean }) {
    const { journey, wakeUp, now, paused } = request;
    const { store, campaigns } = this.options;
    const fanOut = { ...campaigns, store, journey, wakeUp, now, defaultZone: this.defaultZone };
    // Not inside `onFanOut?.(...)`: without a listener, the optional call would skip the fan-out itself.
    const report = await fanOutUnlessPaused(fanOut, paused);
    this.options.onFanOut?.(report);
    await this.flushIfDue();
  }

  /**
   * A wake-up of a paused journey: a campaign member's entry lapses; another is held as it is, one write,
   * until the journey is resumed (resumeHeldRuns hands it back). At once over the in-memory store.
   */
  private held(wakeUp: WakeUp, now: number): Awaitable<void> {
    const holding =
      wakeUp.kind === "campaign"
        ? undefined
        : this.options.controls?.holdWakeUp({ ...wakeUp, heldAt: wakeUp.heldAt ?? formatInstant(now) });
    return isPromise(holding) ? holding.then(() => this.flushIfDue()) : this.flushIfDue();
  }

  /**
   * A user's profile wake-up: a watched trait changes with time alone (a rolling window, a streak at
   * midnight, an RFM score as the last order ages). The profile is reviewed as of now, and what changed is
   * saved and handed on as an event's change would be; the review arms the next wake-up.
   */
  private async handleProfileWakeUp(wakeUp: WakeUp, now: number): Promise<void> {
    await this.retries.withRetries(
      () => `profile/${wakeUp.key}`,
      async (attempt) => {
        const review = `wake@${wakeUp.at}`;
        const user = await this.users.load({ userId: wakeUp.key, consistent: attempt > 1, now, review });
        await this.users.write(user);
      },
    );
    if (this.inputCounted()) await this.flushNow();
  }

  /** The batch flushed when this input completes it (see flushEveryInputs); nothing to wait for otherwise. */
  private flushIfDue(): Awaitable<void> {
    return this.inputCounted() ? this.flushNow() : undefined;
  }

  /** Counts an input done; true when the batch is to be flushed now. Not async: most inputs await nothing here. */
  private inputCounted(): boolean {
    return ++this.inputsSinceFlush >= this.flushEveryInputs;
  }

  /**
   * Hands a saved outbox on (hand-on.ts); the first time, its effects count, once. Nothing to wait for
   * (undefined) when the sink and publisher finished at once.
   */
  private handOn(outbox: Outbox, how: { again: boolean }): Promise<void> | undefined {
    const handingOn = this.handOns.handOn(outbox);
    if (handingOn) return handingOn.then(() => this.handedOn(outbox, how));
    this.handedOn(outbox, how);
    return undefined;
  }

  private handedOn(outbox: Outbox, how: { again: boolean }): void {
    if (how.again) return;
    this.stats.effects += outbox.effects.length;
    countEffects(outbox.effects, this.addCounter, this.options.catalog.keepsHours);
  }

  /** Adds counters to the ones not yet written (see flush). */
  private addStats(counters: readonly StatsCounter[]): void {
    for (const counter of counters) this.addCounter(counter);
  }

  /** Adds a counter to the ones not yet written (see flush): kept as it is, or added to the same one's. */
  private readonly addCounter = (counter: StatsCounter): void => {
    // Only a rising numerator can make a guardrail cross (more entrants or conversions lower the rates).
    if (counter.name.startsWith("guardrail.") || counter.name.startsWith("coupon.withheld."))
      this.guardrailCountersAdded++;
    this.unsavedStats.add(counter);
  };
}
