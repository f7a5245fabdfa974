/**
 * A dead letter as `nudge dead-letters` shows it, locally or on AWS: where it came from, what it is, and
 * why it is there, read from the attributes the functions set (rejected-records.ts, delivery-queue.ts) or
 * EventBridge's own (a rule target it could not deliver to).
 */
import { FAILURE_ATTRIBUTES } from "../handlers/delivery-queue.ts";
import { KIND_ATTRIBUTE, WAKE_UP_KIND } from "../handlers/wire.ts";

export interface DeadLetter {
  /** The message id (local: the queue's; AWS: SQS's MessageId). */
  id: string;
  /** The dead-letter queue it is in. */
  queue: string;
  /** The queue it came from, when known. */
  source?: string;
  /** When it was sent to the dead-letter queue (ISO). */
  sentAt?: string;
  body: string;
  /** Its message attributes' values, by name. */
  attributes: Record<string, string>;
}

/**
 * The attributes EventBridge adds to an event it could not deliver to a rule's target.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
const EVENTBRIDGE_ERROR = { code: "ERROR_CODE", message: "ERROR_MESSAGE" } as const;

/** Why it is a dead letter, in one line. */
export function reasonOf(letter: DeadLetter): string {
  const a = letter.attributes;
  const failure = a[FAILURE_ATTRIBUTES.failure];
  if (failure === "rejected") return `rejected: ${a[FAILURE_ATTRIBUTES.reason] ?? "no reason recorded"}`;
  if (failure === "refused") {
    const parts = [a[FAILURE_ATTRIBUTES.status], a[FAILURE_ATTRIBUTES.code], a[FAILURE_ATTRIBUTES.response]];
    return `refused by the provider: ${parts.filter((part) => part !== undefined).join(" ") || "no answer recorded"}`;
  }
  const code = a[EVENTBRIDGE_ERROR.code];
  if (code !== undefined) return `EventBridge could not deliver it: ${code}: ${a[EVENTBRIDGE_ERROR.message] ?? ""}`;
  return "failed every delivery (the queue's maxReceiveCount): the function's log has why, under its message id";
}

/** What it is, in a few words: ids only (the body may hold personal data; `show` prints it whole). */
export function summaryOf(letter: DeadLetter): string {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(letter.body);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as typeof body;
  } catch {
    // Not JSON: told by its size.
  }
  const short = (value: unknown) => {
    const text = String(value);
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
  };
  if (body === undefined) return `${Buffer.byteLength(letter.body)} bytes, not JSON`;
  if (letter.attributes[KIND_ATTRIBUTE] === WAKE_UP_KIND) {
    return `wake-up ${short(body.journeyId)} ${short(body.key)}`;
  }
  if (typeof body["detail-type"] === "string") return `event ${short(body["detail-type"])} ${short(body.id)}`;
  if (typeof body.channel === "string") return `message ${short(body.id)} on ${short(body.channel)}`;
  return `${Buffer.byteLength(letter.body)} bytes`;
}

/** The list: one line per dead letter. */
export function formatList(letters: readonly DeadLetter[]): string[] {
  if (letters.length === 0) return ["No dead letters."];
  return letters.map(
    (letter) =>
      `${letter.id}  ${letter.queue}${letter.source === undefined ? "" : ` (from ${letter.source})`}  ${letter.sentAt ?? "-"}  ${summaryOf(letter)}\n  ${reasonOf(letter)}`,
  );
}

/** One dead letter whole: its reason, attributes and body (pretty when JSON). */
export function formatShow(letter: DeadLetter): string[] {
  let body = letter.body;
  try {
    body = JSON.stringify(JSON.parse(letter.body), null, 2);
  } catch {
    // Shown as it is.
  }
  return [
    `Id: ${letter.id}`,
    `Queue: ${letter.queue}`,
    ...(letter.source === undefined ? [] : [`From: ${letter.source}`]),
    ...(letter.sentAt === undefined ? [] : [`Sent: ${letter.sentAt}`]),
    `Reason: ${reasonOf(letter)}`,
    "Attributes:",
    ...Object.entries(letter.attributes).map(([name, value]) => `  ${name}: ${value}`),
    "Body:",
    body,
  ];
}
