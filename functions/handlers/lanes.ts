/**
 * A channel's delivery lanes, as data: each lane is a queue (and, on AWS, a deliver function with its own
 * share of the channel's rate, lib/channels.ts) that one kind of message takes, so that a backlog in one
 * never delays another. The list is the order a message is matched in: the first lane that takes it, and
 * that its channel has, is its queue; the journeys' lane, which every channel has, takes the rest.
 *
 * - `campaigns`: a campaign's messages (a journey with a schedule trigger), whatever their category: a
 *   million of them wait in their own queue.
 * - `transactional`: service messages (`category: "service"`: a failed payment, a `message.requested`),
 *   one at a time and wanted now: never behind a campaign's backlog, nor behind a burst of journeys' ones.
 * - `journeys`: every other journey's message (a registration's welcome...).
 */
import type { JourneyEffect } from "../engine/model.ts";

type MessageEffect = Extract<JourneyEffect, { type: "message.sent" }>;

export const LANE_NAMES = ["campaigns", "transactional", "journeys"] as const;
export type Lane = (typeof LANE_NAMES)[number];

/** What decides a message's lane besides the message itself. */
export interface LaneContext {
  /** Whether a journey is a campaign (a schedule trigger). */
  isCampaign: (journeyId: string) => boolean;
}

export interface LaneSpec {
  lane: Lane;
  /** Appended to the channel's name for the lane's queue and function (`push-campaigns`); "" for the journeys'. */
  suffix: string;
  /** The ingest function's variable holding the lane's queue URLs by channel (a JSON object). */
  variable: "DELIVERY_QUEUE_URLS" | "CAMPAIGN_DELIVERY_QUEUE_URLS" | "TRANSACTIONAL_DELIVERY_QUEUE_URLS";
  takes: (message: MessageEffect, context: LaneContext) => boolean;
}

/** The lanes, in the order a message is matched against them (the journeys' lane last: it takes all). */
export const LANES: readonly LaneSpec[] = [
  {
    lane: "campaigns",
    suffix: "-campaigns",
    variable: "CAMPAIGN_DELIVERY_QUEUE_URLS",
    takes: (message, context) => context.isCampaign(message.journey),
  },
  {
    lane: "transactional",
    suffix: "-transactional",
    variable: "TRANSACTIONAL_DELIVERY_QUEUE_URLS",
    takes: (message) => message.category === "service",
  },
  { lane: "journeys", suffix: "", variable: "DELIVERY_QUEUE_URLS", takes: () => true },
];

export const laneSpec = (lane: Lane): LaneSpec => LANES.find((spec) => spec.lane === lane) as LaneSpec;

/** A lane's key: the channel's name and the lane's suffix (`push-transactional`), its queue's and function's name. */
export const laneKey = (channel: string, lane: Lane): string => `${channel}${laneSpec(lane).suffix}`;

/** The queue URLs of a platform's lanes, by lane and channel; the journeys' lane has every channel. */
export type LaneQueueUrls = { journeys: Readonly<Record<string, string>> } & Partial<
  Record<Exclude<Lane, "journeys">, Readonly<Record<string, string>>>
>;

/** The lane a message goes to: the first that takes it and has a queue for its channel. */
export function laneOf(message: MessageEffect, urls: LaneQueueUrls, context: LaneContext): Lane {
  for (const spec of LANES) {
    if (urls[spec.lane]?.[message.channel] !== undefined && spec.takes(message, context)) return spec.lane;
  }
  return "journeys";
}
