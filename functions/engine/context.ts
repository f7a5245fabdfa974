import type { CompiledJourney } from "./compile.ts";
import type { Profile, Run } from "./model.ts";

/**
 * The run's context: the one document that branch conditions match and templates render from.
 * `{ profile, trigger, event, steps, coupon, journey, run }`, documented in docs/journey-language.md.
 */
export function runContext(journey: CompiledJourney, run: Run, profile: Profile): Record<string, unknown> {
  return {
    profile,
    trigger: run.trigger,
    event: run.event ?? run.trigger,
    steps: run.outputs,
    coupon: run.coupon,
    journey: journey.summary,
    run: { id: run.runId, enteredAt: run.enteredAt, key: run.key, holdout: run.holdout },
  };
}

/** A context path's root and the segments after it, split once: a journey's few paths are read per step. */
const splitPaths = new Map<string, { root: string; rest: readonly string[] }>();

function splitPath(path: string): { root: string; rest: readonly string[] } {
  let split = splitPaths.get(path);
  if (split === undefined) {
    const dot = path.indexOf(".");
    const rest = dot === -1 ? "" : path.slice(dot + 1);
    split = { root: dot === -1 ? path : path.slice(0, dot), rest: rest === "" ? [] : rest.split(".") };
    if (splitPaths.size >= 10_000) splitPaths.clear(); // bounded, should paths ever come from data
    splitPaths.set(path, split);
  }
  return split;
}

/** Reads a context path such as `trigger.detail.expiresAt` without building the whole context. */
export function readContextPath(journey: CompiledJourney, run: Run, profile: Profile, path: string): unknown {
  const { root, rest } = splitPath(path);
  let value: unknown;
  switch (root) {
    case "profile":
      value = profile;
      break;
    case "trigger":
      value = run.trigger;
      break;
    case "event":
      value = run.event ?? run.trigger;
      break;
    case "steps":
      value = run.outputs;
      break;
    case "coupon":
      value = run.coupon;
      break;
    default:
      value = readSegments(runContext(journey, run, profile), [root]);
  }
  return readSegments(value, rest);
}

/** Reads a dotted path such as `trigger.detail.expiresAt` from a document. */
export function readPath(document: unknown, path: string): unknown {
  return readSegments(document, path.split("."));
}

function readSegments(document: unknown, segments: readonly string[]): unknown {
  let value: unknown = document;
  for (const segment of segments) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Whether the event carries, at each event field of `match` (a wait-for-event's), the value the run has at
 * the context path it names: `{"detail.promotionId": "trigger.detail.promotionId"}`. A value missing on
 * either side matches nothing.
 */
export function sharesWithRun(
  match: Readonly<Record<string, string>>,
  event: unknown,
  run: { journey: CompiledJourney; run: Run; profile: Profile },
): boolean {
  for (const [eventField, contextPath] of Object.entries(match)) {
    const value = readSegments(event, splitPath(`event.${eventField}`).rest);
    if (value === undefined || value !== readContextPath(run.journey, run.run, run.profile, contextPath)) return false;
  }
  return true;
}

/** An empty profile for a user the platform has seen no profile event of yet. */
export function emptyProfile(userId: string): Profile {
  return { userId, attributes: {}, consent: {}, orderCount: 0, totalSpent: 0 };
}

/**
 * Whether a user takes marketing messages on a channel: the later of the channel's own decision and the
 * all-channel (`*`) one wins; no decision at all means subscribed (consent was given at sign-up).
 */
export function acceptsMarketing(profile: Profile, channel: string): boolean {
  const own = profile.consent[channel];
  const all = profile.consent["*"];
  const latest = own === undefined ? all : all === undefined ? own : own.at >= all.at ? own : all;
  return latest?.subscribed ?? true;
}
