/**
 * The local platform's clock: the real one, or virtual time running `speed` times faster from a given
 * instant (demos: a month of journeys in a minute). Handlers, store, queues and the endpoint all read
 * this one clock, as every Lambda function reads the same wall clock on AWS.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export interface VirtualClock {
  readonly speed: number;
  now(): number;
}

export function virtualClock(speed: number, startAt: number = Date.now()): VirtualClock {
  if (speed === 1 && Math.abs(startAt - Date.now()) < 1000) return { speed, now: Date.now };
  const realStart = Date.now();
  return { speed, now: () => startAt + (Date.now() - realStart) * speed };
}

/**
 * Virtual time that can stand still: while paused, `now()` does not move, and it goes on from there. The
 * demo pauses it while the platform runs behind, so a month at high speed comes out as it would in real
 * time (a wake-up fired a virtual day late would find its coupon expired), at the cost of real seconds.
 */
export interface PausableClock extends VirtualClock {
  pause(): void;
  resume(): void;
}

export function pausableClock(speed: number, startAt: number): PausableClock {
  const realStart = Date.now();
  let pausedAt: number | undefined;
  let pausedFor = 0;
  return {
    speed,
    now: () => startAt + ((pausedAt ?? Date.now()) - realStart - pausedFor) * speed,
    pause: () => {
      pausedAt ??= Date.now();
    },
    resume: () => {
      if (pausedAt === undefined) return;
      pausedFor += Date.now() - pausedAt;
      pausedAt = undefined;
    },
  };
}

/** What the platform keeps of its clock between runs (`clock.json` in its folder). */
export interface SavedClock {
  /** Where virtual time stood when it last ran, so that a restart at --speed goes on from there. */
  now?: number;
  /** The first day it ran: the statistics counters are summed from there. */
  firstDay?: string;
}

export function readSavedClock(path: string): SavedClock {
  if (!existsSync(path)) return {};
  try {
    const saved = JSON.parse(readFileSync(path, "utf8")) as { now?: unknown; firstDay?: unknown };
    const now = typeof saved.now === "string" ? Date.parse(saved.now) : Number.NaN;
    return {
      ...(Number.isFinite(now) ? { now } : {}),
      ...(typeof saved.firstDay === "string" ? { firstDay: saved.firstDay } : {}),
    };
  } catch {
    return {};
  }
}

export function writeSavedClock(path: string, now: number, firstDay: string): void {
  writeFileSync(path, `${JSON.stringify({ now: new Date(now).toISOString(), firstDay })}\n`);
}
