import type { ShopEvent } from "../../events/catalog.ts";
import { emptyProfile } from "./context.ts";
import type { Profile } from "./model.ts";
import { formatInstant, parseInstant } from "./time.ts";

/** How many recent event ids a profile remembers to recognise a redelivery. */
const REMEMBERED_EVENT_IDS = 8;

type Attributes = Record<string, string | number | boolean>;

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function attributesOf(value: unknown): Attributes {
  const attributes: Attributes = {};
  if (value !== null && typeof value === "object") {
    for (const [name, v] of Object.entries(value)) {
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") attributes[name] = v;
    }
  }
  return attributes;
}

const earlier = (a: string | undefined, b: string) => (a === undefined || b < a ? b : a);
const later = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a);

/**
 * The profile projection: what an event teaches the platform about its user. Pure; returns a new
 * profile, or undefined when the event changes nothing (no user, already applied, not a profile event).
 * Out-of-order events are safe: first/last order times take the min/max, and a consent decision only
 * replaces an older one.
 */
export function applyEventToProfile(profile: Profile | undefined, event: ShopEvent): Profile | undefined {
  const userId = str(event.detail.userId);
  if (userId === undefined || profile?.recentEventIds.includes(event.id)) return undefined;
  const detail = event.detail;
  const at = formatInstant(parseInstant(event.time) ?? 0);
  // A shallow copy; the attributes or consent maps are copied only by the events that change them.
  const next: Profile = profile ? { ...profile } : emptyProfile(userId);
  switch (event["detail-type"]) {
    case "user.registered":
      next.registeredAt = earlier(next.registeredAt, at);
      for (const field of ["locale", "timezone", "channel", "email", "phone"] as const) {
        const value = str(detail[field]);
        if (value !== undefined) next[field] = value;
      }
      next.attributes = { ...next.attributes, ...attributesOf(detail.attributes) };
      break;
    case "user.updated":
      next.attributes = { ...next.attributes, ...attributesOf(detail.attributes) };
      break;
    case "user.unsubscribed":
    case "user.subscribed": {
      const channel = str(detail.channel) ?? "*";
      const known = next.consent[channel];
      if (known !== undefined && known.at > at) return undefined;
      next.consent = { ...next.consent, [channel]: { subscribed: event["detail-type"] === "user.subscribed", at } };
      break;
    }
    case "order.placed": {
      next.orderCount += 1;
      next.totalSpent += typeof detail.amount === "number" ? detail.amount : 0;
      next.firstOrderAt = earlier(next.firstOrderAt, at);
      next.lastOrderAt = later(next.lastOrderAt, at);
      break;
    }
    case "order.refunded":
      next.totalSpent = Math.max(0, next.totalSpent - (typeof detail.amount === "number" ? detail.amount : 0));
      break;
    default:
      return undefined;
  }
  const remembered =
    next.recentEventIds.length < REMEMBERED_EVENT_IDS ? next.recentEventIds : next.recentEventIds.slice(1);
  next.recentEventIds = [...remembered, event.id];
  return next;
}
