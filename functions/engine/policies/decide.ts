import { isTimeZone } from "../../shared/local-time.ts";
import { formatInstant, parseInstant } from "../../shared/time.ts";
import { acceptsMarketing } from "../context.ts";
import type { Profile } from "../model.ts";
import { type CapRule, capAllowsAt, capsFor, type SentMessage } from "./caps.ts";
import type { JourneyPolicy, PolicyConfig } from "./config.ts";
import { quietHoursEnd } from "./quiet-hours.ts";

/** A message a journey wants to send, as the policies see it. */
export interface DueMessage {
  journeyId: string;
  channel: string;
  category: "marketing" | "service";
  /** A service message that still needs consent (the send step's `consent: "required"`). */
  consentRequired?: boolean;
  /**
   * A message the user pulls (an inbox message, shown when they visit the shop's site): quiet hours and
   * caps, which protect users from messages pushed at them, do not hold it; validity and consent do.
   */
  pulled?: boolean;
  /** ISO-8601 instant the message is due. */
  dueAt: string;
  /** ISO-8601 instant after which the message no longer makes sense (a coupon's expiry), if any. */
  validUntil?: string;
}

/** Why a message was held back; the `message.suppressed` reasons the policies add. */
export type DropReason = "expired" | "unsubscribed" | "quiet-hours" | "capped" | "expired-while-deferred";

/**
 * What to do with a message. `rule` names the rule that decided: `valid-until`, `consent`, `quiet-hours`,
 * `cap:<id>` (a platform cap) or `journey-cap:<id>` (the journey's own). A deferral names the rule that
 * set its time, the last one to move it (and `heldBy` every rule that moved it, in order, when there were
 * several: a cap that pushed the message into quiet hours, then quiet hours); a drop for `expired-while-deferred` names the rule whose
 * deferral would have carried the message past its `validUntil`.
 */
export type PolicyDecision =
  | { action: "send"; at: string }
  | {
      action: "defer";
      until: string;
      reason: "quiet-hours" | "capped";
      rule: string;
      /** When more than one rule moved the message: each, in order (the last is `rule`). */
      heldBy?: string[];
    }
  | { action: "drop"; reason: DropReason; rule: string };

export interface PolicyInput {
  message: DueMessage;
  journey: JourneyPolicy;
  profile: Profile;
  /** The user's recent sends, on every journey; older than the longest cap window may be left out. */
  recentSends: readonly SentMessage[];
  config: PolicyConfig;
}

/** The user's zone: the profile's when the runtime knows it, else the platform default. */
export function zoneOf(profile: Profile, config: PolicyConfig): string {
  const zone = profile.timezone;
  return zone !== undefined && isTimeZone(zone) ? zone : config.defaultTimezone;
}

/**
 * Decides whether a message goes now, later, or not at all. Pure: the same input always gives the same
 * decision, and the caller records a send (see SentMessage) only when it is carried out.
 *
 * In order: a message already past `validUntil` is dropped; a marketing message to an unsubscribed
 * channel is dropped (a deferral could not change that); then quiet hours and caps each hold the message
 * to their earliest allowed time, or drop it, as the journey chose. A deferral may land in quiet hours or
 * a cap again, so the checks repeat until one time passes all of them. That ends: every deferral moves
 * the time forward, quiet hours end, and the recent sends (all in the past) age out of every window.
 */
export function decideDelivery(input: PolicyInput): PolicyDecision {
  const { message, journey, profile, recentSends, config } = input;
  const dueAt = parseInstant(message.dueAt);
  if (dueAt === undefined) throw new RangeError(`not an ISO-8601 instant: ${JSON.stringify(message.dueAt)}`);
  const validUntil = parseInstant(message.validUntil);
  return decideDeliveryAt({ message, dueAt, validUntil, journey, profile, recentSends, config });
}

/** A message due at an instant in epoch ms, as the engine has it: decideDelivery without ISO strings. */
export interface TimedPolicyInput extends Omit<PolicyInput, "message"> {
  message: Omit<DueMessage, "dueAt" | "validUntil">;
  dueAt: number;
  validUntil: number | undefined;
}

/** decideDelivery on epoch ms: the engine's send step asks this, with no instant to format and parse back. */
export function decideDeliveryAt(input: TimedPolicyInput): PolicyDecision {
  const { message, dueAt, validUntil, journey, profile, recentSends, config } = input;
  if (validUntil !== undefined && dueAt >= validUntil) {
    return { action: "drop", reason: "expired", rule: "valid-until" };
  }
  if (
    (message.category === "marketing" || message.consentRequired === true) &&
    !acceptsMarketing(profile, message.channel)
  ) {
    return { action: "drop", reason: "unsubscribed", rule: "consent" };
  }

  if (message.pulled === true) return { action: "send", at: formatInstant(dueAt) };
  const zone = zoneOf(profile, config);
  const quietHours =
    config.quietHours !== null && (config.quietHours.appliesTo === "all" || message.category === "marketing")
      ? config.quietHours
      : undefined;
  const caps = capsFor(message, config.caps, journey.caps);
  let at = dueAt;
  let deferredBy: { reason: "quiet-hours" | "capped"; rule: string } | undefined;
  // Made at the first deferral: most messages go when due.
  let heldBy: string[] | undefined;
  for (;;) {
    const held = holdBack(at, quietHours, zone, caps, recentSends);
    if (held === undefined) break;
    const choice = held.reason === "quiet-hours" ? journey.inQuietHours : journey.whenCapped;
    if (choice === "drop") return { action: "drop", reason: held.reason, rule: held.rule };
    if (validUntil !== undefined && held.until >= validUntil) {
      return { action: "drop", reason: "expired-while-deferred", rule: held.rule };
    }
    at = held.until;
    deferredBy = { reason: held.reason, rule: held.rule };
    heldBy ??= [];
    if (heldBy.at(-1) !== held.rule) heldBy.push(held.rule);
  }
  if (deferredBy === undefined || heldBy === undefined) return { action: "send", at: formatInstant(at) };
  return { action: "defer", until: formatInstant(at), ...deferredBy, ...(heldBy.length > 1 ? { heldBy } : {}) };
}

/** The first rule that holds a message back at `at`, and until when; undefined when none does. */
function holdBack(
  at: number,
  quietHours: PolicyConfig["quietHours"] | undefined,
  zone: string,
  caps: readonly CapRule[],
  recentSends: readonly SentMessage[],
): { reason: "quiet-hours" | "capped"; rule: string; until: number } | undefined {
  const quietUntil = quietHours ? quietHoursEnd(quietHours, at, zone) : undefined;
  if (quietUntil !== undefined) return { reason: "quiet-hours", rule: "quiet-hours", until: quietUntil };
  // Of several caps in the way, the one that frees last: deferring to any earlier would meet it again.
  let latest: { rule: string; until: number } | undefined;
  for (const cap of caps) {
    const until = capAllowsAt(cap, recentSends, at);
    if (until > at && (latest === undefined || until > latest.until)) latest = { rule: cap.rule, until };
  }
  return latest === undefined ? undefined : { reason: "capped", ...latest };
}

/** A message due together with others, with its journey's policy. */
export interface RankedMessage {
  message: DueMessage;
  journey: JourneyPolicy;
}

/**
 * Decides messages due together for one user, highest journey priority first (ties: the order given),
 * each seeing the sends decided before it, so when a cap lets only one through, the higher-priority
 * journey's goes. Decisions come back in the order of `messages`.
 */
export function decideTogether(
  messages: readonly RankedMessage[],
  context: Omit<PolicyInput, "message" | "journey">,
): PolicyDecision[] {
  const order = messages.map((_, index) => index);
  order.sort((a, b) => (messages[b]?.journey.priority ?? 0) - (messages[a]?.journey.priority ?? 0) || a - b);
  const sends = [...context.recentSends];
  const decisions: PolicyDecision[] = new Array(messages.length);
  for (const index of order) {
    const ranked = messages[index];
    if (ranked === undefined) continue;
    const decision = decideDelivery({ ...context, ...ranked, recentSends: sends });
    if (decision.action === "send") {
      const { journeyId, channel, category } = ranked.message;
      sends.push({ at: decision.at, journeyId, channel, category });
    }
    decisions[index] = decision;
  }
  return decisions;
}
