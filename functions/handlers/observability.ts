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
import type { RejectedRecordDeadLetters } from "./rejected-records.ts";

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
      // An hour's counter repeats its day's (report.byHour): the metric counts each thing once.
      if (counter.hour !== undefined) continue;
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

/** What settleBatch may do with a record that can never be processed, besides failing it. */
export interface SettleOptions {
  /** Sends a rejected record to its dead-letter queue at once, with its reason (rejected-records.ts). */
  deadLetters?: RejectedRecordDeadLetters | undefined;
}

/** `rejected`: for good, and left to SQS's redrive; `dead-lettered`: rejected and sent to the dead letters at once. */
type Outcome = "done" | "dead-lettered" | "rejected" | "failed";

/**
 * Runs every record of a batch (concurrently: the runtime's optimistic writes keep records of one run
 * consistent) and reports the ones that failed, each logged with its reason, for SQS to retry. A record
 * rejected for good (RejectedRecordError) goes to the dead-letter queue at once with its reason when
 * `options.deadLetters` covers its queue, and is done; otherwise it fails, and after maxReceiveCount SQS
 * moves it there. The others in the batch are done and deleted.
 */
export async function settleBatch(
  records: readonly SQSRecord[],
  process: (record: SQSRecord) => Promise<void>,
  logger: Logger,
  metrics: Metrics,
  options: SettleOptions = {},
): Promise<{ batchItemFailures: SQSBatchItemFailure[] }> {
  // An async wrapper, so that a record that throws at once is settled like the others.
  const outcomes = await Promise.all(
    records.map(async (record): Promise<Outcome> => {
      try {
        await process(record);
        return "done";
      } catch (error) {
        return settleFailure(record, error, { logger, deadLetters: options.deadLetters });
      }
    }),
  );
  const batchItemFailures = records
    .filter((_record, index) => outcomes[index] === "rejected" || outcomes[index] === "failed")
    .map((record) => ({ itemIdentifier: record.messageId }));
  const count = (outcome: Outcome) => outcomes.filter((o) => o === outcome).length;
  metrics.addMetric(FUNCTION_METRICS.recordsProcessed, MetricUnit.Count, count("done"));
  // Rejected records, wherever they go: the rejected-records alarm's metric.
  metrics.addMetric(FUNCTION_METRICS.recordsRejected, MetricUnit.Count, count("rejected") + count("dead-lettered"));
  metrics.addMetric(FUNCTION_METRICS.recordsFailed, MetricUnit.Count, count("failed"));
  return { batchItemFailures };
}

/**
 * A failed record, logged with its reason: a rejected one is dead-lettered when it can be (done), left to
 * the queue's redrive otherwise; any other failure is left for SQS to deliver again.
 */
async function settleFailure(
  record: SQSRecord,
  error: unknown,
  context: { logger: Logger; deadLetters: RejectedRecordDeadLetters | undefined },
): Promise<Outcome> {
  const { logger, deadLetters } = context;
  const ids = { messageId: record.messageId, receiveCount: Number(record.attributes.ApproximateReceiveCount) };
  if (!(error instanceof RejectedRecordError)) {
    // Store or network trouble: SQS redelivers the record after its visibility timeout.
    logger.error("record failed: SQS will deliver it again", { ...ids, error: describeError(error) });
    return "failed";
  }
  const { eventId, problems } = error;
  if (deadLetters?.covers(record) !== true) {
    logger.error("record rejected: it goes to the dead-letter queue after maxReceiveCount", {
      ...ids,
      eventId,
      problems,
    });
    return "rejected";
  }
  try {
    await deadLetters.send(record, error);
  } catch (sendError) {
    logger.error("record rejected, but not sent to the dead-letter queue: SQS will deliver it again", {
      ...ids,
      eventId,
      problems,
      error: describeError(sendError),
    });
    return "rejected";
  }
  logger.error("record rejected: sent to the dead-letter queue with its reason", { ...ids, eventId, problems });
  return "dead-lettered";
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
