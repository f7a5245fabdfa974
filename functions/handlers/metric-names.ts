/**
 * The names of Nudge's metrics, shared by the functions that emit them (embedded metric format, through
 * Powertools) and by the CDK app's alarms and dashboard that read them.
 */
/** The CloudWatch namespace, and the service (a dimension of every metric). */
export const METRICS_NAMESPACE = "Nudge";
export const SERVICE = "nudge";

/**
 * The per-journey metrics (dimensions: service, journey; never the step, which would multiply the metrics
 * CloudWatch bills), by the statistics counter they add up (functions/engine/stats.ts). A name ending in
 * `.` takes every counter it starts (`message.suppressed.<reason>`); `step.<id>` counters are left out.
 */
export const JOURNEY_METRICS = {
  entered: "Entered",
  holdout: "Holdout",
  "message.sent": "MessagesSent",
  "message.suppressed.": "MessagesSuppressed",
  "coupon.issued": "CouponsIssued",
  "coupon.value": "CouponValueIssued",
  "coupon.redeemed": "CouponsRedeemed",
  "coupon.redeemed.value": "CouponValueRedeemed",
  "goal.converted": "Conversions",
  "goal.converted.holdout": "HoldoutConversions",
  "goal.value": "ConversionValue",
  "exited.": "Exited",
} as const;

/** The metric a statistics counter adds to, if any. */
export function journeyMetricOf(counter: string): string | undefined {
  for (const [name, metric] of Object.entries(JOURNEY_METRICS)) {
    if (name === counter || (name.endsWith(".") && counter.startsWith(name))) return metric;
  }
  return undefined;
}

/** The functions' own metrics (dimension: service). */
export const FUNCTION_METRICS = {
  /** How long past due the latest wake-up a tick took was (ms): the tick-lateness alarm's metric. */
  tickLateness: "TickLateness",
  tickScheduleDelay: "TickScheduleDelay",
  wakeUpsHandedOn: "WakeUpsHandedOn",
  wakeUpsLate: "WakeUpsLate",
  recordsProcessed: "RecordsProcessed",
  recordsRejected: "RecordsRejected",
  recordsFailed: "RecordsFailed",
  messagesDelivered: "MessagesDelivered",
  /** Messages not sent on purpose (no address, unsubscribed since the decision); by reason as `MessagesSkipped.<reason>`. */
  messagesSkipped: "MessagesSkipped",
  /** Messages a provider refused for good, sent to the channel's dead-letter queue at once. */
  messagesRefused: "MessagesRefused",
  /** Journeys a guardrail paused (the tick): the journey-paused alarm's metric. */
  journeysPaused: "JourneysPaused",
  /** Held wake-ups of resumed journeys handed back to the timers (the tick). */
  wakeUpsResumed: "WakeUpsResumed",
} as const;
