import type { Outbox, SentMessage } from "../engine/model.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import type { HandOn } from "./hand-on.ts";
import { type Awaitable, isPromise, type JourneyStore } from "./ports.ts";
import type { Retries } from "./retries.ts";
import { UserInput, type UserLoad } from "./user-input.ts";

/** What RuntimeUsers shares with the runtime around it (JourneyRuntime). */
export interface UsersParts {
  store: JourneyStore;
  retries: Retries;
  handOns: HandOn;
  traits: TraitsSetting | undefined;
  /** Hands a saved outbox on; the first time, its effects count (JourneyRuntime.handOn). */
  handOn(outbox: Outbox, how: { again: boolean }): Promise<void> | undefined;
}

/**
 * The runtime's side of an input's user (UserInput): read with the platform's traits and the batch's proof
 * key, an outbox of its review left unproven handed on again first; and after the journeys, the profile's
 * change no send carried, written alone, the events its review raised handed on.
 */
export class RuntimeUsers {
  /** The batch's proof key of an outbox, for the profiles' outboxes (one function, not one per input). */
  private readonly proofFor = (firstId: string): string => this.parts.handOns.proofFor(firstId);

  constructor(private readonly parts: UsersParts) {}

  /**
   * Reads an input's user; an outbox of the profile's review found on it not proven handed on (its saver
   * died first) is handed on again before anything else.
   */
  load(request: Omit<UserLoad, "traits" | "proofFor">): Awaitable<UserInput> {
    // Field by field, not a spread of `request`: its shapes vary (an event, a review), and a spread of
    // varied shapes runs V8's slow path, for every input.
    const { userId, event, consistent, now, review } = request;
    const { store, traits } = this.parts;
    const load: UserLoad = { userId, event, consistent, now, review, traits, proofFor: this.proofFor };
    const user = UserInput.load(store, load);
    if (isPromise(user)) return user.then((loaded) => this.withLeftOutboxHandedOn(loaded));
    return user.leftOutbox === undefined ? user : this.withLeftOutboxHandedOn(user);
  }

  /**
   * After the journeys: the profile's change no send carried, written alone (see UserInput). At once when
   * the store answers at once: the first attempt needs no promise (Retries.withRetries).
   */
  save(user: UserInput): Awaitable<void> {
    if (!user.changed) return undefined;
    return this.parts.retries.withRetries(
      () => `user/${user.userId}`,
      (attempt) => {
        const reloading = attempt > 1 ? user.reload() : undefined;
        if (isPromise(reloading)) return reloading.then(() => this.write(user));
        return this.write(user);
      },
    );
  }

  /**
   * The user's change written (with `sends`, when given: see UserInput.save), then the events of its review
   * handed on, if it raised any (most raise none: then no promise over the in-memory store).
   */
  write(user: UserInput, sends?: SentMessage[]): Awaitable<void> {
    const saving = user.save(sends);
    if (isPromise(saving)) return saving.then(() => this.handOnSaved(user));
    return this.handOnSaved(user);
  }

  /** After a write of the user: the review's events it saved are handed on (segment index, then the bus). */
  private handOnSaved(user: UserInput): Promise<void> | undefined {
    const saved = user.takeSavedOutbox();
    return saved === undefined ? undefined : this.handOnProfileOutbox(saved, { again: false });
  }

  private async withLeftOutboxHandedOn(user: UserInput): Promise<UserInput> {
    const left = user.leftOutbox;
    if (left !== undefined && !(await this.parts.handOns.isHandedOn(left)))
      await this.handOnProfileOutbox(left, { again: true });
    return user;
  }

  private async handOnProfileOutbox(outbox: Outbox, how: { again: boolean }): Promise<void> {
    await this.parts.store.indexSegmentChanges(outbox.events);
    await this.parts.handOn(outbox, how);
  }
}
