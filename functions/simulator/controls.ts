import type { Journey } from "../language/schema.ts";
import type { ControlStore } from "../runtime/control-cache.ts";
import { resumeHeldRuns, setPaused } from "../runtime/control-cache.ts";
import { enforceGuardrails } from "../runtime/guardrail-checks.ts";
import type { JourneyRuntime } from "../runtime/journey-runtime.ts";
import type { StatsStore, TimerStore } from "../runtime/ports.ts";
import { DAY_MS, formatInstant } from "../shared/time.ts";
import type { SimulationLine } from "./lines.ts";

/** A pause or resume at a virtual time (`nudge simulate --pause journey@time --resume journey@time`). */
export interface ScheduledControl {
  at: number;
  journeyId: string;
  paused: boolean;
  reason?: string;
}

const HOUR_MS = 3_600_000;

export function isControlStore(store: object): store is ControlStore {
  return "getControls" in store && "setControl" in store && "holdWakeUp" in store;
}

/**
 * The operator and the tick, in the simulator: scheduled pauses and resumes at their virtual times, held
 * runs handed back on resume, and the guardrails checked every virtual hour (on AWS the tick checks every
 * minute: a simulated pause may come up to an hour later than on AWS). Each pause and resume is an output
 * line, `journey.paused` / `journey.resumed`, with its reason and who.
 */
export class SimulatorControls {
  private readonly scheduled: ScheduledControl[];
  private nextCheck = Number.NEGATIVE_INFINITY;
  private countersChecked = -1;
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  private readonly guarded: boolean;

  constructor(
    private readonly store: ControlStore & StatsStore & Pick<TimerStore, "scheduleWakeUp">,
    private readonly journeys: readonly Journey[],
    private readonly runtime: JourneyRuntime,
    private readonly emit: (line: SimulationLine) => void,
    scheduled: readonly ScheduledControl[],
  ) {
    this.scheduled = [...scheduled].sort((a, b) => a.at - b.at);
    this.guarded = journeys.some((journey) => journey.guardrails !== undefined);
  }

  /** When the next scheduled control falls due, if any. */
  nextAt(): number | undefined {
    return this.scheduled[0]?.at;
  }

  /** Whether `advance(now)` has anything to do: a control or a guardrail check due. Asked for every input. */
  dueBy(now: number): boolean {
    const control = this.scheduled[0];
    return (control !== undefined && control.at <= now) || (this.guarded && this.nextCheck <= now);
  }

  /**
   * Applies what falls due up to `now`, in time order: scheduled controls at their times, and the hourly
   * guardrail check. This runs before anything at `now` happens, so a check due earlier sees the state as
   * of its hour; checks between two changes would all see the same, and are not repeated.
   */
  async advance(now: number): Promise<void> {
    for (;;) {
      const control = this.scheduled[0];
      const controlDue = control !== undefined && control.at <= now;
      if (this.guarded && this.nextCheck <= now && (!controlDue || this.nextCheck <= control.at)) {
        const at = Number.isFinite(this.nextCheck) ? this.nextCheck : now;
        await this.check(at);
        this.nextCheck = Math.floor((controlDue ? control.at : now) / HOUR_MS) * HOUR_MS + HOUR_MS;
      } else if (controlDue) {
        this.scheduled.shift();
        await this.apply(control);
      } else return;
    }
  }

  private async check(at: number): Promise<void> {
    // No refund, unsubscribe or withheld coupon counted since the last check: no guardrail can have crossed
    // (a check costs a Query per shard and day of each guarded journey; on the DynamoDB store hourly checks
    // would dominate a simulation). At least one check a day, as days leave the guardrails' window.
    if (this.runtime.guardrailCountersAdded === this.countersChecked && at - this.lastCheckAt < DAY_MS) return;
    this.countersChecked = this.runtime.guardrailCountersAdded;
    this.lastCheckAt = at;
    await this.runtime.flush();
    const pauses = await enforceGuardrails({ journeys: this.journeys, store: this.store, now: at });
    for (const { control } of pauses) this.line(control.journeyId, at, "journey.paused", control.reason, "guardrail");
    if (pauses.length > 0) this.runtime.controls.invalidate();
  }

  private async apply(control: ScheduledControl): Promise<void> {
    const by = "simulator";
    const reason = control.reason ?? (control.paused ? "paused by --pause" : undefined);
    const changed = await setPaused(this.store, control.journeyId, {
      paused: control.paused,
      ...(reason === undefined ? {} : { reason }),
      by,
      now: control.at,
    });
    if (!changed) return;
    this.runtime.controls.invalidate();
    this.line(control.journeyId, control.at, control.paused ? "journey.paused" : "journey.resumed", reason, by);
    if (!control.paused) await resumeHeldRuns(this.store, Number.POSITIVE_INFINITY);
  }

  private line(journeyId: string, at: number, type: string, reason: string | undefined, by: string): void {
    const version = Math.max(0, ...this.journeys.filter((j) => j.id === journeyId).map((j) => j.version));
    this.emit({
      at: formatInstant(at),
      journey: journeyId,
      version,
      user: "",
      run: "",
      type,
      ...(reason === undefined ? {} : { reason }),
      by,
    });
  }
}

/** `journey@time` items, comma-separated (`--pause new-user-coupon@2026-11-20T00:00:00Z`). */
export function parseScheduledControls(text: string, paused: boolean, option: string): ScheduledControl[] {
  return text.split(",").map((item) => {
    const at = item.lastIndexOf("@");
    const journeyId = item.slice(0, at).trim();
    const time = Date.parse(item.slice(at + 1).trim());
    if (at <= 0 || journeyId === "" || Number.isNaN(time))
      throw new Error(
        `${option}: expected <journey>@<ISO time> such as "new-user-coupon@2026-11-20T00:00:00Z", got "${item}"`,
      );
    return { at: time, journeyId, paused };
  });
}
