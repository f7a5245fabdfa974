/**
 * The tick function: the timer wheel, run every minute by an EventBridge schedule (one at a time:
 * reserved concurrency 1). It takes the wake-ups due within the lookahead (the timer cursor moves past
 * them) and hands them to the wake-up queue, each delayed until it falls due; the ingest function runs them. It reports how late
 * the latest due wake-up was taken (TickLateness), the metric the tick-lateness alarm watches.
 */

import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import middy from "@middy/core";
import type { Context, ScheduledEvent } from "aws-lambda";
import type { Journey } from "../language/schema.ts";
import type { TimerStore } from "../runtime/ports.ts";
import { type TickReport, tick } from "../runtime/tick-engine.ts";
import { IngestQueuePublisher } from "./adapters.ts";
import { type Environment, parseConfig, tickEnvironment } from "./config.ts";
import { embeddedJourneysOrNone, type JourneyControlsDependencies, runJourneyControls } from "./journey-controls.ts";
import { FUNCTION_METRICS } from "./metric-names.ts";
import { createLogger, createMetrics } from "./observability.ts";
import { platformStore } from "./store.ts";
import { WakeUpQueue } from "./wake-up-queue.ts";

export interface TickDependencies {
  timers: TimerStore;
  wakeUpQueue: Pick<WakeUpQueue, "handOn">;
  logger: ReturnType<typeof createLogger>;
  metrics: ReturnType<typeof createMetrics>;
  lookaheadMs: number;
  maxWakeUps: number;
  /** SendMessageBatch calls in flight at once (TickOptions.sendsInFlight). */
  sendsInFlight: number;
  clock: () => number;
  /** Pause/resume and guardrails, after the timer wheel (journey-controls.ts); none: skipped. */
  controls?: JourneyControlsDependencies;
}

/** How long before the function's timeout the tick stops taking wake-ups (it hands on what it took). */
export const STOP_BEFORE_TIMEOUT_MS = 10_000;

export function createTickHandler(deps: TickDependencies) {
  const { timers, wakeUpQueue, logger, metrics, lookaheadMs, maxWakeUps, sendsInFlight, clock, controls } = deps;
  return middy(async (event: Pick<ScheduledEvent, "time">, context: Context): Promise<TickReport> => {
    const now = clock();
    const deadline = Date.now() + context.getRemainingTimeInMillis() - STOP_BEFORE_TIMEOUT_MS;
    const report = await tick({
      timers,
      // Near the timeout the tick ends cleanly, what it took and did not hand on scheduled again, rather
      // than being stopped between taking wake-ups and handing them on.
      shouldStop: () => Date.now() >= deadline,
      now,
      lookaheadMs,
      maxWakeUps,
      sendsInFlight,
      // Delays count from each send: a tick that runs long still fires what it hands on when due.
      clock,
      handOn: (batch) => wakeUpQueue.handOn(batch),
    });
    // How long after its scheduled minute this tick ran (a previous tick still running delays it).
    const scheduleDelayMs = Math.max(0, now - Date.parse(event.time)) || 0;
    metrics.addMetric(FUNCTION_METRICS.tickLateness, MetricUnit.Milliseconds, report.maxLatenessMs);
    metrics.addMetric(FUNCTION_METRICS.tickScheduleDelay, MetricUnit.Milliseconds, scheduleDelayMs);
    metrics.addMetric(FUNCTION_METRICS.wakeUpsHandedOn, MetricUnit.Count, report.handedOn);
    metrics.addMetric(FUNCTION_METRICS.wakeUpsLate, MetricUnit.Count, report.late);
    const controlled = controls === undefined ? undefined : await runJourneyControls(controls, now, logger, metrics);
    logger.info("tick", { ...report, scheduleDelayMs, resumed: controlled?.resumed ?? 0 });
    return report;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

export function tickDependencies(
  env: Environment,
  overrides: { dynamodb?: DynamoDBDocumentClient; sqs?: SQSClient; clock?: () => number; journeys?: Journey[] } = {},
): TickDependencies {
  const config = parseConfig(tickEnvironment, env, "tick");
  const clock = overrides.clock ?? Date.now;
  const timers = platformStore(config, overrides.dynamodb, clock);
  const sqs = overrides.sqs ?? new SQSClient({});
  return {
    timers,
    wakeUpQueue: new WakeUpQueue(sqs, config.WAKE_UP_QUEUE_URL),
    controls: {
      store: timers,
      guardrailsEveryMs: config.GUARDRAIL_CHECK_SECONDS * 1000,
      journeys: overrides.journeys ?? embeddedJourneysOrNone(),
      ...(config.INGEST_QUEUE_URL === undefined
        ? {}
        : { publisher: new IngestQueuePublisher(sqs, config.INGEST_QUEUE_URL) }),
    },
    logger: createLogger(),
    metrics: createMetrics(),
    lookaheadMs: config.LOOKAHEAD_SECONDS * 1000,
    maxWakeUps: config.MAX_WAKE_UPS_PER_TICK,
    sendsInFlight: config.WAKE_UP_SENDS_IN_FLIGHT,
    clock,
  };
}
