import type { ShopEvent } from "../../events/catalog.ts";
import { formatInstant, parseInstant } from "../shared/time.ts";
import { emptyProfile } from "./context.ts";
import type { Profile } from "./model.ts";
import { applyGrant } from "./policies/grants.ts";
import { rememberKey, remembersKey } from "./profile-keys.ts";
import { type TraitsSetting, zoneOf } from "./traits/profile.ts";
import { applyEventToTraits, traitEventTypes } from "./traits/state.ts";

/**
 * The detail-types the profile projection learns from. Every platform routes them to the ingest function
 * whatever the journeys listen to (functions/journey/rules.ts PROFILE_RULE), as the simulator applies them.
 */
export const PROFILE_DETAIL_TYPES = [
  "user.registered",
  "user.updated",
  "user.unsubscribed",
  "user.subscribed",
  "order.placed",
  "order.refunded",
  "wechat.subscription_granted",
] as const;

/** Others change no profile: answered before the profile is copied (most events a journey sees). */
const PROFILE_TYPES: ReadonlySet<string> = new Set(PROFILE_DETAIL_TYPES);

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const amountOf = (detail: Record<string, unknown>) => (typeof detail.amount === "number" ? detail.amount : 0);

const earlier = (a: string | undefined, b: string) => (a === undefined || b < a ? b : a);
const later = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a);

/** The registration fields a `user.registered` sets, each the latest by event time. */
const REGISTRATION_FIELDS = ["locale", "timezone", "channel", "email", "phone"] as const;

/**
 * Sets a user event's fields (registration fields, `attributes.<name>`) that are newer than what the profile
 * holds, by event time: an older update arriving late, or the same one redelivered at any lateness, changes
 * nothing. Of two updates of one field in the same millisecond, the first applied stays. Returns whether any
 * changed. The fields are read off the event's detail as they are set: no map of them is made first.
 */
function setNewer(next: Profile, at: string, detail: Record<string, unknown>, registration: boolean): boolean {
  const changes: NewerFields = { next, at, times: undefined, attributes: undefined };
  if (registration) {
    for (const field of REGISTRATION_FIELDS) {
      const value = str(detail[field]);
      if (value !== undefined) setIfNewer(changes, field, value, undefined);
    }
  }
  const attributes = detail.attributes;
  if (attributes !== null && typeof attributes === "object") {
    for (const name in attributes) {
      // Own properties only, as Object.entries; a `__proto__` key from JSON never sets an attribute.
      if (!hasOwn.call(attributes, name) || name === "__proto__") continue;
      const value: unknown = (attributes as Record<string, unknown>)[name];
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
        setIfNewer(changes, `attributes.${name}`, value, name);
    }
  }
  if (changes.attributes !== undefined) next.attributes = changes.attributes;
  if (changes.times === undefined) return false;
  next.fieldTimes = changes.times;
  return true;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** setNewer's copies of the profile's maps: made once, at the first field that changes. */
interface NewerFields {
  next: Profile;
  at: string;
  times: Record<string, string> | undefined;
  attributes: Profile["attributes"] | undefined;
}

/** One field set when newer than the profile's; `attribute`: its name among the attributes, if it is one. */
function setIfNewer(changes: NewerFields, field: string, value: string | number | boolean, attribute?: string): void {
  const { next, at } = changes;
  const known = next.fieldTimes?.[field];
  if (known !== undefined && known >= at) return;
  changes.times ??= { ...next.fieldTimes };
  changes.times[field] = at;
  if (attribute !== undefined) {
    changes.attributes ??= { ...next.attributes };
    changes.attributes[attribute] = value;
  } else (next as unknown as Record<string, unknown>)[field] = value;
}

/**
 * The key an order or a refund counts by: the order id, and a refund's own `refundId` when the shop
 * gives one (several partial refunds of one order), so that a redelivery, a redrive or an archive replay
 * at any lateness counts nothing twice (functions/engine/profile-keys.ts).
 */
function businessKeyOf(event: ShopEvent): string | undefined {
  const orderId = str(event.detail.orderId);
  if (orderId === undefined) return undefined;
  const refundId = str(event.detail.refundId);
  return event["detail-type"] === "order.refunded" ? `refund/${refundId ?? orderId}` : `order/${orderId}`;
}

/** Counts an order or a refund once by its business key; false when it was counted before. */
function countOnce(next: Profile, event: ShopEvent, at: string): boolean {
  const key = businessKeyOf(event);
  if (key === undefined || remembersKey(next.countedKeys, key)) return false;
  next.countedKeys = rememberKey(next.countedKeys, key);
  const amount = amountOf(event.detail);
  if (event["detail-type"] === "order.placed") {
    next.orderCount += 1;
    next.totalSpent += amount;
    next.firstOrderAt = earlier(next.firstOrderAt, at);
    next.lastOrderAt = later(next.lastOrderAt, at);
  } else {
    next.totalSpent = Math.max(0, next.totalSpent - amount);
  }
  return true;
}

/** Applies a consent decision if it is newer than the channel's known one; false when it changes nothing. */
function decideConsent(next: Profile, event: ShopEvent, at: string): boolean {
  const channel = str(event.detail.channel) ?? "*";
  const known = next.consent[channel];
  // The same decision again (a redelivery) or an older one arriving late changes nothing.
  if (known !== undefined && known.at >= at) return false;
  next.consent = { ...next.consent, [channel]: { subscribed: event["detail-type"] === "user.subscribed", at } };
  return true;
}

/**
 * The key an event a trait adds up counts once by, when it is not an order or a refund (those count by
 * businessKeyOf): a review by its order, anything else by its event id.
 */
function traitKeyOf(event: ShopEvent): string {
  const orderId = str(event.detail.orderId);
  return event["detail-type"] === "review.posted" && orderId !== undefined ? `review/${orderId}` : `event/${event.id}`;
}

/**
 * Applies the event to the traits' states, once: `counted` says whether an order or refund was counted now
 * (undefined for other events, which count by traitKeyOf when a count or a sum adds them up).
 */
function applyTraits(next: Profile, event: ShopEvent, setting: TraitsSetting, counted: boolean | undefined): boolean {
  const types = traitEventTypes(setting.file);
  const type = event["detail-type"];
  if (!types.all.has(type) || counted === false) return false;
  const key = counted === undefined && types.keyed.has(type) ? traitKeyOf(event) : undefined;
  if (key !== undefined && remembersKey(next.countedKeys, key)) return false;
  const states = applyEventToTraits(setting.file, next.traitStates, event, zoneOf(next, setting));
  // An event no trait counts (a review without photos) is not remembered either.
  if (states === undefined) return false;
  next.traitStates = states;
  if (key !== undefined) next.countedKeys = rememberKey(next.countedKeys, key);
  return true;
}

/** The profile's own fields an event changes; undefined: not an event the profile's fields learn from. */
function applyFields(next: Profile, event: ShopEvent, at: string): boolean | undefined {
  const detail = event.detail;
  switch (event["detail-type"]) {
    case "user.registered": {
      const registeredAt = earlier(next.registeredAt, at);
      const changed = registeredAt !== next.registeredAt;
      next.registeredAt = registeredAt;
      return setNewer(next, at, detail, true) || changed;
    }
    case "user.updated":
      return setNewer(next, at, detail, false);
    case "user.unsubscribed":
    case "user.subscribed":
      return decideConsent(next, event, at);
    case "order.placed":
    case "order.refunded":
      return countOnce(next, event, at);
    case "wechat.subscription_granted":
      return applyGrant(next, event, at);
    default:
      return undefined;
  }
}

/**
 * The profile projection: what an event teaches the platform about its user, as of the event's own time
 * (a backfill updates the profile as of then), and, with the platform's `traits`, what the computed
 * traits keep. Pure; returns a new profile, or undefined when the event changes nothing (no user, not an
 * event the profile or a trait learns from, or already applied: a redelivery at any lateness).
 * Idempotent by state, not by event id: orders and refunds count once by their business key, consent and
 * fields keep the latest by event time, first/last order times take the min/max.
 */
export function applyEventToProfile(
  profile: Profile | undefined,
  event: ShopEvent,
  traits?: TraitsSetting,
): Profile | undefined {
  const userId = str(event.detail.userId);
  if (userId === undefined) return undefined;
  // Most events a journey sees teach the profile nothing: answered before the profile is copied.
  const type = event["detail-type"];
  if (!PROFILE_TYPES.has(type) && (traits === undefined || !traitEventTypes(traits.file).all.has(type)))
    return undefined;
  const at = formatInstant(parseInstant(event.time) ?? 0);
  // A shallow copy; the maps are copied only by the events that change them.
  const next: Profile = profile ? { ...profile } : emptyProfile(userId);
  const fields = applyFields(next, event, at);
  const isOrder = type === "order.placed" || type === "order.refunded";
  const traitsChanged = traits !== undefined && applyTraits(next, event, traits, isOrder ? fields === true : undefined);
  if (fields !== true && !traitsChanged) return undefined;
  // Profiles of earlier versions remembered event ids; state now tells a redelivery apart.
  delete next.recentEventIds;
  return next;
}
