/**
 * A profile reviewed against what Nudge watches on it (watch.ts): the segments it is in now, the watched
 * traits' values now, and when they next change with time alone. What differs from the profile's last
 * review becomes events: `segment.entered` / `segment.exited`, and `trait.changed` where a journey asks
 * for it. Pure: the runtime saves the reviewed profile and its events in one write, then hands them on.
 */
import type { ShopEvent } from "../../../events/catalog.ts";
import { flat, formatInstant, parseInstant } from "../../shared/time.ts";
import { PROFILE_WAKE_UP, type Profile, type WakeUp } from "../model.ts";
import { NUDGE_SOURCE } from "../step-context.ts";
import { type TraitsFile, tierLevels } from "../traits/config.ts";
import { traitChangeTimes } from "../traits/next-change.ts";
import { type TraitsSetting, zoneOf } from "../traits/profile.ts";
import { type TraitValue, type TraitValues, traitValues } from "../traits/values.ts";
import type { ProfileWatch } from "./watch.ts";

export interface ProfileReview {
  /** The profile with its review (segments, watched values, armed wake-up); undefined when none changed. */
  profile?: Profile;
  /** What changed, as events to publish, in a stable order. */
  events: ShopEvent[];
  /** The profile wake-up to schedule (before the profile is saved). */
  wakeUp?: WakeUp;
}

const same = (a: TraitValue | undefined, b: TraitValue | undefined) =>
  a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));

/** Whether a value went up or down: numbers and times by value, tiers by their levels; none for the rest. */
function directionOf(file: TraitsFile, trait: string, from: TraitValue | undefined, to: TraitValue | undefined) {
  const rank = (value: TraitValue | undefined): number | string | undefined => {
    if (typeof value === "number") return value;
    if (typeof value !== "string") return undefined;
    for (const definition of Object.values(file.traits))
      if (definition.kind === "score" && definition.tiers?.trait === trait)
        return tierLevels(definition.tiers).findIndex((level) => level.name === value);
    return Number.isNaN(Date.parse(value)) ? undefined : value;
  };
  const before = rank(from);
  const after = rank(to);
  if (after === undefined || before === after) return undefined;
  return before === undefined || after > before ? "up" : "down";
}

interface Reviewing {
  file: TraitsFile;
  watch: ProfileWatch;
  profile: Profile;
  now: number;
  /** What caused the review (an event id, a wake-up): it makes the events' ids, the same on a retry. */
  cause: string;
}

function eventOf(review: Reviewing, type: string, detail: Record<string, unknown>, subject: string): ShopEvent {
  const { profile, now, cause } = review;
  return {
    id: flat(`${type}:${profile.userId}:${subject}:${cause}`),
    source: NUDGE_SOURCE,
    "detail-type": type,
    time: formatInstant(now),
    detail: { userId: profile.userId, ...detail },
  };
}

function segmentEvents(review: Reviewing, members: readonly string[]): ShopEvent[] {
  const before = review.profile.segments ?? [];
  return [
    ...before
      .filter((id) => !members.includes(id))
      .map((segment) => eventOf(review, "segment.exited", { segment }, segment)),
    ...members
      .filter((id) => !before.includes(id))
      .map((segment) => eventOf(review, "segment.entered", { segment }, segment)),
  ];
}

/**
 * The published traits' values now (`watched`), whether they differ from the profile's (`changed`), and the
 * `trait.changed` events a journey takes among the differences.
 */
function traitEvents(
  review: Reviewing,
  values: TraitValues,
): { events: ShopEvent[]; watched: TraitValues; changed: boolean } {
  const { file, watch, profile } = review;
  const events: ShopEvent[] = [];
  const watched: TraitValues = {};
  let changed = false;
  for (const trait of watch.published) {
    const to = values[trait];
    if (to !== undefined) watched[trait] = to;
    const from = profile.watchedTraits?.[trait];
    if (same(from, to)) continue;
    changed = true;
    const direction = directionOf(file, trait, from, to);
    const detail = {
      trait,
      from: from ?? null,
      to: to ?? null,
      ...(direction === undefined ? {} : { direction }),
      reached: `${profile.userId}:${trait}:${typeof to === "object" ? JSON.stringify(to) : String(to ?? null)}`,
    };
    const event = eventOf(review, "trait.changed", detail, trait);
    // Published where a journey asks for it: a change no journey's pattern takes is remembered, not sent.
    if (watch.changeWanted(event)) events.push(event);
  }
  // A trait watched before and no longer (a journey removed) leaves the stored values to change too.
  changed ||= Object.keys(watched).length !== Object.keys(profile.watchedTraits ?? {}).length;
  return { events, watched, changed };
}

/** The most instants a review looks ahead at to find the next that changes something watched. */
const LOOKAHEAD = 12;

/** What is watched of a profile with these values, as one comparable text: the segments, the published traits. */
function watchedOf(review: Reviewing, values: TraitValues, members = membersOf(review.watch, review.profile, values)) {
  return JSON.stringify([members, [...review.watch.published].map((name) => values[name] ?? null)]);
}

/** What is watched of a profile at a moment (watchedOf, with the traits' values then). */
function watchedAt(review: Reviewing, at: number, zone: string): string {
  return watchedOf(review, traitValues(review.file, review.profile.traitStates, at, zone));
}

/**
 * When to wake the profile next: the first instant a trait may change with time alone that changes what is
 * watched (a segment, a published trait), looking at most LOOKAHEAD instants ahead (then the last of them,
 * to look further from there). An R score that drops without moving any segment wakes no one. Undefined
 * when the armed wake-up still comes first (or when nothing will change before an event); null to disarm.
 */
function nextWakeAt(
  review: Reviewing,
  now: { values: TraitValues; members: string[]; zone: string },
): string | undefined | null {
  const { file, watch, profile } = review;
  const { values, members, zone } = now;
  const { times, more } = traitChangeTimes(file, {
    states: profile.traitStates,
    traits: watch.timed,
    now: review.now,
    zone,
    values,
  });
  const armed = parseInstant(profile.wakeAt);
  const armedAhead = armed !== undefined && armed > review.now;
  // The armed wake-up comes no later than the first possible change: it looks again when it fires.
  if (armedAhead && (times[0] === undefined || armed <= times[0])) return undefined;
  const looked = times.slice(0, LOOKAHEAD);
  // What is watched now is known already: only the instants ahead are worked out.
  const current = looked.length > 0 ? watchedOf(review, values, members) : "";
  let next = looked.find((time) => watchedAt(review, time, zone) !== current);
  if (next === undefined && (more || times.length > LOOKAHEAD)) next = looked.at(-1);
  if (next === undefined) return armedAhead || profile.wakeAt === undefined ? undefined : null;
  // An earlier wake-up armed stays: it reviews again when it fires, and arms this one then.
  return armedAhead && armed <= next ? undefined : formatInstant(next);
}

/** The segments whose conditions the profile, with these trait values, meets. */
function membersOf(watch: ProfileWatch, profile: Profile, values: TraitValues): string[] {
  const view = { profile: { ...profile, traits: values } };
  return watch.segments.filter((segment) => segment.condition.matches(view)).map((segment) => segment.id);
}

/** Reviews the profile at `now` (see the module's comment); `cause` names the event or wake-up behind it. */
export function reviewProfile(
  setting: TraitsSetting,
  request: { profile: Profile; now: number; cause: string },
): ProfileReview {
  const watch = setting.watch;
  if (watch === undefined) return { events: [] };
  const { profile, now, cause } = request;
  // The traits the watch reads, alone (watch.file): a review computes no other.
  const review: Reviewing = { file: watch.file, watch, profile, now, cause };
  const zone = zoneOf(profile, setting);
  const values = watch.readsTraits ? traitValues(watch.file, profile.traitStates, now, zone) : {};
  const members = membersOf(watch, profile, values);
  const traits = traitEvents(review, values);
  const segmentChanges = segmentEvents(review, members);
  const events = [...segmentChanges, ...traits.events];
  const wakeAt = nextWakeAt(review, { values, members, zone });
  const { watched } = traits;
  if (segmentChanges.length === 0 && !traits.changed && wakeAt === undefined) return { events };
  const next: Profile = { ...profile };
  if (members.length > 0) next.segments = members;
  else delete next.segments;
  if (Object.keys(watched).length > 0) next.watchedTraits = watched;
  else delete next.watchedTraits;
  if (wakeAt === null) delete next.wakeAt;
  else if (wakeAt !== undefined) next.wakeAt = wakeAt;
  const wakeUp: WakeUp | undefined =
    typeof wakeAt === "string"
      ? { kind: "profile", journeyId: PROFILE_WAKE_UP, key: profile.userId, at: wakeAt }
      : undefined;
  return { profile: next, events, ...(wakeUp === undefined ? {} : { wakeUp }) };
}
