/**
 * The wire formats between the functions: how a wake-up travels from the tick to the ingest function
 * (a message attribute marks it), and how an event a journey emitted keeps its engine id across the bus.
 */
import type { WakeUp } from "../engine/model.ts";

/** The message attribute that marks a wake-up on the ingest function's queues. */
export const KIND_ATTRIBUTE = "nudge-kind";
export const WAKE_UP_KIND = "wake-up";

/**
 * The detail field that carries the engine's id of an event a journey emitted across the bus
 * (adapters.ts, BusPublisher); the ingest function gives the event that id back and drops the field.
 */
export const ENGINE_EVENT_ID = "nudgeEventId";

/** The body and attributes of a wake-up message (the tick's side of decodeIngestRecord). */
export function encodeWakeUp(wakeUp: WakeUp) {
  return {
    MessageBody: JSON.stringify(wakeUp),
    MessageAttributes: { [KIND_ATTRIBUTE]: { DataType: "String", StringValue: WAKE_UP_KIND } },
  };
}
