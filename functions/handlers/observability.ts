/**
 * Logs and metrics of the functions: Powertools' JSON logger and embedded-metric-format (EMF) metrics.
 * Logs carry ids (message, event, journey, run, user ids), never personal data: no message text, no
 * email address or phone number; a rejected event's problems are logged with its string values left out.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SQSBatchItemFailure, SQSRecord } from "aws-lambda";
import type { StatsCounter } from "../engine/model.ts";
import { FUNCTION_METRICS, journeyMetricOf, METRICS_NAMESPACE, SERVICE } from "./metric-names.ts";
import { RejectedRecordError } from "./records.ts";

export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE });
}

export function createMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });
}

/**
 * Adds up the statistics counters a batch wrote (the runtime's `onStatsWritten`), per journey, and
 * publishes them at the end of the batch as one EMF record per journey (dimensions: service, journey),
 * through a Metrics of its own so that the function's other metrics keep their dimensions. The same
 * numbers as the DynamoDB counters `nudge report` reads, so the dashboard and the report agree.
 */
export class JourneyCounters {
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(private readonly metrics: Metrics = createMetrics()) {}

  add(counters: readonly StatsCounter[]): void {
    for (const counter of counters) {
      const name = journeyMetricOf(counter.name);
      if (name === undefined) continue;
      let byName = this.counts.get(counter.journeyId);
      if (byName === undefined) {
        byName = new Map();
        this.counts.set(counter.journeyId, byName);
      }
      byName.set(name, (byName.get(name) ?? 0) + counter.amount);
    }
  }

  publish(): void {
    const metrics = this.metrics;
    for (const [journey, byName] of this.counts) {
      metrics.addDimension("journey", journey);
      for (const [name, value] of byName)
        metrics.addMetric(name, name.endsWith("Value") ? MetricUnit.NoUnit : MetricUnit.Count, value);
      metrics.publishStoredMetrics();
    }
    this.counts.clear();
  }
}

/**
 * Runs every record of a batch (concurrently: the runtime's optimistic writes keep records of one run
 * consistent) and reports the ones that failed, each logged with its reason, for SQS to retry or, after
 * maxReceiveCount, move to the dead-letter queue. The others in the batch are done and deleted.
 */
export async function settleBatch(
  records: readonly SQSRecord[],
  process: (record: SQSRecord) => Promise<void>,
  logger: Logger,
  metrics: Metrics,
): Promise<{ batchItemFailures: SQSBatchItemFailure[] }> {
  // An async wrapper, so that a record that throws at once is settled like the others.
  const settled = await Promise.allSettled(records.map(async (record) => process(record)));
  const batchItemFailures: SQSBatchItemFailure[] = [];
  let rejected = 0;
  settled.forEach((result, index) => {
    const record = records[index];
    if (result.status === "fulfilled" || record === undefined) return;
    batchItemFailures.push({ itemIdentifier: record.messageId });
    const ids = { messageId: record.messageId, receiveCount: Number(record.attributes.ApproximateReceiveCount) };
    if (result.reason instanceof RejectedRecordError) {
      rejected++;
      const { eventId, problems } = result.reason;
      logger.error("record rejected: it goes to the dead-letter queue after maxReceiveCount", {
        ...ids,
        eventId,
        problems,
      });
    } else {
      // Store or network trouble: SQS redelivers the record after its visibility timeout.
      logger.error("record failed: SQS will deliver it again", { ...ids, error: describeError(result.reason) });
    }
  });
  metrics.addMetric(FUNCTION_METRICS.recordsProcessed, MetricUnit.Count, records.length - batchItemFailures.length);
  metrics.addMetric(FUNCTION_METRICS.recordsRejected, MetricUnit.Count, rejected);
  metrics.addMetric(FUNCTION_METRICS.recordsFailed, MetricUnit.Count, batchItemFailures.length - rejected);
  return { batchItemFailures };
}

/** An error's name, message and cause chain (Nudge's messages name ids, never personal data). */
function describeError(error: unknown): { name: string; message: string; cause?: unknown } {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  return {
    name: error.name,
    message: error.message,
    ...(error.cause === undefined ? {} : { cause: describeError(error.cause) }),
  };
}
