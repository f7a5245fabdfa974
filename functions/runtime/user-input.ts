import type { ShopEvent } from "../../events/catalog.ts";
import type { Outbox, Profile, SentMessage, WakeUp } from "../engine/model.ts";
import { type GrantUse, profileWithGrantsUsed } from "../engine/policies/grants.ts";
import { applyEventToProfile } from "../engine/profile.ts";
import { reviewProfile } from "../engine/segments/review.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import {
  type Awaitable,
  isPromise,
  type RunOfUser,
  readOptions,
  type TimerStore,
  type UserState,
  type UserStore,
  type Versioned,
} from "./ports.ts";

/**
 * The runs keyed otherwise a user's item remembers for `nudge why`: the latest 64 (about 3 KB before
 * deflating; a user with more coupons and orders in flight sees the older ones drop out of `nudge why`).
 */
export const MAX_RUNS_OF_USER = 64;

/**
 * No events, no runs: one empty array for every user read (most inputs have neither to save). Read-only by
 * its type, not frozen: V8 iterates and copies a frozen array by a slow path.
 */
const NONE: readonly never[] = [];

/**
 * `base` with the parts given written over it, a part left out kept: what `UserStore.putUser` saves. Built
 * field by field, not by spreads: it runs for most inputs.
 */
export function withParts(base: UserState | undefined, parts: UserState): UserState {
  const value: UserState = {};
  const profile = parts.profile ?? base?.profile;
  if (profile !== undefined) value.profile = profile;
  const sends = parts.sends ?? base?.sends;
  if (sends !== undefined) value.sends = sends;
  const runs = parts.runs ?? base?.runs;
  if (runs !== undefined) value.runs = runs;
  const outbox = parts.outbox === undefined ? base?.outbox : parts.outbox;
  if (outbox != null) value.outbox = outbox;
  return value;
}

/** How an input loads its user (UserInput.load). */
export interface UserLoad {
  userId: string;
  /** The input's event, applied to the profile, unsaved; none for a wake-up. */
  event?: ShopEvent;
  consistent: boolean;
  /** The input's moment: the profile's review (segments, watched traits) is as of it. */
  now: number;
  traits?: TraitsSetting | undefined;
  /** A profile wake-up: the stored profile is reviewed even though no event changes it; names the cause. */
  review?: string;
  /** The proof key of the batch, for the outbox of the review's events (the runtime's: JourneyRuntime). */
  proofFor?: (firstId: string) => string;
}

/**
 * One input's view of its user: the profile, with the input's event applied, and the recent sends, read as
 * one item (UserStore). The profile's change (the event's, an update-profile step's attributes) rides on
 * the input's first write to the user, a send a journey reserves; when no journey sends, `save` writes it
 * alone once the journeys decided. So an input that changes the profile and sends pays one write, not two.
 *
 * Until saved, the change lives here only. A process that dies first loses nothing: the redelivered event
 * applies again (the profile is idempotent by state: functions/engine/profile.ts), and the run records it
 * already moved remember it. A write that loses its race reads again (`reload`) and applies the change to
 * the newer profile; a change another input already saved (a redelivery in another instance) is then none.
 */
export class UserInput {
  private stored: Versioned<UserState> | undefined;
  /** The review's events (segment and trait changes), saved with the profile's change. */
  private events: readonly ShopEvent[] = NONE;
  /** The profile wake-up the review armed: scheduled before the save. */
  private wakeUp: WakeUp | undefined;
  /** The outbox the last save wrote, until the runtime takes it to hand it on. */
  private saved: Outbox | undefined;
  /** A forced review (a wake-up) was saved: a reload does not review again. */
  private reviewed = false;
  /** The profile with this input's change applied, while that change is not saved. */
  private unsaved: Profile | undefined;
  /** The profile an update-profile step made: its attributes are applied again on a reload. */
  private changedByStep: Profile | undefined;
  /** Runs to add to the user's index (indexRuns), not saved yet: added again to the runs read on a reload. */
  private unindexed: readonly RunOfUser[] = NONE;
  /** A write of this input carried the event's change to the profile (a redelivered event's never does). */
  applied = false;

  private constructor(
    private readonly store: UserStore & Pick<TimerStore, "scheduleWakeUp">,
    private readonly request: UserLoad,
  ) {
    this.userId = request.userId;
    this.event = request.event;
    this.traits = request.traits;
  }

  readonly userId: string;
  private readonly event: ShopEvent | undefined;
  private readonly traits: TraitsSetting | undefined;

  /** Reads the user; `event` (optional) is applied to its profile, unsaved. At once when the store answers at once. */
  static load(store: UserStore & Pick<TimerStore, "scheduleWakeUp">, request: UserLoad): Awaitable<UserInput> {
    const user = new UserInput(store, request);
    const reading = user.read(request.consistent);
    return reading === undefined ? user : reading.then(() => user);
  }

  /** The outbox found on the user as read: the runtime hands it on again unless it is proven handed on. */
  get leftOutbox(): Outbox | undefined {
    return this.stored?.value.outbox ?? undefined;
  }

  /** Whether the last save wrote an outbox the runtime has not taken yet. */
  get hasSavedOutbox(): boolean {
    return this.saved !== undefined;
  }

  /** The outbox the last save wrote, once: the runtime hands it on. */
  takeSavedOutbox(): Outbox | undefined {
    const saved = this.saved;
    this.saved = undefined;
    return saved;
  }

  /** The profile as this input's decisions see it: stored, with the input's change applied. */
  get profile(): Profile | undefined {
    return this.unsaved ?? this.stored?.value.profile;
  }

  /** The user's recent sends, as read (the frequency caps decide on them). */
  get sends(): readonly SentMessage[] {
    return this.stored?.value.sends ?? NONE;
  }

  /** Whether the profile has a change not saved yet. */
  get changed(): boolean {
    return this.unsaved !== undefined;
  }

  /** Whether runs wait to be added to the user's index (saved with the next write: `save`). */
  get indexPending(): boolean {
    return this.unindexed.length > 0;
  }

  /**
   * Runs of journeys keyed otherwise that concern the user, to remember for `nudge why`: those the user's
   * item does not hold yet are saved with the input's next write to the user. Cheap when the input writes
   * the user anyway (a send, a profile change); the caller saves before the record that needs the index.
   */
  indexRuns(runs: readonly RunOfUser[]): void {
    for (const run of runs)
      if (!holdsRun(this.stored?.value.runs, run) && !holdsRun(this.unindexed, run))
        this.unindexed = [...this.unindexed, run];
  }

  /** Reads the user again, consistently (a write lost its race), and applies the unsaved change to it. */
  reload(): Promise<void> | undefined {
    return this.read(true);
  }

  /** An update-profile step's profile: its attributes are saved with the input's next write to the user. */
  setAttributes(changed: Profile): void {
    this.changedByStep = changed;
    this.derive();
  }

  /**
   * The WeChat subscribe message grants a decision takes (engine/policies/grants.ts): saved with the input's
   * next write to the user, which is conditional on the revision read, so two decisions racing for the last
   * grant cannot both take it. A reload drops them: the decision is made again on the profile read.
   */
  useGrants(uses: readonly GrantUse[]): void {
    const profile = this.profile;
    if (profile === undefined || uses.length === 0) return;
    const next = profileWithGrantsUsed(profile, uses);
    if (next !== profile) this.unsaved = next;
  }

  /**
   * Writes the unsaved change to the profile, `sends` (when given) and the runs to index, in one
   * conditional write on the revision read; nothing when there is none of them. ConcurrencyError when
   * another write came first. Nothing to wait for (undefined) when the store answered at once.
   */
  save(sends?: SentMessage[]): Promise<void> | undefined {
    const profile = this.unsaved;
    if (profile === undefined && sends === undefined && !this.indexPending) return undefined;
    const parts: UserState = {};
    if (profile !== undefined) parts.profile = profile;
    if (sends !== undefined) parts.sends = sends;
    if (this.indexPending)
      parts.runs = [...(this.stored?.value.runs ?? []), ...this.unindexed].slice(-MAX_RUNS_OF_USER);
    const events = this.events;
    const first = events[0];
    // The outbox read was handed on when the user was loaded (RuntimeUsers.load): a write removes it.
    if (first !== undefined)
      parts.outbox = { effects: [], events: [...events], proof: this.request.proofFor?.(first.id) ?? first.id };
    else if (this.stored?.value.outbox != null) parts.outbox = null;
    // Timers before the save (as a run's): one armed for a save that then loses its race is stale and harmless.
    const scheduling = this.wakeUp === undefined ? undefined : this.store.scheduleWakeUp(this.wakeUp);
    if (isPromise(scheduling)) return scheduling.then(() => this.write(parts));
    return this.write(parts);
  }

  /** The conditional write of `save`, then what it changed here. */
  private write(parts: UserState): Promise<void> | undefined {
    const revision = this.store.putUser(this.userId, parts, this.stored?.revision);
    if (isPromise(revision)) return revision.then((written) => this.written(parts, written));
    this.written(parts, revision);
    return undefined;
  }

  private written(parts: UserState, revision: number): void {
    const profile = parts.profile;
    this.stored = { value: withParts(this.stored?.value, parts), revision };
    if (profile !== undefined && this.event !== undefined) this.applied = true;
    if (profile !== undefined && this.request.review !== undefined) this.reviewed = true;
    if (parts.outbox) this.saved = parts.outbox;
    this.unsaved = undefined;
    this.changedByStep = undefined;
    this.unindexed = NONE;
    this.events = NONE;
    this.wakeUp = undefined;
  }

  private read(consistent: boolean): Promise<void> | undefined {
    const stored = this.store.getUser(this.userId, readOptions(consistent));
    if (isPromise(stored)) return stored.then((value) => this.readAs(value));
    this.readAs(stored);
    return undefined;
  }

  private readAs(stored: Versioned<UserState> | undefined): void {
    this.stored = stored;
    this.derive();
    // Another input may have indexed some of them meanwhile.
    const unindexed = this.unindexed;
    if (unindexed.length === 0) return;
    this.unindexed = NONE;
    this.indexRuns(unindexed);
  }

  /**
   * The unsaved profile, from the stored one: the event applied (unless a write of this input carried it),
   * an update-profile step's attributes, then the review of what changed (segments, watched traits).
   */
  private derive(): void {
    const stored = this.stored?.value.profile;
    let candidate =
      this.event === undefined || this.applied ? undefined : applyEventToProfile(stored, this.event, this.traits);
    const changed = this.changedByStep;
    if (changed !== undefined) {
      const base = candidate ?? stored;
      candidate = base === undefined ? changed : { ...base, attributes: changed.attributes };
    }
    this.unsaved = candidate;
    this.events = NONE;
    this.wakeUp = undefined;
    const setting = this.traits;
    const forced = this.request.review !== undefined && !this.reviewed;
    const subject = candidate ?? (forced ? stored : undefined);
    const watch = setting?.watch;
    if (setting === undefined || watch === undefined || subject === undefined) return;
    // A change that leaves the traits as they were moves no segment that reads traits only (nor a published
    // trait): nothing to review, until time or an event the traits learn from does.
    if (!forced && watch.readsOnlyTraits && subject.traitStates === stored?.traitStates) return;
    const cause = this.request.review ?? this.event?.id ?? "";
    const review = reviewProfile(setting, { profile: subject, now: this.request.now, cause });
    if (review.profile !== undefined) this.unsaved = review.profile;
    this.events = review.events;
    this.wakeUp = review.wakeUp;
  }
}

function holdsRun(runs: readonly RunOfUser[] | undefined, run: RunOfUser): boolean {
  return runs?.some((held) => held.journeyId === run.journeyId && held.key === run.key) ?? false;
}
