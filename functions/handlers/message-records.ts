/**
 * What the deliver function's messages hold: a message request, the `message.sent` effect the engine
 * carried out (the ingest function's QueueSink puts it on the delivery queue as it is).
 */
import type { SQSRecord } from "aws-lambda";
import * as z from "zod/mini";
import type { MessageRequest } from "../channels/channel.ts";
import { problemsOf, readJson, rejected, requiredInteger, requiredText } from "./records.ts";

const nonEmpty = requiredText();

/** The fields of a message request the deliver function needs; the rest travels along. */
const messageSchema = z.looseObject({
  id: nonEmpty,
  type: z.literal("message.sent"),
  at: nonEmpty,
  journey: nonEmpty,
  version: requiredInteger(),
  user: nonEmpty,
  run: nonEmpty,
  channel: nonEmpty,
  template: nonEmpty,
  category: nonEmpty,
  locale: nonEmpty,
  text: z.string({ error: (issue) => (issue.input === undefined ? "required" : "expected a string") }),
  /** The message's title (an email's subject), when the journey gives one; older requests have none. */
  title: z.optional(z.string({ error: "expected a string" })),
  /** A service message that still needs consent. */
  consent: z.optional(z.literal("required")),
});

/** Reads a deliver record: a message request. */
export function decodeMessageRecord(record: SQSRecord, maxBytes: number): MessageRequest {
  const raw = readJson(record.body, maxBytes);
  const message = messageSchema.safeParse(raw);
  if (!message.success) throw rejected(raw, problemsOf(message.error.issues));
  return message.data as MessageRequest;
}
