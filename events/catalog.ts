/**
 * The event catalog of Nudge: which events a shop publishes to EventBridge, and the one place that checks them.
 * Every event is an EventBridge envelope; its `detail` is checked against the schema of its detail-type when the
 * catalog knows that detail-type. See events/README.md for the catalog in prose.
 */
import * as z from "zod/mini";
import { InvalidEventError } from "../functions/shared/errors.ts";
import * as details from "./details.ts";
import { MAX_DETAIL_DEPTH, nestsDeeperThan } from "./limits.ts";

/** The EventBridge `source` of the events a shop publishes (configurable later). */
export const PLATFORM_SOURCE = "shop";

export const DETAIL_TYPES = [
  "user.registered",
  "user.updated",
  "user.unsubscribed",
  "user.subscribed",
  "order.placed",
  "order.delivered",
  "order.refunded",
  "order.payment_failed",
  "order.deposit_paid",
  "coupon.issued",
  "coupon.redeemed",
  "promotion.scheduled",
  "promotion.ended",
  "review.posted",
  "user.checked_in",
  "cart.item_added",
  "product.favorited",
  "journey.paused",
  "segment.entered",
  "segment.exited",
  "trait.changed",
  "wechat.subscription_granted",
  "message.requested",
  "inbox.message_seen",
  "inbox.message_clicked",
  "inbox.message_dismissed",
] as const;

export type DetailType = (typeof DETAIL_TYPES)[number];

/** An EventBridge event as a shop publishes it. */
export interface ShopEvent<D = Record<string, unknown>> {
  id: string;
  source: string;
  "detail-type": string;
  time: string;
  detail: D;
  version?: string;
  account?: string;
  region?: string;
  resources?: string[];
}

const DETAIL_SCHEMAS = {
  "user.registered": details.userRegistered,
  "user.updated": details.userUpdated,
  "user.unsubscribed": details.userUnsubscribed,
  "user.subscribed": details.userSubscribed,
  "order.placed": details.orderPlaced,
  "order.delivered": details.orderDelivered,
  "order.refunded": details.orderRefunded,
  "order.payment_failed": details.orderPaymentFailed,
  "order.deposit_paid": details.orderDepositPaid,
  "coupon.issued": details.couponIssued,
  "coupon.redeemed": details.couponRedeemed,
  "promotion.scheduled": details.promotionScheduled,
  "promotion.ended": details.promotionEnded,
  "review.posted": details.reviewPosted,
  "user.checked_in": details.userCheckedIn,
  "cart.item_added": details.cartItemAdded,
  "product.favorited": details.productFavorited,
  "journey.paused": details.journeyPaused,
  "segment.entered": details.segmentChanged,
  "segment.exited": details.segmentChanged,
  "trait.changed": details.traitChanged,
  "wechat.subscription_granted": details.wechatSubscriptionGranted,
  "message.requested": details.messageRequested,
  "inbox.message_seen": details.inboxMessageAction,
  "inbox.message_clicked": details.inboxMessageAction,
  "inbox.message_dismissed": details.inboxMessageAction,
} as const satisfies { [T in DetailType]: z.ZodMiniObject };

/** The detail of a detail-type, as the catalog documents it (extra fields of the shop's own are `unknown`). */
export type DetailOf<T extends DetailType> = z.output<(typeof DETAIL_SCHEMAS)[T]>;

const schemaByType: ReadonlyMap<string, z.ZodMiniObject> = new Map(Object.entries(DETAIL_SCHEMAS));

const fieldsByType: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(DETAIL_SCHEMAS).map(([type, schema]) => [type, Object.freeze(Object.keys(schema.shape))]),
);

export function isKnownDetailType(type: string): type is DetailType {
  return schemaByType.has(type);
}

/** The names of the fields a detail-type documents (required and optional), e.g. for checking template placeholders. */
export function detailFields(type: DetailType): readonly string[] {
  return fieldsByType.get(type) ?? [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const nonEmpty = z.string().check(z.minLength(1));

// Top-level fields other than these are dropped: EventBridge defines no others.
// In EventBridge's own order of an event's fields
// (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html): a parsed event keeps
// the order it came in, so most events written back as JSON are the text they were read from.
const envelopeSchema = z.object({
  version: z.optional(z.string()),
  // Not a key (the run keeps it in its record): the event's size bounds it. A journey's own events have ids
  // longer than a run key (`<journey>:<run key>:<entry>:<step>:...`).
  id: nonEmpty,
  "detail-type": nonEmpty,
  source: nonEmpty,
  account: z.optional(z.string()),
  time: details.dateTime(),
  region: z.optional(z.string()),
  resources: z.optional(z.array(z.string())),
  // Any JSON object: its fields are the detail schema's business, and an unknown detail-type's detail is kept as is.
  detail: z.custom<Record<string, unknown>>(isRecord, {
    error: (issue) =>
      issue.input === undefined
        ? "required field is missing"
        : `expected an object, got ${details.describeValue(issue.input)}`,
  }),
});

/** One thing wrong with an event: where (a JSON path such as `detail.couponIds[0]`, "" for the event itself) and what. */
export interface EventProblem {
  path: string;
  message: string;
}

/** An event that does not fit the catalog, with every problem found (the message has one line per problem). */
export class EventProblemsError extends InvalidEventError {
  readonly problems: EventProblem[];
  /** The event's id, when it has one. */
  readonly eventId: string | undefined;

  constructor(eventId: string | undefined, problems: EventProblem[], options?: { cause?: unknown }) {
    const name = `event ${eventId ?? "(no id)"}`;
    super(
      problems.map((p) => (p.path === "" ? `${name}: ${p.message}` : `${name}: ${p.path}: ${p.message}`)).join("\n"),
      options,
    );
    this.problems = problems;
    this.eventId = eventId;
  }
}

export type ParseResult = { ok: true; event: ShopEvent } | { ok: false; error: EventProblemsError };

/**
 * Validates the envelope, and the detail against its schema when the detail-type is in the catalog.
 * An unknown detail-type is accepted (as on AWS: it simply matches no journey).
 * Never throws, whatever the input (null, arrays, strings...).
 */
export function parseEvent(raw: unknown): ParseResult {
  try {
    return parse(raw);
  } catch (error) {
    // Only a hostile input (a throwing getter, a revoked Proxy) gets here.
    const problem = {
      path: "",
      message: `could not be read: ${error instanceof Error ? error.message : String(error)}`,
    };
    return { ok: false, error: new EventProblemsError(undefined, [problem], { cause: error }) };
  }
}

function parse(raw: unknown): ParseResult {
  // Checked first: deeper input would overflow the recursive code after (schemas, JSON.stringify).
  if (isRecord(raw) && nestsDeeperThan(raw.detail, MAX_DETAIL_DEPTH)) {
    const problem = { path: "detail", message: `nests objects or arrays more than ${MAX_DETAIL_DEPTH} levels deep` };
    return { ok: false, error: new EventProblemsError(eventIdOf(raw), [problem]) };
  }
  const envelope = envelopeSchema.safeParse(raw);
  const problems = envelope.success ? [] : explain(envelopeSchema, raw, []);
  let detail = envelope.data?.detail;

  // The detail is checked even when the envelope is wrong, so that every problem is reported at once.
  if (isRecord(raw) && isRecord(raw.detail) && typeof raw["detail-type"] === "string") {
    const schema = schemaByType.get(raw["detail-type"]);
    if (schema !== undefined) {
      const checked = schema.safeParse(raw.detail);
      if (checked.success) detail = checked.data;
      else problems.push(...explain(schema, raw.detail, ["detail"]));
    }
  }

  if (envelope.success && detail !== undefined && problems.length === 0) {
    const event = { ...envelope.data, detail };
    return { ok: true, event: withRequestId(event) };
  }
  return { ok: false, error: new EventProblemsError(eventIdOf(raw), problems) };
}

/**
 * A `message.requested` without a `requestId` of the shop's is the request its event id names: the journey of
 * requests is keyed by it (one run per request, however often it is delivered; journeys/message-requested.json).
 */
function withRequestId(event: ShopEvent): ShopEvent {
  if (event["detail-type"] !== "message.requested" || event.detail.requestId !== undefined) return event;
  return { ...event, detail: { ...event.detail, requestId: event.id } };
}

/** The id an event's problems are told under: its own, when it has a usable one. */
function eventIdOf(raw: unknown): string | undefined {
  const id = isRecord(raw) ? raw.id : undefined;
  return typeof id === "string" && id !== "" && id.length <= 200 ? id : undefined;
}

/** Parses one JSON text (e.g. an NDJSON line) into an event; a JSON syntax error is a failed ParseResult too. */
export function parseEventJson(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const problem = { path: "", message: `is not valid JSON: ${reason}` };
    return { ok: false, error: new EventProblemsError(undefined, [problem], { cause: error }) };
  }
  return parseEvent(raw);
}

// Parsing with `reportInput` (issues that carry the rejected value, for the messages) is twice as slow as without,
// so the hot path parses without it and only a failed parse runs again with it.
const EXPLAIN_OPTIONS = { reportInput: true } as const;

function explain(schema: z.ZodMiniType, value: unknown, prefix: readonly PropertyKey[]): EventProblem[] {
  const result = schema.safeParse(value, EXPLAIN_OPTIONS);
  // The second parse cannot disagree with the first; the fallback only keeps a failure from having no message.
  return result.success
    ? [{ path: formatPath(prefix), message: "is invalid" }]
    : toProblems(result.error.issues, prefix);
}

function toProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): EventProblem[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    return { path: formatPath(path), message: describeIssue(issue, path.length === 0) };
  });
}

/** `detail.couponIds[0]`, `detail.attributes["gift wrap"]`, `detail-type`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
  record: "an object",
};

function describeIssue(issue: z.core.$ZodIssue, atRoot: boolean): string {
  const got = details.describeValue(issue.input);
  switch (issue.code) {
    case "invalid_type":
      if (atRoot) return `expected an EventBridge event (a JSON object), got ${got}`;
      if (issue.input === undefined) return "required field is missing";
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${got}`;
    case "too_small":
      if (issue.origin === "string")
        return issue.minimum === 1 ? "must not be empty" : `must have at least ${issue.minimum} characters`;
      if (issue.origin === "array") return `must have at least ${issue.minimum} items`;
      return `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum}, got ${got}`;
    case "too_big":
      if (issue.origin === "string") return `must have at most ${issue.maximum} characters`;
      if (issue.origin === "array") return `must have at most ${issue.maximum} items`;
      return `must be ${issue.inclusive ? "<=" : "<"} ${issue.maximum}, got ${got}`;
    default:
      // The catalog's own checks (formats, time zones, locales...) word their messages themselves.
      return issue.message;
  }
}
