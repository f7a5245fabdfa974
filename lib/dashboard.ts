import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { FUNCTION_METRICS, JOURNEY_METRICS, METRICS_NAMESPACE, SERVICE } from "../functions/handlers/metric-names.ts";

export interface NudgeDashboardProps {
  dashboardName: string;
  /** The ids of the journeys to chart. */
  journeyIds: readonly string[];
  functions: Record<string, lambda.IFunction>;
  queues: Record<string, sqs.IQueue>;
  deadLetterQueues: Record<string, sqs.IQueue>;
}

const period = Duration.minutes(5);

/**
 * The journeys' dashboard: per journey, runs entered, messages sent, coupons issued and conversions (the
 * embedded-metric-format counters the ingest function emits), then the platform's health: queues,
 * dead-letter queues, functions and the timer wheel.
 */
export class NudgeDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: NudgeDashboardProps) {
    super(scope, id);
    const perJourney = (metricName: string) =>
      props.journeyIds.map(
        (journey) =>
          new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName,
            dimensionsMap: { service: SERVICE, journey },
            statistic: "Sum",
            period,
            label: journey,
          }),
      );
    const journeyGraph = (title: string, metricName: string) =>
      new cloudwatch.GraphWidget({ title, left: perJourney(metricName), width: 6, stacked: true });
    const serviceMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE },
        statistic,
        period,
      });

    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(
      journeyGraph("Entered", JOURNEY_METRICS.entered),
      journeyGraph("Messages sent", JOURNEY_METRICS["message.sent"]),
      journeyGraph("Coupons issued", JOURNEY_METRICS["coupon.issued"]),
      journeyGraph("Conversions", JOURNEY_METRICS["goal.converted"]),
    );
    this.dashboard.addWidgets(
      journeyGraph("Holdout conversions", JOURNEY_METRICS["goal.converted.holdout"]),
      journeyGraph("Coupons redeemed", JOURNEY_METRICS["coupon.redeemed"]),
      journeyGraph("Coupon value redeemed", JOURNEY_METRICS["coupon.redeemed.value"]),
      journeyGraph("Order value of conversions", JOURNEY_METRICS["goal.value"]),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Queues: messages waiting",
        left: Object.entries(props.queues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum", label: name }),
        ),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "Dead-letter queues",
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum", label: name }),
        ),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "Records rejected / failed",
        left: [
          serviceMetric(FUNCTION_METRICS.recordsRejected, "Sum"),
          serviceMetric(FUNCTION_METRICS.recordsFailed, "Sum"),
        ],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "Messages delivered, skipped (no address, unsubscribed), refused (to dead letters)",
        left: [
          serviceMetric(FUNCTION_METRICS.messagesDelivered, "Sum"),
          serviceMetric(FUNCTION_METRICS.messagesSkipped, "Sum"),
          serviceMetric(FUNCTION_METRICS.messagesRefused, "Sum"),
        ],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "Tick lateness (ms) and wake-ups handed on",
        left: [serviceMetric(FUNCTION_METRICS.tickLateness, "Maximum")],
        right: [serviceMetric(FUNCTION_METRICS.wakeUpsHandedOn, "Sum")],
        width: 6,
      }),
    );
    this.dashboard.addWidgets(
      ...Object.entries(props.functions).map(
        ([name, fn]) =>
          new cloudwatch.GraphWidget({
            title: `${name}: invocations, errors, duration p99`,
            left: [fn.metricInvocations({ period }), fn.metricErrors({ period })],
            right: [fn.metricDuration({ period, statistic: "p99" })],
            width: 8,
          }),
      ),
    );
  }
}
