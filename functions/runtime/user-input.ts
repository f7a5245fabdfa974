import type { ShopEvent } from "../../events/catalog.ts";
import type { Profile, SentMessage } from "../engine/model.ts";
import { applyEventToProfile } from "../engine/profile.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import type { RunOfUser, UserState, UserStore, Versioned } from "./ports.ts";

/**
 * The runs keyed otherwise a user's item remembers for `nudge why`: the latest 64 (about 3 KB before
 * deflating; a user with more coupons and orders in flight sees the older ones drop out of `nudge why`).
 */
export const MAX_RUNS_OF_USER = 64;

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
  return value;
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
  /** The profile with this input's change applied, while that change is not saved. */
  private unsaved: Profile | undefined;
  /** The profile an update-profile step made: its attributes are applied again on a reload. */
  private changedByStep: Profile | undefined;
  /** Runs to add to the user's index (indexRuns), not saved yet: added again to the runs read on a reload. */
  private unindexed: RunOfUser[] = [];
  /** A write of this input carried the event's change to the profile (a redelivered event's never does). */
  applied = false;

  private constructor(
    private readonly store: UserStore,
    readonly userId: string,
    private readonly event: ShopEvent | undefined,
    private readonly traits: TraitsSetting | undefined,
  ) {}

  /** Reads the user; `event` (optional) is applied to its profile, unsaved. */
  static async load(
    store: UserStore,
    request: { userId: string; event?: ShopEvent; consistent: boolean; traits?: TraitsSetting | undefined },
  ): Promise<UserInput> {
    const user = new UserInput(store, request.userId, request.event, request.traits);
    await user.read(request.consistent);
    return user;
  }

  /** The profile as this input's decisions see it: stored, with the input's change applied. */
  get profile(): Profile | undefined {
    return this.unsaved ?? this.stored?.value.profile;
  }

  /** The user's recent sends, as read (the frequency caps decide on them). */
  get sends(): readonly SentMessage[] {
    return this.stored?.value.sends ?? [];
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
      if (!holdsRun(this.stored?.value.runs, run) && !holdsRun(this.unindexed, run)) this.unindexed.push(run);
  }

  /** Reads the user again, consistently (a write lost its race), and applies the unsaved change to it. */
  reload(): Promise<void> {
    return this.read(true);
  }

  /** An update-profile step's profile: its attributes are saved with the input's next write to the user. */
  setAttributes(changed: Profile): void {
    this.changedByStep = changed;
    this.applyAttributes();
  }

  /**
   * Writes the unsaved change to the profile, `sends` (when given) and the runs to index, in one
   * conditional write on the revision read; nothing when there is none of them. ConcurrencyError when
   * another write came first.
   */
  async save(sends?: SentMessage[]): Promise<void> {
    const profile = this.unsaved;
    if (profile === undefined && sends === undefined && !this.indexPending) return;
    const parts: UserState = {};
    if (profile !== undefined) parts.profile = profile;
    if (sends !== undefined) parts.sends = sends;
    if (this.indexPending)
      parts.runs = [...(this.stored?.value.runs ?? []), ...this.unindexed].slice(-MAX_RUNS_OF_USER);
    const revision = await this.store.putUser(this.userId, parts, this.stored?.revision);
    this.stored = { value: withParts(this.stored?.value, parts), revision };
    if (profile !== undefined && this.event !== undefined) this.applied = true;
    this.unsaved = undefined;
    this.changedByStep = undefined;
    this.unindexed = [];
  }

  private async read(consistent: boolean): Promise<void> {
    this.stored = await this.store.getUser(this.userId, { consistent });
    const profile = this.stored?.value.profile;
    this.unsaved =
      this.event === undefined || this.applied ? undefined : applyEventToProfile(profile, this.event, this.traits);
    this.applyAttributes();
    // Another input may have indexed some of them meanwhile.
    const unindexed = this.unindexed;
    this.unindexed = [];
    this.indexRuns(unindexed);
  }

  private applyAttributes(): void {
    const changed = this.changedByStep;
    if (changed === undefined) return;
    const base = this.profile;
    this.unsaved = base === undefined ? changed : { ...base, attributes: changed.attributes };
  }
}

function holdsRun(runs: readonly RunOfUser[] | undefined, run: RunOfUser): boolean {
  return runs?.some((held) => held.journeyId === run.journeyId && held.key === run.key) ?? false;
}
