/**
 * The EventBridge rules the journeys need, as data: one per distinct pattern. The CDK app makes them
 * rules on the bus (lib/journey-rules.ts); the local platform matches events against them itself
 * (functions/local/platform.ts); the ingest function, the events the journeys emit (platformRoute). All take
 * platformRuleSpecs, so they route the same events.
 */
import { createHash } from "node:crypto";
import type { ShopEvent } from "../../events/catalog.ts";
import { patternDetailTypes } from "../engine/compile.ts";
import { PROFILE_DETAIL_TYPES } from "../engine/profile.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import { traitEventTypes } from "../engine/traits/state.ts";
import { compilePattern } from "../language/pattern/index.ts";
import type { Journey } from "../language/schema.ts";

/** One EventBridge rule: a pattern and the journey parts that need the events it matches. */
export interface JourneyRuleSpec {
  /** The construct id, from the pattern itself: its detail-types and a hash, e.g. `user-registered-1f0c2e9a`. */
  id: string;
  pattern: Record<string, unknown>;
  /** Every use of the pattern, e.g. `new-user-coupon v1 trigger`, `dormancy-reactivation v1 exitOn[0]`. */
  uses: string[];
}

/**
 * The patterns of a journey whose events it needs: what starts a run (trigger, inactivity clock) while
 * it is enabled, and always what its runs in flight need (exits, goal, waits): a disabled journey admits
 * no one, but its runs still end, convert and move on.
 */
function patternsOf(journey: Journey): { part: string; pattern: Record<string, unknown> }[] {
  const { trigger } = journey;
  // A campaign (schedule trigger) is entered by its occurrences, not by events: no entry rule, but for one
  // relative to an event, that event's (it sets an occurrence).
  const entry = !journey.enabled
    ? []
    : trigger.type === "schedule"
      ? trigger.relativeTo === undefined
        ? []
        : [{ part: "trigger.relativeTo", pattern: trigger.relativeTo.event }]
      : trigger.type === "event"
        ? [{ part: "trigger", pattern: trigger.pattern }]
        : [
            { part: "trigger", pattern: trigger.absent },
            ...(trigger.countFrom ? [{ part: "countFrom", pattern: trigger.countFrom }] : []),
          ];
  return [
    ...entry,
    ...journey.exitOn.map((pattern, index) => ({ part: `exitOn[${index}]`, pattern })),
    ...(journey.goal ? [{ part: "goal", pattern: journey.goal.pattern }] : []),
    ...journey.steps.flatMap((step) =>
      step.type === "wait-for-event" ? [{ part: `step ${step.id}`, pattern: step.pattern }] : [],
    ),
    // The refund-rate guardrail counts refunds of converted orders (unsubscribes come by the profile rule, PROFILE_RULE).
    ...(journey.guardrails?.maxRefundRate === undefined
      ? []
      : [{ part: "guardrails.maxRefundRate", pattern: { "detail-type": ["order.refunded"] } }]),
  ];
}

/** JSON with object keys sorted at every level: equal patterns get equal texts. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A rule's id from its pattern alone, so that editing other journeys never renames it. */
function ruleIdOf(pattern: Record<string, unknown>, canonical: string): string {
  const types = patternDetailTypes(pattern);
  const name = types === undefined ? "any" : types.join("-").replace(/[^A-Za-z0-9-]+/g, "-");
  return `${name.slice(0, 60)}-${createHash("sha256").update(canonical).digest("hex").slice(0, 8)}`;
}

/**
 * The rules the journeys need, one per distinct pattern: an event two journeys need is delivered once,
 * and every journey listening to it sees it (the runtime offers an event to each).
 */
export function journeyRuleSpecs(journeys: readonly Journey[]): JourneyRuleSpec[] {
  const byPattern = new Map<string, JourneyRuleSpec>();
  for (const journey of journeys) {
    for (const { part, pattern } of patternsOf(journey)) {
      const use = `${journey.id} v${journey.version} ${part}`;
      const key = canonicalJson(pattern);
      const known = byPattern.get(key);
      if (known) known.uses.push(use);
      else {
        byPattern.set(key, { id: ruleIdOf(pattern, key), pattern, uses: [use] });
      }
    }
  }
  return [...byPattern.values()];
}

/**
 * The events every user's profile learns from (registrations, updates, consent, orders, refunds): routed
 * to the ingest function whatever the journeys say, so that an audience on `profile.attributes` or a
 * consent check sees on the platform what `nudge simulate` sees.
 */
export const PROFILE_RULE: JourneyRuleSpec = {
  id: "profile-events",
  pattern: { "detail-type": [...PROFILE_DETAIL_TYPES] },
  uses: ["profile: every user's profile"],
};

/** The profile events' rule, with the events the platform's traits learn from (journeys/traits.json). */
export function profileRule(traits?: TraitsFile): JourneyRuleSpec {
  if (traits === undefined) return { ...PROFILE_RULE, uses: [...PROFILE_RULE.uses] };
  const types = new Set<string>([...PROFILE_DETAIL_TYPES, ...traitEventTypes(traits).all]);
  return { ...PROFILE_RULE, pattern: { "detail-type": [...types] }, uses: [...PROFILE_RULE.uses] };
}

/** What a platform routes to the ingest function: the journeys' rules, and the profile events' rule. */
export function platformRuleSpecs(journeys: readonly Journey[], traits?: TraitsFile): JourneyRuleSpec[] {
  const specs = journeyRuleSpecs(journeys);
  const rule = profileRule(traits);
  const profile = canonicalJson(rule.pattern);
  const known = specs.find((spec) => canonicalJson(spec.pattern) === profile);
  if (known === undefined) specs.push(rule);
  else known.uses.push(...rule.uses);
  return specs;
}

/**
 * Whether one of the platform's rules takes the event: where the bus routes a shop's event to ingest, and
 * whether an event the journeys emit (a coupon issued, an emit step's) is worth handing back to it. One no
 * rule takes would change no profile and no run: member day's coupons, which no journey listens for.
 */
export function platformRoute(journeys: readonly Journey[], traits?: TraitsFile): (event: ShopEvent) => boolean {
  const rules = platformRuleSpecs(journeys, traits).map((spec) => compilePattern(spec.pattern));
  return (event) => {
    for (const rule of rules) if (rule.matches(event)) return true;
    return false;
  };
}
