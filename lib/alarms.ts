import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { FUNCTION_METRICS, METRICS_NAMESPACE, SERVICE } from "../functions/handlers/metric-names.ts";

export interface NudgeAlarmsProps {
  /** Every dead-letter queue, by name: a message in any of them is something that failed for good. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  functions: Record<string, lambda.IFunction>;
  ingestQueue: sqs.IQueue;
  /** An address that gets the alarms by email (context `alarmEmail`); none: the topic only. */
  email?: string;
  /** Alarm when the oldest ingest message is older than this (default 5 minutes). */
  maxIngestAge?: Duration;
  /** Alarm when a tick takes a wake-up later than this past its due time (default 2 minutes). */
  maxTickLateness?: Duration;
}

/**
 * The alarms of the platform, each notifying one SNS topic: a message in a dead-letter queue, a function
 * error, ingest falling behind (the age of the oldest message) and the timer wheel falling behind (tick
 * lateness, emitted by every tick, so a tick that stopped running alarms too: missing data breaches).
 */
export class NudgeAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: NudgeAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, "Topic", { displayName: "Nudge alarms", enforceSSL: true });
    if (props.email !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const period = Duration.minutes(5);

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(`${name}DeadLetters`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum" }),
        threshold: 1,
        alarmDescription: `Messages in the ${name} dead-letter queue. Why: \`npx nudge dead-letters list\` shows each one's reason (its nudge-reason attribute, or for an event EventBridge could not deliver, its ERROR_CODE and ERROR_MESSAGE). Fix, then \`npx nudge dead-letters redrive\` (docs/dead-letters.md)`,
      });
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, {
        metric: fn.metricErrors({ period, statistic: "Sum" }),
        threshold: 1,
        alarmDescription: `The ${name} function failed (an invocation error, not a rejected record)`,
      });
    }
    const maxAge = props.maxIngestAge ?? Duration.minutes(5);
    this.add("IngestAge", {
      metric: props.ingestQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: "Maximum",
      }),
      threshold: maxAge.toSeconds(),
      evaluationPeriods: 5,
      alarmDescription: `The oldest event waiting for the ingest function is older than ${maxAge.toHumanString()}: ingest is falling behind`,
    });
    const maxLateness = props.maxTickLateness ?? Duration.minutes(2);
    this.add("TickLateness", {
      metric: serviceMetric(FUNCTION_METRICS.tickLateness, "Maximum", period),
      threshold: maxLateness.toMilliseconds(),
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: `Timers fire more than ${maxLateness.toHumanString()} late, or the tick stopped running`,
    });
    this.add("RecordsRejected", {
      metric: serviceMetric(FUNCTION_METRICS.recordsRejected, "Sum", period),
      threshold: 1,
      alarmDescription:
        "A function rejected input it can never process (an event over a limit, failing the event catalog): it is in a dead-letter queue with its reason. `npx nudge dead-letters list` shows it; fix the publisher, or redrive after a fix (docs/dead-letters.md)",
    });
    this.add("JourneyPaused", {
      metric: serviceMetric(FUNCTION_METRICS.journeysPaused, "Sum", period),
      threshold: 1,
      alarmDescription:
        "A guardrail paused a journey (refund rate, unsubscribe rate or coupon budget): `npx nudge status` says which and why; `npx nudge resume <journey>` once it is understood (docs/operations.md, Operating journeys)",
    });
  }

  private add(id: string, props: Omit<cloudwatch.AlarmProps, "evaluationPeriods"> & { evaluationPeriods?: number }) {
    const alarm = new cloudwatch.Alarm(this, id, {
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/** One of Nudge's own metrics (the functions' EMF metrics, functions/handlers/metric-names.ts). */
function serviceMetric(metricName: string, statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE },
    period,
    statistic,
  });
}
