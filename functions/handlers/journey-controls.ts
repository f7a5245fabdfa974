/**
 * What the tick does for journey controls once a minute, after the timer wheel: hands the held wake-ups of
 * resumed journeys back to the timers (a resume takes effect within a minute), then checks the guardrails
 * and pauses the journeys that cross one, publishing `journey.paused` to the ingest queue and counting
 * `JourneysPaused` (the journey-paused alarm's metric, lib/alarms.ts).
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Journey } from "../language/schema.ts";
import { type ControlStore, resumeHeldRuns } from "../runtime/control-cache.ts";
import { enforceGuardrails, type GuardrailPause } from "../runtime/guardrail-checks.ts";
import type { EventPublisher } from "../runtime/journey-runtime.ts";
import type { StatsStore, TimerStore } from "../runtime/ports.ts";
import { ConfigError } from "./config.ts";
import { embeddedJourneys } from "./journeys.ts";
import { FUNCTION_METRICS } from "./metric-names.ts";
import type { createLogger, createMetrics } from "./observability.ts";

export interface JourneyControlsDependencies {
  store: ControlStore & StatsStore & Pick<TimerStore, "scheduleWakeUp">;
  /** The journeys whose guardrails are checked (plain data: no compiling, no template engine in the tick). */
  journeys: readonly Journey[];
  /** Where `journey.paused` goes; none: logged and counted only. */
  publisher?: EventPublisher;
  /**
   * The guardrails are checked at most this often (ms of the clock; default: every tick, once a minute on
   * AWS). The local platform at --speed ticks many times a virtual minute: it checks once a virtual hour, and
   * not more than once a real second (guardrailCheckSeconds, functions/local/platform-queues.ts).
   */
  guardrailsEveryMs?: number;
  /** When the guardrails were last checked (per function instance). */
  guardrailsCheckedAt?: number;
}

export interface ControlsReport {
  resumed: number;
  paused: GuardrailPause[];
}

export async function runJourneyControls(
  deps: JourneyControlsDependencies,
  now: number,
  logger: ReturnType<typeof createLogger>,
  metrics: ReturnType<typeof createMetrics>,
): Promise<ControlsReport> {
  const resumed = await resumeHeldRuns(deps.store);
  const due = deps.guardrailsCheckedAt === undefined || now - deps.guardrailsCheckedAt >= (deps.guardrailsEveryMs ?? 0);
  if (due) deps.guardrailsCheckedAt = now;
  const paused = due
    ? await enforceGuardrails({
        journeys: deps.journeys,
        store: deps.store,
        now,
        ...(deps.publisher === undefined ? {} : { publisher: deps.publisher }),
      })
    : [];
  for (const { control } of paused)
    logger.warn("journey paused by a guardrail", { journeyId: control.journeyId, reason: control.reason });
  metrics.addMetric(FUNCTION_METRICS.journeysPaused, MetricUnit.Count, paused.length);
  metrics.addMetric(FUNCTION_METRICS.wakeUpsResumed, MetricUnit.Count, resumed);
  return { resumed, paused };
}

/** The journeys embedded in the bundle; none outside one (tests give theirs), so no guardrail is checked. */
export function embeddedJourneysOrNone(): Journey[] {
  try {
    return embeddedJourneys();
  } catch (error) {
    if (error instanceof ConfigError) return [];
    throw error;
  }
}
