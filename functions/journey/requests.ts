/**
 * What a `message.requested` may ask for: the templates, and the channels each may go on, that the journeys
 * triggered by `message.requested` send (journeys/message-requested.json: a branch on the template and channel,
 * a service send step for each). A request for anything else is refused at the door, naming the field and what
 * may be requested instead: the local endpoint refuses the PutEvents entry, the ingest function sends the record
 * to the dead-letter queue with that reason (on AWS, EventBridge takes any entry).
 */
import type { EventProblem, ShopEvent } from "../../events/catalog.ts";
import type { Journey } from "../language/schema.ts";

export const MESSAGE_REQUESTED = "message.requested";

/** Templates a request may name, each with the channels it may go on. */
export type Requestable = ReadonlyMap<string, ReadonlySet<string>>;

/** Whether a journey starts on `message.requested` (its trigger pattern names the detail-type). */
function triggeredByRequests(journey: Journey): boolean {
  if (journey.trigger.type !== "event") return false;
  const detailType = (journey.trigger.pattern as Record<string, unknown>)["detail-type"];
  return Array.isArray(detailType) && detailType.includes(MESSAGE_REQUESTED);
}

/** The templates and channels the request journeys send: what a `message.requested` may ask for. */
export function requestableMessages(journeys: readonly Journey[]): Requestable {
  const requestable = new Map<string, Set<string>>();
  for (const journey of journeys.filter((j) => j.enabled && triggeredByRequests(j))) {
    for (const step of journey.steps) {
      if (step.type !== "send") continue;
      const channels = requestable.get(step.template) ?? new Set<string>();
      channels.add(step.channel);
      requestable.set(step.template, channels);
    }
  }
  return requestable;
}

const quote = (value: unknown) => JSON.stringify(value);
const list = (values: Iterable<string>) => [...values].map(quote).join(", ");

/**
 * What is wrong with a `message.requested` that the catalog accepted: a template no request journey sends, or
 * a channel it is not sent on. None for other detail-types.
 */
export function requestProblems(event: ShopEvent, requestable: Requestable): EventProblem[] {
  if (event["detail-type"] !== MESSAGE_REQUESTED) return [];
  const { template, channel } = event.detail;
  const channels = typeof template === "string" ? requestable.get(template) : undefined;
  if (channels === undefined) {
    const known =
      requestable.size === 0 ? "none: no journey is triggered by message.requested" : list(requestable.keys());
    return [{ path: "detail.template", message: `unknown template ${quote(template)} (may be requested: ${known})` }];
  }
  if (typeof channel === "string" && channels.has(channel)) return [];
  return [
    {
      path: "detail.channel",
      message: `template ${quote(template)} cannot go on ${quote(channel)} (it goes on ${list(channels)})`,
    },
  ];
}
