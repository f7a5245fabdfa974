import type { JourneyCatalog } from "../engine/catalog.ts";
import type { CompiledJourney } from "../engine/compile.ts";
import { type Decision, newWakeUpsOf } from "../engine/decide.ts";
import { journalWith, outboxId } from "../engine/journal.ts";
import type { EngineInput, Outbox, RunRecord, SentMessage, WakeUp } from "../engine/model.ts";
import { type CounterSink, countSteps } from "../engine/stats.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import { formatInstant } from "../shared/time.ts";
import { andThen, inTurn } from "./awaitable.ts";
import type { MemberRead } from "./campaign-entries.ts";
import { InputDecider, runUserOf, sendsToSave } from "./decision-inputs.ts";
import type { HandOn } from "./hand-on.ts";
import { type Awaitable, isPromise, type JourneyStore, readOptions, type Versioned } from "./ports.ts";
import type { Decided, PolicyReservations } from "./reservations.ts";
import type { Retries } from "./retries.ts";
import { runsToIndex } from "./runs-of-user.ts";
import type { UserInput, UserLoad } from "./user-input.ts";

/** One input applied to one journey's record (see InputApplier). */
export interface ApplyRequest {
  current: CompiledJourney;
  key: string;
  now: number;
  /** The event's user, read already; undefined: the one the record or wake-up names (see runUserOf), if any. */
  user: UserInput | undefined;
  input: EngineInput;
  /** 1 for the first try; a retry after a lost race reads consistently. */
  attempt: number;
  /** The record and user read ahead (a campaign's entry: campaign-entries.ts), for the first try only. */
  ahead?: MemberRead | undefined;
  /** The journey is paused: the input converts goals and ends runs, but admits no one and sends nothing. */
  paused?: boolean;
}

/** What the applier shares with the runtime around it (JourneyRuntime). */
export interface ApplierParts {
  store: JourneyStore;
  catalog: JourneyCatalog;
  handOns: HandOn;
  policies: PolicyReservations;
  retries: Retries;
  stats: { decideCalls: number; decisions: number; steps: number };
  traits: TraitsSetting | undefined;
  keepsJournal: boolean;
}

/** What the applier asks of the runtime: its user reads, its hand-ons (which count effects) and its statistics. */
export interface ApplierHost {
  loadUser(request: Omit<UserLoad, "traits" | "proofFor">): Awaitable<UserInput>;
  handOn(outbox: Outbox, how: { again: boolean }): Promise<void> | undefined;
  /** Writes the user's change with `sends`, then hands its review's events on (RuntimeUsers.write). */
  writeUser(user: UserInput, sends: SentMessage[] | undefined): Awaitable<void>;
  /** Adds one counter to the batch's statistics (the runtime's). */
  addCounter: CounterSink;
}

/** How an outbox is handed on: the first time (its effects count), or again (they counted already). */
const FIRST_HAND_ON = Object.freeze({ again: false });
const HANDED_AGAIN = Object.freeze({ again: true });

/** The record and user an attempt read. */
interface Read {
  stored: Versioned<RunRecord> | undefined;
  user: UserInput | undefined;
}

/**
 * One input applied to one journey's record: read, decide (with the policies' reads and charges), reserve
 * the user's sends, schedule the wake-ups, save with the optimistic-concurrency check, then hand the outbox
 * on. Each stage waits only on answers that are promises (isPromise): over the in-memory store (the simulator)
 * an input is applied with no promise at all; over DynamoDB the stages run in the same order.
 */
export class InputApplier {
  private lastInstant = { now: Number.NaN, formatted: "" };
  /** A wake-up scheduled (one function for every decision's). */
  private readonly schedule = (wakeUp: WakeUp): Awaitable<void> => this.parts.store.scheduleWakeUp(wakeUp);

  constructor(
    private readonly parts: ApplierParts,
    private readonly host: ApplierHost,
  ) {}

  /**
   * The input applied, again after each lost race (ConcurrencyError), up to the retries' attempts: the event's
   * user read again first, and the record (and a wake-up's user) consistently.
   */
  applyRetried(request: ApplyRequest): Awaitable<void> {
    const callsBefore = this.parts.stats.decideCalls;
    let applying: Awaitable<void>;
    try {
      applying = this.apply(request);
    } catch (error) {
      return this.retryAfter(error, request, callsBefore);
    }
    if (!isPromise(applying)) return this.parts.retries.countDecideCalls(callsBefore);
    return applying.then(
      () => this.parts.retries.countDecideCalls(callsBefore),
      (error: unknown) => this.retryAfter(error, request, callsBefore),
    );
  }

  private async retryAfter(first: unknown, request: ApplyRequest, callsBefore: number): Promise<void> {
    let error = first;
    try {
      for (;;) {
        this.parts.retries.lostRace(error, request.attempt, () => `${request.current.id}/${request.key}`);
        request.attempt++;
        await request.user?.reload();
        try {
          return await this.apply(request);
        } catch (next) {
          error = next;
        }
      }
    } finally {
      this.parts.retries.countDecideCalls(callsBefore);
    }
  }

  private apply(request: ApplyRequest): Awaitable<void> {
    // Eventually consistent first: a stale record only loses the race below, and the retry reads consistently.
    const ahead = request.attempt === 1 ? request.ahead : undefined;
    const reading = ahead
      ? ahead.stored
      : this.parts.store.getRecord(request.current.id, request.key, readOptions(request.attempt > 1));
    const read = isPromise(reading)
      ? reading.then((stored) => this.readUser(request, stored, ahead))
      : this.readUser(request, reading, ahead);
    return isPromise(read) ? read.then((done) => this.decide(request, done)) : this.decide(request, read);
  }

  /**
   * The event's user, or the one the wake-up or record names, read before anything is handed on. A run's
   * decision never reads or reserves another user's sends.
   */
  private readUser(request: ApplyRequest, stored: Read["stored"], ahead: MemberRead | undefined): Awaitable<Read> {
    const runUser =
      request.user === undefined && ahead === undefined ? runUserOf(request.input, stored?.value) : undefined;
    const loading =
      runUser === undefined
        ? (ahead?.user ?? request.user)
        : this.host.loadUser({ userId: runUser, consistent: request.attempt > 1, now: request.now });
    return isPromise(loading)
      ? loading.then((user) => this.withLeftHandedOn({ stored, user }))
      : this.withLeftHandedOn({ stored, user: loading });
  }

  /**
   * An outbox on the record not proven handed on: its saver died (or failed) before handing it all on, or
   * before its proof. It goes out again, with the same ids, before the record moves on (the channels drop
   * repeats by id). Counted once, by the decision that saved it: a repeat (its first hand-on may still be on
   * its way, in another instance whose batch has not written its proof yet) must not count its effects again.
   */
  private withLeftHandedOn(read: Read): Awaitable<Read> {
    const left = read.stored?.value.pending;
    if (left === undefined) return read;
    const handed = this.parts.handOns.isHandedOn(left);
    // Mostly answered at once, handed on (an outbox of this batch): no closure made for it.
    if (handed === true) return read;
    return andThen(handed, (answer) => (answer ? read : andThen(this.host.handOn(left, HANDED_AGAIN), () => read)));
  }

  private decide(request: ApplyRequest, read: Read): Awaitable<void> {
    const deciding = this.parts.policies.decide(new InputDecider(this.parts, request, read));
    if (isPromise(deciding))
      return deciding.then((decided) => (decided === undefined ? undefined : this.reserve(request, read, decided)));
    return deciding === undefined ? undefined : this.reserve(request, read, deciding);
  }

  /** The outbox and journal on the fresh record, then the user's sends and profile change in one write. */
  private reserve(request: ApplyRequest, read: Read, decided: Decided): Awaitable<void> {
    const { decision } = decided;
    const { stored, user } = read;
    const record = stored?.value;
    const { catalog, keepsJournal, policies } = this.parts;
    // The engine hands back a fresh record: the outbox goes on it, and only when there is something in it.
    const outbox = this.outboxOf(decision);
    // A key set only when it holds something (or held it before): records of one shape for the engine's reads.
    const saved = decision.record;
    if (outbox !== undefined || saved.pending !== undefined) saved.pending = outbox;
    // The outbox before it was handed on (above): its entries join the run's journal.
    const journal = keepsJournal ? journalWith(record?.journal, record?.pending) : undefined;
    if (journal !== undefined || saved.journal !== undefined) saved.journal = journal;
    // `nudge why` finds the runs keyed otherwise through the user's index, saved before the record.
    if (user !== undefined && keepsJournal)
      user.indexRuns(runsToIndex(catalog, { user: user.userId, decision, stored }));
    const handsOn = outbox !== undefined;
    const reserved = user && sendsToSave(user, { policies, decision, now: request.now, handsOn });
    const saving = user !== undefined && reserved !== undefined ? this.host.writeUser(user, reserved.sends) : undefined;
    return isPromise(saving) ? saving.then(() => this.save(request, read, decided)) : this.save(request, read, decided);
  }

  /**
   * Timers before the save: one scheduled for a save that then loses its race, or never happens, is stale and
   * changes nothing when it fires; one scheduled after could be lost with the process.
   */
  private save(request: ApplyRequest, read: Read, decided: Decided): Awaitable<void> {
    const { store } = this.parts;
    const saved = decided.decision.record;
    const scheduling = inTurn(newWakeUpsOf(saved, read.stored?.value), this.schedule);
    const putting = isPromise(scheduling)
      ? scheduling.then(() => store.putRecord(saved, read.stored?.revision))
      : store.putRecord(saved, read.stored?.revision);
    return isPromise(putting)
      ? putting.then(() => this.saved(request, read, decided))
      : this.saved(request, read, decided);
  }

  private saved(request: ApplyRequest, read: Read, decided: Decided): Awaitable<void> {
    const { decision, charges } = decided;
    const { stats, policies } = this.parts;
    stats.decisions++;
    stats.steps += decision.steps;
    // Saved: the coupons charged for it are settled (a retry of this decision will never come).
    if (charges.length === 0) return this.counted(decision, request.now);
    const settling = policies.settle(decision, charges, read.stored?.value);
    return isPromise(settling)
      ? settling.then(() => this.counted(decision, request.now))
      : this.counted(decision, request.now);
  }

  /** Saved: the steps it reached count once (a redelivered input decides nothing new); its outbox goes on. */
  private counted(decision: Decision, now: number): Awaitable<void> {
    const saved = decision.record;
    if (saved.run !== undefined && !saved.run.holdout && decision.visited.length > 0) {
      const visit = {
        journeyId: saved.journeyId,
        version: saved.run.version,
        at: this.instant(now),
        visited: decision.visited,
      };
      countSteps(visit, this.host.addCounter, this.parts.catalog.keepsHours);
    }
    return saved.pending === undefined ? undefined : this.host.handOn(saved.pending, FIRST_HAND_ON);
  }

  /** `now` formatted, once for the many decisions of an input, or of inputs at the same instant. */
  private instant(now: number): string {
    if (now !== this.lastInstant.now) this.lastInstant = { now, formatted: formatInstant(now) };
    return this.lastInstant.formatted;
  }

  /** The decision's outbox, under this batch's proof key; none when it has nothing to hand on. */
  private outboxOf(decision: Decision): Outbox | undefined {
    const id = outboxId(decision);
    if (id === undefined) return undefined;
    return { effects: decision.effects, events: decision.events, proof: this.parts.handOns.proofFor(id) };
  }
}
