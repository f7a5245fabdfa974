/**
 * The edge of the functions: reading the body of an SQS record. A record that can never be processed
 * (bad JSON, too large, failing its schema) is a RejectedRecordError: the batch reports it alone as
 * failed, and after the queue's maxReceiveCount it rests in the dead-letter queue; its log line names the
 * message id, the event id and the problems, with the record's own string values left out (an email
 * address, a phone number), so that logs never carry personal data.
 */
import * as z from "zod/mini";
import type { EventProblem } from "../../events/catalog.ts";
import { describeValue } from "../../events/details.ts";
import { NudgeError } from "../shared/errors.ts";

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

/** The JSON in a record's body, at most `maxBytes` long. */
export function readJson(body: string, maxBytes: number): unknown {
  const bytes = Buffer.byteLength(body, "utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    // The parser's message quotes the text: only its size is told.
    throw new RejectedRecordError(undefined, [{ path: "", message: `is not valid JSON (${bytes} bytes)` }]);
  }
  if (bytes > maxBytes) {
    throw rejected(raw, [{ path: "", message: `is ${bytes} bytes, more than the ${maxBytes} allowed` }]);
  }
  return raw;
}

/** A required non-empty string, with messages of its own (zod/mini ships none). */
export const requiredText = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "required" : "expected a string") })
    .check(z.minLength(1, "must not be empty"));

/** A required integer. */
export const requiredInteger = () =>
  z.int({ error: (issue) => (issue.input === undefined ? "required" : "expected an integer") });

/** zod issues as problems: a dotted path and the message. */
export function problemsOf(issues: readonly z.core.$ZodIssue[]): EventProblem[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/** A RejectedRecordError whose messages quote none of the record's string values. */
export function rejected(raw: unknown, problems: readonly EventProblem[]): RejectedRecordError {
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
