/**
 * The wire formats between the functions: how a wake-up travels from the tick to the ingest function
 * (a message attribute marks it), and how EventBridge Scheduler raises a campaign's occurrence (it sets no
 * attribute: its message's body names itself). Events travel as themselves (the EventBridge event as JSON).
 */
import type { WakeUp } from "../engine/model.ts";

/** The message attribute that marks a wake-up on the ingest function's queues. */
export const KIND_ATTRIBUTE = "nudge-kind";
export const WAKE_UP_KIND = "wake-up";

/** The body and attributes of a wake-up message (the tick's side of decodeIngestRecord). */
export function encodeWakeUp(wakeUp: WakeUp) {
  return {
    MessageBody: JSON.stringify(wakeUp),
    MessageAttributes: { [KIND_ATTRIBUTE]: { DataType: "String", StringValue: WAKE_UP_KIND } },
  };
}

/**
 * What EventBridge Scheduler sends to the wake-up queue at a campaign's occurrence (lib/campaigns.ts):
 * `{"nudge": RAISED_OCCURRENCE, "journeyId": ..., "at": "<aws.scheduler.scheduled-time>"}`. No shop
 * event has a top-level `nudge` field (an EventBridge event's fields are its envelope's).
 */
export const RAISED_OCCURRENCE = "campaign.occurrence";

export function raisedOccurrenceBody(journeyId: string, at: string) {
  return { nudge: RAISED_OCCURRENCE, journeyId, at };
}
