/**
 * The names of Nudge's metrics, shared by the functions that emit them (embedded metric format, through
 * Powertools) and by the CDK app's alarms and dashboard that read them.
 */
import type { JourneyEffect } from "../engine/model.ts";

/** The CloudWatch namespace, and the service (a dimension of every metric). */
export const METRICS_NAMESPACE = "Nudge";
export const SERVICE = "nudge";

/** The per-journey metrics (dimensions: service, journey), by the effect that counts them. */
export const JOURNEY_METRICS = {
  "journey.entered": "Entered",
  holdout: "Holdout",
  "message.sent": "MessagesSent",
  "message.suppressed": "MessagesSuppressed",
  "coupon.issued": "CouponsIssued",
  "goal.converted": "Conversions",
  "journey.exited": "Exited",
} as const satisfies Partial<Record<JourneyEffect["type"], string>>;

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
