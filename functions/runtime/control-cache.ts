import type { WakeUp } from "../engine/model.ts";
import { formatInstant } from "../shared/time.ts";
import type { Awaitable, ReadOptions, TimerStore, Versioned } from "./ports.ts";

/**
 * Operating a journey without a deploy: paused (by an operator, `nudge pause`, or by a guardrail) or
 * not. A paused journey admits no one and holds its runs where they are; resuming continues them.
 */
export interface JourneyControl {
  journeyId: string;
  paused: boolean;
  /** Why: the operator's `--reason`, or `guardrail:<name> <value> > <threshold>`. */
  reason?: string;
  /** Who: `cli:<user>`, `guardrail`, `simulator`. */
  by?: string;
  /** When it was paused or resumed (ISO-8601). */
  since: string;
}

/**
 * The control port: one small item per journey, and the wake-ups held while their journey is paused.
 * Holding a wake-up is one write, once, whatever the length of the pause (not one per minute); resuming
 * hands each back to the timers once.
 */
export interface ControlStore {
  /** Every journey's control (journeys never paused have none). */
  getControls(options?: ReadOptions): Promise<Versioned<JourneyControl>[]>;
  /**
   * Saves a journey's control if its revision is still `expectedRevision` (undefined: none yet); returns
   * the new revision. Of two guardrail checks that see the same crossing, one write wins (ConcurrencyError
   * for the other), so one `journey.paused` goes out.
   */
  setControl(control: JourneyControl, expectedRevision: number | undefined): Promise<number>;
  /** Keeps a wake-up that fell due while its journey was paused, until the journey is resumed. */
  holdWakeUp(wakeUp: WakeUp): Awaitable<void>;
  /** Up to `limit` of a journey's held wake-ups (any order); they stay held until `releaseHeldWakeUps`. */
  listHeldWakeUps(journeyId: string, limit: number): Promise<WakeUp[]>;
  /** Forgets held wake-ups (after they were scheduled again). */
  releaseHeldWakeUps(wakeUps: readonly WakeUp[]): Promise<void>;
}

/** How long a runtime trusts the controls it read (default 30 s): a pause takes effect within a minute. */
export const DEFAULT_CONTROL_TTL_MS = 30_000;

/**
 * The controls as one runtime instance sees them: read at most once per `ttlMs` of the runtime's clock
 * (the `now` of its inputs), so a busy ingest function costs one small Query per TTL, not one per event.
 */
export class ControlCache {
  private paused = new Map<string, JourneyControl>();
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: ControlStore | undefined,
    private readonly ttlMs: number = DEFAULT_CONTROL_TTL_MS,
  ) {}

  /** The journey's control when it is paused, else undefined. */
  async pausedControl(journeyId: string, now: number): Promise<JourneyControl | undefined> {
    if (this.staleAt(now)) await this.refresh(now);
    return this.paused.get(journeyId);
  }

  /**
   * Whether the controls must be read again (refresh) before `pausedAsRead` answers for `now`. Apart from
   * pausedControl so that an input awaits a read only when there is one (the hot path: most inputs).
   */
  staleAt(now: number): boolean {
    return this.store !== undefined && !(now - this.readAt < this.ttlMs);
  }

  /** Reads the controls. */
  async refresh(now: number): Promise<void> {
    if (this.store === undefined) return;
    const controls = await this.store.getControls();
    this.paused = new Map(controls.filter((c) => c.value.paused).map((c) => [c.value.journeyId, c.value]));
    this.readAt = now;
  }

  /** The journey's control when it is paused, as last read (after refresh when staleAt said so). */
  pausedAsRead(journeyId: string): JourneyControl | undefined {
    return this.paused.get(journeyId);
  }

  /** Reads again at the next input (the simulator, which changes controls itself, calls it). */
  invalidate(): void {
    this.readAt = Number.NEGATIVE_INFINITY;
  }
}

/**
 * Hands the held wake-ups of every journey that is not paused back to the timers, at most `limit` in all,
 * each marked `heldAt` so that the journey's `whenResumed` policy can tell a late message from a timely
 * one. Scheduled first, forgotten second: a crash in between schedules some twice, and the second firing
 * is stale (the run moved on). Returns how many were handed back. The tick runs it every minute.
 */
export async function resumeHeldRuns(
  store: ControlStore & Pick<TimerStore, "scheduleWakeUp">,
  limit = 5_000,
): Promise<number> {
  let resumed = 0;
  for (const { value: control } of await store.getControls({ consistent: true })) {
    if (control.paused || resumed >= limit) continue;
    for (;;) {
      const held = await store.listHeldWakeUps(control.journeyId, Math.min(500, limit - resumed));
      if (held.length === 0) break;
      for (const wakeUp of held) await store.scheduleWakeUp(wakeUp);
      await store.releaseHeldWakeUps(held);
      resumed += held.length;
      if (resumed >= limit) break;
    }
  }
  return resumed;
}

/** Pauses or resumes a journey (read, then a conditional write); false when it already was so. */
export async function setPaused(
  store: ControlStore,
  journeyId: string,
  change: { paused: boolean; reason?: string; by: string; now: number },
): Promise<boolean> {
  const current = (await store.getControls({ consistent: true })).find((c) => c.value.journeyId === journeyId);
  if ((current?.value.paused ?? false) === change.paused) return false;
  await store.setControl(
    {
      journeyId,
      paused: change.paused,
      ...(change.reason === undefined ? {} : { reason: change.reason }),
      by: change.by,
      since: formatInstant(change.now),
    },
    current?.revision,
  );
  return true;
}
