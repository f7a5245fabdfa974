import type { StepOf } from "../language/schema.ts";
import { addDays, instantOfWallTime, localDateTime, wallTimeAt } from "../shared/local-time.ts";
import { entryOf, newMap } from "../shared/maps.ts";
import { flat, formatInstant, isCivil, parseInstant } from "../shared/time.ts";
import type { CompiledJourney } from "./compile.ts";
import type { SentMessage } from "./model.ts";
import { type PolicyConfig, parsePolicyConfig } from "./policies/config.ts";
import { type decideDelivery, decideDeliveryAt, type PolicyDecision } from "./policies/decide.ts";
import type { GrantUse } from "./policies/grants.ts";

/**
 * The policy layer inside the pure engine: what a send step and a coupon step ask of the platform's
 * policies, with the cross-journey state (the user's recent sends, the day's coupon spending) handed in
 * by the runtime, and what they reserve handed back for the runtime to write with one conditional write
 * each (functions/runtime/journey-runtime.ts). The engine never reads a store: when a step needs state the runtime
 * has not read, it decides as if there were none and says so (`wantsSends`, `wantsBudgets`); the runtime
 * reads a budget then and decides again (the user's sends it reads with the profile, before deciding).
 * Inputs that reach no coupon step read no budget.
 */

/** The platform's policies with every default: Asia/Shanghai, quiet 21:00-09:00, 3 a day, 1 per channel per 4 h. */
export const DEFAULT_POLICY_CONFIG: PolicyConfig = parsePolicyConfig({});

/** What the runtime hands the engine: the platform's policies and the state it has read so far. */
export interface PolicyInputs {
  config: PolicyConfig;
  /** The user's recent sends on every journey; undefined: not read (yet). */
  sends?: readonly SentMessage[];
  /** Coupon value issued per budget day, by `budgetKey` (sharded: see spentAsDecided, runtime); missing: not read (yet). */
  budgets?: ReadonlyMap<string, number>;
  /**
   * Coupons already charged to their budget by an earlier attempt at this input (its save then lost a race):
   * the read budget includes them, so they are issued without a second charge.
   */
  charged?: ReadonlySet<string>;
  /** The input is a held wake-up of a resumed journey, late beyond its `whenResumed.skipOlderThan`. */
  skipLate?: boolean;
}

/** One coupon's value charged to its journey's budget for a day (the platform's zone). */
export interface CouponCharge {
  journeyId: string;
  day: string;
  couponId: string;
  /** The run issuing it: a retry of its decision finds its own unsettled charges by it. */
  runId: string;
  amount: number;
  /** The journey's `couponBudget.perDay`, over every shard. */
  limit: number;
  /** The shards the day's budget is split over (`couponBudget.shards`); absent: 1. */
  shards?: number;
  /** Where it was charged, once it was (a shard number: see budget-shards.ts); absent: not charged yet. */
  shard?: number;
}

/** What the policy checks of one input asked for and reserved; the runtime carries it out. */
export interface PolicyOutcome {
  /**
   * Sends to add to the user's send log, in one conditional write, before the decision is saved; a
   * deferred message's place among them (`held`), at the time it was deferred to.
   */
  reserved: SentMessage[];
  /**
   * Ids of messages whose place the log holds and that will not go after all (suppressed when their time
   * came, or their run ended while they waited): taken off the log in the same write.
   */
  released: string[];
  /** Coupon values to charge to budgets, each with one conditional write, before the decision is saved. */
  charges: CouponCharge[];
  /** A send step needed the user's send log and it was not given. */
  wantsSends: boolean;
  /** Budget days a coupon step needed and were not given, with the journey's `perDay` and `shards`. */
  wantsBudgets: { journeyId: string; day: string; perDay: number; shards: number; couponId: string; amount: number }[];
  /**
   * WeChat subscribe message grants the decision's messages take (policies/grants.ts): written with the
   * profile, in the decision's one conditional write of the user, before the decision is saved.
   */
  grantsUsed: GrantUse[];
}

export interface PolicyState extends PolicyOutcome {
  inputs: PolicyInputs;
}

/** The inputs of a decision the runtime handed none: the defaults, nothing read. Shared: no decision changes them. */
const NOTHING_READ: PolicyInputs = { config: DEFAULT_POLICY_CONFIG };

export function policyState(inputs: PolicyInputs | undefined): PolicyState {
  return {
    inputs: inputs ?? NOTHING_READ,
    reserved: [],
    released: [],
    charges: [],
    wantsSends: false,
    wantsBudgets: [],
    grantsUsed: [],
  };
}

/**
 * Deferred messages and held coupons leave in priority order: one due at the end of quiet hours goes
 * (100 - priority) seconds after it, so of two journeys deferred to the same minute, the higher-priority
 * one reaches the frequency caps first, whichever function instance takes it.
 */
export function staggered(at: number, journey: CompiledJourney): number {
  return at + (100 - journey.journey.priority) * 1000;
}

/** A message due now, as a send step asks the policies about it. */
export interface MessageRequest {
  journey: CompiledJourney;
  step: StepOf<"send">;
  messageId: string;
  /** The id of the place the message held while deferred (it counts as this message, not an earlier one). */
  ownPlace?: string | undefined;
  profile: Parameters<typeof decideDelivery>[0]["profile"];
  now: number;
  /** Past this instant the message is no longer worth sending (the step's `validUntil`). */
  validUntil: number | undefined;
  state: PolicyState;
}

/** Decides a message due now against the policies, counting the sends reserved earlier in this input. */
export function decideMessage(request: MessageRequest): PolicyDecision {
  const { journey, step, messageId, ownPlace, now, validUntil, state } = request;
  const read = state.inputs.sends;
  if (read === undefined) state.wantsSends = true;
  const policy = journey.journey.policy;
  return decideDeliveryAt({
    message: {
      journeyId: journey.id,
      channel: step.channel,
      category: step.category,
      consentRequired: step.consent === "required",
      pulled: step.inbox !== undefined,
    },
    dueAt: asFormatted(now),
    validUntil: validUntil === undefined ? undefined : asFormatted(validUntil),
    journey: {
      priority: journey.journey.priority,
      whenCapped: step.whenCapped ?? policy.whenCapped,
      inQuietHours: step.inQuietHours ?? policy.inQuietHours,
      caps: policy.caps,
    },
    profile: request.profile,
    recentSends: sendsBefore(read, { messageId, ownPlace }, state.reserved),
    config: state.inputs.config,
  });
}

/**
 * The sends a message is decided against: the log read, but for the message's own reservation (a retried
 * decision finds it there) and the place it held while deferred, then the sends reserved earlier in this
 * input. The log is copied only when it holds one of those.
 */
function sendsBefore(
  read: readonly SentMessage[] | undefined,
  own: { messageId: string; ownPlace: string | undefined },
  reserved: readonly SentMessage[],
): readonly SentMessage[] {
  if (read === undefined || read.length === 0) return reserved;
  // A plain loop: no closure made for every message decided.
  let others: SentMessage[] | undefined;
  for (let index = 0; index < read.length; index++) {
    const sent = read[index] as SentMessage;
    const isOwn = sent.id === own.messageId || (own.ownPlace !== undefined && sent.id === own.ownPlace);
    if (isOwn) others ??= read.slice(0, index);
    else others?.push(sent);
  }
  const earlier = others ?? read;
  if (earlier.length === 0) return reserved;
  return reserved.length === 0 ? earlier : [...earlier, ...reserved];
}

/**
 * An instant as the policies saw it when they took ISO strings (formatted, then parsed back): whole
 * milliseconds in years 1970-9999, every time the engine handles, come back unchanged.
 */
function asFormatted(ms: number): number {
  if (isCivil(ms)) return ms;
  const text = formatInstant(ms);
  const parsed = parseInstant(text);
  if (parsed === undefined) throw new RangeError(`not an ISO-8601 instant: ${JSON.stringify(text)}`);
  return parsed;
}

/** The budget day of an instant: the calendar date in the platform's zone, YYYY-MM-DD. */
export function budgetDay(now: number, config: PolicyConfig): string {
  return localDateTime(now, config.defaultTimezone).slice(0, 10);
}

/** The start of the next budget day (midnight in the platform's zone). */
export function nextBudgetDay(now: number, config: PolicyConfig): number {
  const local = wallTimeAt(now, config.defaultTimezone);
  return instantOfWallTime(addDays(local, 1, 0, 0), config.defaultTimezone, now + 1);
}

/** Budget keys by journey, then day: one string each, not a new one for each of a coupon decision's lookups. */
const budgetKeys = new Map<string, Map<string, string>>();

/** The key of a journey's budget day in PolicyInputs.budgets (and the runtime's maps of days). */
export function budgetKey(journeyId: string, day: string): string {
  const byDay = entryOf(budgetKeys, journeyId, newMap<string, string>);
  let key = byDay.get(day);
  if (key === undefined) {
    key = flat(`${journeyId}#${day}`);
    if (byDay.size >= 1_000) byDay.clear(); // bounded: a journey's days in flight are a few
    byDay.set(day, key);
  }
  return key;
}

/**
 * Whether the journey's budget has room for a coupon of `amount` today; with a budget, charges it to the
 * input's reservations. True when the journey has no budget.
 */
export function chargeBudget(
  request: { journey: CompiledJourney; couponId: string; runId: string; amount: number; now: number },
  state: PolicyState,
): boolean {
  const { journey, couponId, runId, amount, now } = request;
  const budget = journey.journey.policy.couponBudget;
  if (budget === undefined || state.inputs.charged?.has(couponId) === true) return true;
  const day = budgetDay(now, state.inputs.config);
  const key = budgetKey(journey.id, day);
  const read = state.inputs.budgets?.get(key);
  if (read === undefined && !state.wantsBudgets.some((b) => b.journeyId === journey.id && b.day === day)) {
    const { perDay, shards = 1 } = budget;
    state.wantsBudgets.push({ journeyId: journey.id, day, perDay, shards, couponId, amount });
  }
  const charged = state.charges.reduce(
    (sum, c) => (c.journeyId === journey.id && c.day === day ? sum + c.amount : sum),
    0,
  );
  if ((read ?? 0) + charged + amount > budget.perDay) return false;
  const shards = budget.shards === undefined || budget.shards === 1 ? {} : { shards: budget.shards };
  state.charges.push({ journeyId: journey.id, day, couponId, runId, amount, limit: budget.perDay, ...shards });
  return true;
}
