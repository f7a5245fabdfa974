/**
 * What the SQS messages the functions consume hold, read and checked at the edge. An ingest message is
 * either an EventBridge event (a rule's target) or a wake-up the tick handed on (marked by a message
 * attribute). A record that can never be processed (bad JSON, an event failing its schema, too large)
 * is a RejectedRecordError: the batch reports it alone as failed, and after the queue's maxReceiveCount
 * it rests in the dead-letter queue; its log line names the message id, the event id and the problems.
 */
import type { SQSRecord } from "aws-lambda";
import * as z from "zod/mini";
import { type EventProblem, parseEvent } from "../../events/catalog.ts";
import { describeValue } from "../../events/details.ts";
import { NudgeError } from "../engine/errors.ts";
import type { EngineInput, JourneyEffect, WakeUp } from "../engine/model.ts";

/** The message attribute that marks a wake-up on the ingest function's queues. */
export const KIND_ATTRIBUTE = "nudge-kind";
export const WAKE_UP_KIND = "wake-up";

/** A record that will never be processed, whatever the retries: its problems, personal values left out. */
export class RejectedRecordError extends NudgeError {
  constructor(
    readonly eventId: string | undefined,
    readonly problems: EventProblem[],
  ) {
    const name = eventId === undefined ? "record" : `event ${eventId}`;
    super(
      problems.map((p) => (p.path === "" ? `${name}: ${p.message}` : `${name}: ${p.path}: ${p.message}`)).join("\n"),
    );
  }
}

const nonEmpty = z.string().check(z.minLength(1));
const wakeUpSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("run"), journeyId: nonEmpty, key: nonEmpty, at: nonEmpty, seq: z.int() }),
  z.object({ kind: z.literal("inactivity"), journeyId: nonEmpty, key: nonEmpty, at: nonEmpty }),
]);

/** The body and attributes of a wake-up message (the tick's side of decodeIngestRecord). */
export function encodeWakeUp(wakeUp: WakeUp) {
  return {
    MessageBody: JSON.stringify(wakeUp),
    MessageAttributes: { [KIND_ATTRIBUTE]: { DataType: "String", StringValue: WAKE_UP_KIND } },
  };
}

/** Reads an ingest record: an event checked against the catalog, or a wake-up. */
export function decodeIngestRecord(record: SQSRecord, maxBytes: number): EngineInput {
  const raw = readJson(record.body, maxBytes);
  if (record.messageAttributes?.[KIND_ATTRIBUTE]?.stringValue === WAKE_UP_KIND) {
    const wakeUp = wakeUpSchema.safeParse(raw);
    if (!wakeUp.success) throw rejected(raw, problemsOf(wakeUp.error.issues));
    return { type: "wake-up", wakeUp: wakeUp.data };
  }
  const parsed = parseEvent(raw);
  if (!parsed.ok) throw rejected(raw, parsed.error.problems);
  return { type: "event", event: parsed.event };
}

/** The fields of a message request the deliver function needs; the rest travels along. */
const messageSchema = z.looseObject({
  id: nonEmpty,
  type: z.literal("message.sent"),
  at: nonEmpty,
  journey: nonEmpty,
  version: z.int(),
  user: nonEmpty,
  run: nonEmpty,
  channel: nonEmpty,
  template: nonEmpty,
  category: nonEmpty,
  locale: nonEmpty,
  text: z.string(),
});

export type MessageRequest = Extract<JourneyEffect, { type: "message.sent" }>;

/** Reads a deliver record: a message request (a `message.sent` effect the engine carried out). */
export function decodeMessageRecord(record: SQSRecord, maxBytes: number): MessageRequest {
  const raw = readJson(record.body, maxBytes);
  const message = messageSchema.safeParse(raw);
  if (!message.success) throw rejected(raw, problemsOf(message.error.issues));
  return message.data as MessageRequest;
}

function readJson(body: string, maxBytes: number): unknown {
  const bytes = Buffer.byteLength(body, "utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    // The parser's message quotes the text: only its size is told.
    throw new RejectedRecordError(undefined, [{ path: "", message: `is not valid JSON (${bytes} bytes)` }]);
  }
  if (bytes > maxBytes) {
    throw rejected(raw, [{ path: "", message: `is ${bytes} bytes, more than the ${maxBytes} an event may have` }]);
  }
  return raw;
}

function problemsOf(issues: readonly z.core.$ZodIssue[]): EventProblem[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/** A RejectedRecordError whose messages quote none of the record's string values (an email, a phone). */
function rejected(raw: unknown, problems: readonly EventProblem[]): RejectedRecordError {
  const strings = new Set<string>();
  collectStrings(raw, strings, 0);
  const quoted = [...strings].map((value) => [describeValue(value), value.length] as const);
  // Longest first, so that a value containing another is replaced whole.
  quoted.sort((a, b) => b[0].length - a[0].length);
  const redact = (message: string) =>
    quoted.reduce((text, [shown, length]) => text.split(shown).join(`(a string of ${length} characters)`), message);
  const record = raw as { id?: unknown } | null;
  const id = typeof record?.id === "string" && record.id !== "" && record.id.length <= 200 ? record.id : undefined;
  return new RejectedRecordError(
    id,
    problems.map((p) => ({ path: p.path, message: redact(p.message) })),
  );
}

function collectStrings(value: unknown, into: Set<string>, depth: number): void {
  if (typeof value === "string") into.add(value);
  else if (value !== null && typeof value === "object" && depth < 8) {
    for (const item of Object.values(value)) collectStrings(item, into, depth + 1);
  }
}
