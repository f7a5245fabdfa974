/**
 * What the ingest function's messages hold: an EventBridge event (from a journey rule, through the ingest
 * queue), checked against the event catalog, or a wake-up the tick handed on (through the wake-up queue,
 * marked by a message attribute).
 */
import type { SQSRecord } from "aws-lambda";
import * as z from "zod/mini";
import { parseEvent } from "../../events/catalog.ts";
import { ENTRIES_PER_WAKE_UP, type EngineInput } from "../engine/model.ts";
import { problemsOf, readJson, rejected, requiredInteger, requiredText } from "./records.ts";
import { KIND_ATTRIBUTE, RAISED_OCCURRENCE, WAKE_UP_KIND } from "./wire.ts";

const nonEmpty = requiredText();
/** The detail of the event that set a campaign's occurrence, carried to its entries. */
const eventDetail = z.record(z.string(), z.unknown());
const wakeUpSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("run"),
    journeyId: nonEmpty,
    key: nonEmpty,
    at: nonEmpty,
    seq: requiredInteger(),
    heldAt: z.optional(nonEmpty),
  }),
  z.object({
    kind: z.literal("inactivity"),
    journeyId: nonEmpty,
    key: nonEmpty,
    at: nonEmpty,
    heldAt: z.optional(nonEmpty),
  }),
  // A user's profile: a watched trait changes with time alone (functions/engine/segments/review.ts).
  z.object({ kind: z.literal("profile"), journeyId: nonEmpty, key: nonEmpty, at: nonEmpty }),
  // A campaign's occurrence (its fan-out), and a member's entry at it (functions/runtime/campaign-fan-out.ts).
  z.object({
    kind: z.literal("occurrence"),
    journeyId: nonEmpty,
    key: nonEmpty,
    at: nonEmpty,
    occurrence: nonEmpty,
    part: z.optional(requiredInteger()),
    after: z.optional(nonEmpty),
    detail: z.optional(eventDetail),
  }),
  z.object({
    kind: z.literal("entries"),
    journeyId: nonEmpty,
    key: nonEmpty,
    at: nonEmpty,
    occurrence: nonEmpty,
    members: z.array(nonEmpty).check(z.minLength(1), z.maxLength(ENTRIES_PER_WAKE_UP)),
    detail: z.optional(eventDetail),
  }),
  z.object({
    kind: z.literal("campaign"),
    journeyId: nonEmpty,
    key: nonEmpty,
    at: nonEmpty,
    occurrence: nonEmpty,
    heldAt: z.optional(nonEmpty),
    detail: z.optional(eventDetail),
  }),
]);

const raisedSchema = z.object({
  nudge: z.literal(RAISED_OCCURRENCE),
  journeyId: nonEmpty,
  at: z.iso.datetime({ error: "expected an ISO 8601 UTC instant, such as 2026-12-04T02:00:00Z" }),
});

/** A campaign's occurrence that EventBridge Scheduler raised (wire.ts): its journey and scheduled time. */
export interface RaisedOccurrence {
  type: "raised-occurrence";
  journeyId: string;
  at: number;
}

const isRaised = (raw: unknown) =>
  typeof raw === "object" && raw !== null && (raw as { nudge?: unknown }).nudge === RAISED_OCCURRENCE;

/** Reads an ingest record: an event checked against the catalog, a wake-up, or an occurrence raised. */
export function decodeIngestRecord(record: SQSRecord, maxBytes: number): EngineInput | RaisedOccurrence {
  const raw = readJson(record.body, maxBytes);
  if (record.messageAttributes?.[KIND_ATTRIBUTE]?.stringValue === WAKE_UP_KIND) {
    const wakeUp = wakeUpSchema.safeParse(raw);
    if (!wakeUp.success) throw rejected(raw, problemsOf(wakeUp.error.issues));
    return { type: "wake-up", wakeUp: wakeUp.data };
  }
  if (isRaised(raw)) {
    const raised = raisedSchema.safeParse(raw);
    if (!raised.success) throw rejected(raw, problemsOf(raised.error.issues));
    return { type: "raised-occurrence", journeyId: raised.data.journeyId, at: Date.parse(raised.data.at) };
  }
  const parsed = parseEvent(raw);
  if (!parsed.ok) throw rejected(raw, parsed.error.problems);
  return { type: "event", event: parsed.event };
}
