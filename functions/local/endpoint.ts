/**
 * The local EventBridge endpoint: an HTTP server on loopback speaking the EventBridge API's JSON 1.1
 * protocol for the two actions Nudge needs, so the ordinary AWS SDK works against it unchanged:
 *
 * - `PutEvents`: each entry becomes an EventBridge event, checked against the event catalog and the limits
 *   of events/limits.ts (an entry that fails is refused in its own result, naming the field or limit and
 *   the problem; the rest are accepted), and handed to `accept` (which routes it to the ingest queue). An
 *   entry is never given an EventId that ingest would then drop, and one entry's failure is never the
 *   request's (an HTTP 500 would make the SDK send the accepted entries again).
 * - `TestEventPattern`: answered with Nudge's own pattern matcher, the one the journeys run on; a pattern
 *   EventBridge would reject gets its `InvalidEventPatternException`.
 *
 * A malformed request gets an error response as EventBridge sends it (HTTP 400, `__type` and `message`).
 *
 * The path `/unsubscribe` is the unsubscribe endpoint of the links in local emails (channels/unsubscribe.ts,
 * the same logic as the Lambda function URL on AWS): a valid one-click POST puts a `user.unsubscribed`
 * event on the local bus exactly as a PutEvents entry would be.
 *
 * The paths under `/inbox/` are the inbox API (channels/inbox-api.ts, the same logic as the Lambda function
 * URL on AWS): the shop's page reads a user's messages, and what the user saw, clicked or dismissed becomes
 * an `inbox.message_*` event on the local bus, as a PutEvents entry.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type EventProblem, parseEvent, type ShopEvent } from "../../events/catalog.ts";
import { EVENTBRIDGE_MAX_ENTRY_BYTES, NUDGE_MAX_EVENT_BYTES, putEventsEntrySize } from "../../events/limits.ts";
import { handleInboxRequest, INBOX_SOURCE, type InboxApiDependencies } from "../channels/inbox-api.ts";
import type { SecretSource } from "../channels/secret.ts";
import { handleUnsubscribe } from "../channels/unsubscribe.ts";
import { compilePattern } from "../language/pattern/index.ts";
import { InvalidPatternError, NudgeError } from "../shared/errors.ts";

/** PutEvents takes at most this many entries a request, as on AWS. */
export const MAX_ENTRIES = 10;
/** Requests larger than this are refused (PutEvents allows 256 KB a request). */
const MAX_REQUEST_BYTES = 1024 * 1024;

export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_REGION = "local";
/** The buses the local endpoint serves: an entry naming another is refused, as EventBridge refuses an unknown bus. */
export const LOCAL_BUS_NAMES: readonly string[] = ["default", "nudge-local"];

export interface EndpointOptions {
  /** Takes an accepted event (it must be durable when this returns). */
  accept: (event: ShopEvent) => void;
  /** The virtual clock: an entry without Time happens now. */
  clock: () => number;
  /** Events larger than this (their JSON, in bytes) are refused; default NUDGE_MAX_EVENT_BYTES (events/limits.ts). */
  maxEventBytes?: number;
  /** The bus names served (default LOCAL_BUS_NAMES). */
  busNames?: readonly string[];
  /** Problems of an event the catalog accepted that the platform cannot take (a `message.requested` for no template). */
  check?: (event: ShopEvent) => EventProblem[];
  /** Counts what the endpoint saw, for the console. */
  counters?: { received: number; accepted: number; refused: number };
  /** Serves `/unsubscribe` with this secret (the unsubscribe tokens'); none: the path is not served. */
  unsubscribe?: { secret: SecretSource };
  /** Serves `/inbox/` with these (the API's publishing is a PutEvents entry here); none: not served. */
  inbox?: Omit<InboxApiDependencies, "publish">;
}

/** The `source` of the events the unsubscribe endpoint publishes (as functions/handlers/unsubscribe.ts). */
const UNSUBSCRIBE_SOURCE = "nudge.unsubscribe";

type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

class RequestError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An entry's Time: epoch seconds (how the SDK sends a Date) or an ISO text; now when absent. */
function timeOf(value: unknown, now: number): string | undefined {
  if (value === undefined || value === null) return new Date(now).toISOString();
  const ms = typeof value === "number" ? value * 1000 : typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

const refuse = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });

/** The entry's EventBusName: absent (the default bus), a name the endpoint serves, or its ARN. */
function busProblem(name: unknown, busNames: readonly string[]): ResultEntry | undefined {
  if (name === undefined || name === null) return undefined;
  const bus = typeof name === "string" ? name.replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, "") : undefined;
  if (bus !== undefined && busNames.includes(bus)) return undefined;
  return refuse(
    "InvalidArgument",
    `Event bus ${JSON.stringify(name)} does not exist here (serving ${busNames.map((b) => JSON.stringify(b)).join(", ")}).`,
  );
}

/** The entry's fields as an EventBridge event, or why it is refused (before the catalog's check). */
function eventOf(entry: unknown, options: EndpointOptions): { event: Record<string, unknown> } | ResultEntry {
  if (!isRecord(entry)) return refuse("InvalidArgument", "Entry is not an object.");
  for (const name of ["Source", "DetailType", "Detail"] as const) {
    if (typeof entry[name] !== "string" || entry[name] === "") {
      return refuse("InvalidArgument", `Parameter ${name} is not valid. Reason: ${name} is a required argument.`);
    }
  }
  const bus = busProblem(entry.EventBusName, options.busNames ?? LOCAL_BUS_NAMES);
  if (bus !== undefined) return bus;
  const size = putEventsEntrySize(entry);
  if (size > EVENTBRIDGE_MAX_ENTRY_BYTES) {
    return refuse(
      "InvalidArgument",
      `Entry is ${size} bytes (as EventBridge counts them), more than the ${EVENTBRIDGE_MAX_ENTRY_BYTES} EventBridge allows.`,
    );
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    return refuse("MalformedDetail", "Detail is malformed.");
  }
  if (!isRecord(detail)) return refuse("MalformedDetail", "Detail is malformed: it is not a JSON object.");
  const time = timeOf(entry.Time, options.clock());
  if (time === undefined) return refuse("InvalidArgument", "Parameter Time is not valid.");
  const resources = Array.isArray(entry.Resources) ? entry.Resources.filter((r) => typeof r === "string") : [];
  const event = {
    ...{ version: "0", id: randomUUID(), "detail-type": entry.DetailType, source: entry.Source },
    ...{ account: LOCAL_ACCOUNT, time, region: LOCAL_REGION, resources, detail },
  };
  return { event };
}

/** Problems as an entry's ErrorMessage tells them: `detail.template: unknown template "x" ...; ...`. */
const told = (problems: readonly EventProblem[]) =>
  problems.map((p) => (p.path === "" ? p.message : `${p.path}: ${p.message}`)).join("; ");

/** One entry: refused with the reason, or accepted (checked against the catalog and Nudge's limits). */
function putEntry(entry: unknown, options: EndpointOptions): ResultEntry {
  const read = eventOf(entry, options);
  if (!("event" in read)) return read;
  const parsed = parseEvent(read.event);
  if (!parsed.ok)
    return refuse("InvalidArgument", `Event does not fit the event catalog: ${told(parsed.error.problems)}`);
  const problems = options.check?.(parsed.event) ?? [];
  if (problems.length > 0) return refuse("InvalidArgument", `Event cannot be taken: ${told(problems)}`);
  const event = { ...read.event, detail: parsed.event.detail } as ShopEvent;
  // Measured as the ingest function measures it: the event's JSON, the ingest queue's message body.
  const bytes = Buffer.byteLength(JSON.stringify(event), "utf8");
  const maxEventBytes = options.maxEventBytes ?? NUDGE_MAX_EVENT_BYTES;
  if (bytes > maxEventBytes) {
    return refuse(
      "InvalidArgument",
      `Event is ${bytes} bytes as JSON, more than the ${maxEventBytes} Nudge takes (MAX_EVENT_BYTES).`,
    );
  }
  options.accept(event);
  return { EventId: event.id };
}

/** An entry that fails unexpectedly fails alone (EventBridge's retryable InternalFailure), never the request. */
function settleEntry(entry: unknown, options: EndpointOptions): ResultEntry {
  try {
    return putEntry(entry, options);
  } catch {
    return refuse("InternalFailure", "The entry could not be processed; it may be retried.");
  }
}

function putEvents(input: Record<string, unknown>, options: EndpointOptions) {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
    throw new RequestError(
      "ValidationException",
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
    );
  }
  const results = entries.map((entry) => settleEntry(entry, options));
  const failed = results.filter((result) => "ErrorCode" in result).length;
  if (options.counters !== undefined) {
    options.counters.received += results.length;
    options.counters.accepted += results.length - failed;
    options.counters.refused += failed;
  }
  return { FailedEntryCount: failed, Entries: results };
}

function testEventPattern(input: Record<string, unknown>) {
  const { EventPattern, Event } = input;
  if (typeof EventPattern !== "string" || typeof Event !== "string") {
    throw new RequestError("ValidationException", "EventPattern and Event are required strings.");
  }
  let event: unknown;
  try {
    event = JSON.parse(Event);
  } catch {
    throw new RequestError("InvalidEventPatternException", "Event is not valid JSON.");
  }
  let pattern: unknown;
  try {
    pattern = JSON.parse(EventPattern);
  } catch {
    throw new RequestError("InvalidEventPatternException", "Event pattern is not valid JSON.");
  }
  try {
    return { Result: isRecord(event) && compilePattern(pattern).matches(event) };
  } catch (error) {
    if (error instanceof InvalidPatternError) throw new RequestError("InvalidEventPatternException", error.message);
    throw error;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    request.on("end", () => {
      if (size > MAX_REQUEST_BYTES) reject(new RequestError("ValidationException", "Request is too large."));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    request.on("error", reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
  });
  response.end(text);
}

/** Puts one event of Nudge's own on the bus as a PutEvents entry would; throws when it is refused. */
function publishEntry(options: EndpointOptions, entry: { source: string; detailType: string; detail: object }) {
  const result = putEvents(
    { Entries: [{ Source: entry.source, DetailType: entry.detailType, Detail: JSON.stringify(entry.detail) }] },
    options,
  );
  const [accepted] = result.Entries;
  if (accepted === undefined || "ErrorCode" in accepted) {
    throw new NudgeError(`${entry.detailType} not accepted: ${accepted?.ErrorMessage ?? "no result"}`);
  }
}

/** The `/inbox/` paths: the inbox API, its events put on the bus as PutEvents entries. */
async function serveInbox(
  request: IncomingMessage,
  response: ServerResponse,
  options: EndpointOptions & { inbox: Omit<InboxApiDependencies, "publish"> },
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(",") : value]),
  );
  let answer: { status: number; headers: Record<string, string>; body: string };
  try {
    await readBody(request);
    answer = await handleInboxRequest(
      { method: request.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), headers },
      {
        ...options.inbox,
        publish: async (detailType, detail) => publishEntry(options, { source: INBOX_SOURCE, detailType, detail }),
      },
    );
  } catch {
    answer = {
      status: 503,
      headers: { "content-type": "application/json", "retry-after": "5" },
      body: '{"error":"try again shortly"}',
    };
  }
  response.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

/** The `/unsubscribe` path: the unsubscribe logic, its event put on the bus as a PutEvents entry. */
async function serveUnsubscribe(
  request: IncomingMessage,
  response: ServerResponse,
  options: EndpointOptions & { unsubscribe: { secret: SecretSource } },
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  let answer: { status: number; headers: Record<string, string>; body: string };
  try {
    answer = await handleUnsubscribe(
      {
        method: request.method ?? "GET",
        token: url.searchParams.get("token") ?? undefined,
        body: await readBody(request),
      },
      {
        secret: options.unsubscribe.secret,
        clock: options.clock,
        publish: async (detail) =>
          publishEntry(options, { source: UNSUBSCRIBE_SOURCE, detailType: "user.unsubscribed", detail }),
      },
    );
  } catch {
    answer = { status: 503, headers: { "content-type": "text/plain; charset=utf-8" }, body: "Please try again.\n" };
  }
  response.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

async function serve(request: IncomingMessage, response: ServerResponse, options: EndpointOptions): Promise<void> {
  const path = (request.url ?? "").split("?")[0] ?? "";
  if (options.unsubscribe !== undefined && path === "/unsubscribe") {
    return serveUnsubscribe(request, response, { ...options, unsubscribe: options.unsubscribe });
  }
  if (options.inbox !== undefined && path.startsWith("/inbox/")) {
    return serveInbox(request, response, { ...options, inbox: options.inbox });
  }
  try {
    const body = await readBody(request);
    const target = String(request.headers["x-amz-target"] ?? "");
    let input: unknown;
    try {
      input = body === "" ? {} : JSON.parse(body);
    } catch {
      throw new RequestError("SerializationException", "Request body is not valid JSON.");
    }
    if (!isRecord(input)) throw new RequestError("SerializationException", "Request body is not a JSON object.");
    if (target === "AWSEvents.PutEvents") reply(response, 200, putEvents(input, options));
    else if (target === "AWSEvents.TestEventPattern") reply(response, 200, testEventPattern(input));
    else throw new RequestError("UnknownOperationException", `Unknown operation ${JSON.stringify(target)}.`);
  } catch (error) {
    if (error instanceof RequestError) reply(response, 400, { __type: error.type, message: error.message });
    else reply(response, 500, { __type: "InternalException", message: "Internal error." });
  }
}

/** Starts the endpoint on 127.0.0.1 (loopback only); port 0 picks a free one. */
export async function startEndpoint(port: number, options: EndpointOptions): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => void serve(request, response, options));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new NudgeError(`port ${port} on 127.0.0.1 is in use (another nudge start?): choose another with --port`)
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  return { server, url: `http://127.0.0.1:${bound}` };
}
