/**
 * The wire formats between the functions: how a wake-up travels from the tick to the ingest function
 * (a message attribute marks it). Events travel as themselves (the EventBridge event as JSON).
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
