import type { ShopEvent } from "../../events/catalog.ts";
import type { JourneyCatalog } from "../engine/catalog.ts";
import { decideEvent, newWakeUpsOf } from "../engine/decide.ts";
import type { Profile } from "../engine/model.ts";
import { DEFAULT_TIMEZONE, type PolicyConfig } from "../engine/policies/config.ts";
import { DEFAULT_POLICY_CONFIG } from "../engine/policy-state.ts";
import { applyEventToProfile } from "../engine/profile.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import type { TraitsSetting } from "../engine/traits/profile.ts";
import { ConcurrencyError, NudgeError } from "../shared/errors.ts";
import type { RunStore, TimerStore, UserStore } from "./ports.ts";

/** What importing history writes: profiles, run records and their wake-ups. */
type HistoryStore = UserStore & RunStore & Pick<TimerStore, "scheduleWakeUp">;

/**
 * Imported history (`nudge import`): past events that set up what the platform knows of its users, the
 * profiles (orders, spend, consent, attributes, as of each event's time) and the inactivity clocks
 * (counted from each user's real last order), and send nothing: no run starts or moves on, so no effect
 * is made (the engine's `history` mode). Idempotent like the live path: importing a file twice, or
 * history the platform already saw, counts nothing twice.
 */

export interface ImportOptions {
  catalog: JourneyCatalog;
  store: HistoryStore;
  /** Valid events, in time order. */
  events: readonly ShopEvent[];
  /** The platform's clock: a clock that ran out before it counts from it (see backfill.ts clockDueAt). */
  now: number;
  policies?: PolicyConfig;
  /** The platform's computed traits (journeys/traits.json): imported history sets them up too. */
  traits?: TraitsFile;
}

export interface ImportResult {
  events: number;
  /** Profile writes (an event that changed its user's profile). */
  profileUpdates: number;
  /** Run records written: inactivity clocks set, exits remembered. */
  recordUpdates: number;
}

const MAX_ATTEMPTS = 8;

/** Runs `attempt` again while it loses an optimistic-concurrency race to the running platform. */
async function withRetries<T>(what: string, attempt: (consistent: boolean) => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(tries > 1);
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || tries >= MAX_ATTEMPTS)
        throw new NudgeError(`import: ${what}: ${(error as Error).message}`, { cause: error });
    }
  }
}

async function importProfile(
  store: UserStore,
  event: ShopEvent,
  traitsSetting: TraitsSetting | undefined,
): Promise<{ profile?: Profile; changed: boolean }> {
  const userId = event.detail.userId;
  if (typeof userId !== "string") return { changed: false };
  return withRetries(`profile of ${userId}`, async (consistent) => {
    const stored = await store.getUser(userId, { consistent });
    const profile = stored?.value.profile;
    const updated = applyEventToProfile(profile, event, traitsSetting);
    if (updated === undefined) return { ...(profile ? { profile } : {}), changed: false };
    await store.putUser(userId, { profile: updated }, stored?.revision);
    return { profile: updated, changed: true };
  });
}

/** Applies one past event to every journey's record of its key that listens to it; records written. */
async function importToJourneys(options: ImportOptions, event: ShopEvent, profile: Profile | undefined) {
  const { catalog, store, now } = options;
  let written = 0;
  for (const current of catalog.listeningTo(event["detail-type"])) {
    const key = event.detail[current.journey.key];
    if (typeof key !== "string" || key === "") continue;
    written += await withRetries(`${current.id}/${key}`, async (consistent) => {
      const stored = await store.getRecord(current.id, key, { consistent });
      const policy = { config: options.policies ?? DEFAULT_POLICY_CONFIG };
      const args = { current, record: stored?.value, key, profile, now, policy, event, history: true };
      const decision = decideEvent(args);
      if (decision === undefined) return 0;
      // History starts no run and moves none on: an effect here would be a bug, never something to send.
      if (decision.effects.length > 0 || decision.events.length > 0)
        throw new NudgeError(`${current.id}/${key}: history made effects`);
      for (const wakeUp of newWakeUpsOf(decision.record, stored?.value)) await store.scheduleWakeUp(wakeUp);
      await store.putRecord(decision.record, stored?.revision);
      return 1;
    });
  }
  return written;
}

export async function importHistory(options: ImportOptions): Promise<ImportResult> {
  const result: ImportResult = { events: 0, profileUpdates: 0, recordUpdates: 0 };
  const traits = options.traits && {
    file: options.traits,
    defaultZone: options.policies?.defaultTimezone ?? DEFAULT_TIMEZONE,
  };
  for (const event of options.events) {
    const { profile, changed } = await importProfile(options.store, event, traits);
    result.events += 1;
    if (changed) result.profileUpdates += 1;
    result.recordUpdates += await importToJourneys(options, event, profile);
  }
  return result;
}
