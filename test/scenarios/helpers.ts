import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type PolicyConfig, parsePolicyConfig } from "../../functions/engine/policies/config.ts";
import { type TraitsFile, traitsFileSchema } from "../../functions/engine/traits/config.ts";
import {
  formatProblem,
  isJourneyFileName,
  POLICY_FILE,
  parseJourney,
  TRAITS_FILE,
} from "../../functions/journey/load.ts";
import { isTemplateFileName, resolveTemplates, templateLibrary } from "../../functions/journey/template-library.ts";
import { loadTraitsFile } from "../../functions/journey/traits-file.ts";
import type { Journey, StepOf, StepType } from "../../functions/language/schema.ts";
import { durationMs, formatInstant } from "../../functions/shared/time.ts";
import {
  formatLine,
  type SimulationLine,
  type SimulationOptions,
  type SimulationResult,
  simulate,
} from "../../functions/simulator/simulate.ts";
import { SHIPPED_JOURNEYS_DIR } from "../support/shipped-journeys.ts";

/**
 * Builders for scenario tests: timed events in (NDJSON lines, as `nudge simulate --events` reads them),
 * effect lines out (the simulator's output contract).
 */

/** The shipped journeys, in the order of their ids. */
export const SEED_JOURNEY_IDS = [
  "checkin-streak",
  "coupon-expiry-nudge",
  "dormancy-reactivation",
  "growth-tier-up",
  "member-day",
  "message-requested",
  "new-user-coupon",
  "onboarding-guide",
  "payment-failed",
  "post-promotion-review",
  "presale-balance",
  "presale-warmup",
] as const;

export type SeedJourneyId = (typeof SEED_JOURNEY_IDS)[number];

let seeds: Journey[] | undefined;

/**
 * Every journey in `journeys/*.json` (or the folder NUDGE_TEST_JOURNEYS names: test/support/shipped-journeys.ts),
 * every version of it kept there (`dormancy-reactivation.v1.json` beside `dormancy-reactivation.json`), parsed
 * and schema-checked, with the template files of `journeys/templates/` its send steps use (as the loader
 * resolves them). Throws with every problem found (a seed
 * journey that no longer parses must fail the suite, not silently drop out of it), and when a seed is missing.
 */
export function loadSeedJourneys(): Journey[] {
  if (seeds !== undefined) return seeds.map((journey) => structuredClone(journey));
  const files = readdirSync(SHIPPED_JOURNEYS_DIR).filter(isJourneyFileName).sort();
  const templateFiles = readdirSync(join(SHIPPED_JOURNEYS_DIR, "templates"))
    .filter(isTemplateFileName)
    .map((name) => ({ name, text: readFileSync(join(SHIPPED_JOURNEYS_DIR, "templates", name), "utf8") }));
  const library = templateLibrary("journeys/templates", templateFiles);
  const journeys: Journey[] = [];
  const problems: string[] = library.problems.map(formatProblem);
  for (const name of files) {
    const parsed = parseJourney(readFileSync(join(SHIPPED_JOURNEYS_DIR, name), "utf8"), `journeys/${name}`);
    problems.push(...parsed.problems.map(formatProblem));
    if (parsed.journey) journeys.push(resolveTemplates(parsed.journey, library).journey);
  }
  if (problems.length > 0) throw new Error(`the seed journeys do not load:\n${problems.join("\n")}`);
  const missing = SEED_JOURNEY_IDS.filter((id) => !journeys.some((journey) => journey.id === id));
  if (missing.length > 0) throw new Error(`seed journeys missing from journeys/: ${missing.join(", ")}`);
  seeds = journeys;
  return seeds.map((journey) => structuredClone(journey));
}

/**
 * Every version of one seed journey kept in the folder, oldest first (fresh copies, safe to edit in a test): the
 * last is the current one, the others are kept for the runs in flight (docs/operations.md, "Changing a journey").
 */
export function seedJourneyVersions(id: SeedJourneyId): Journey[] {
  const versions = loadSeedJourneys()
    .filter((j) => j.id === id)
    .sort((a, b) => a.version - b.version);
  if (versions.length === 0) throw new Error(`no seed journey "${id}"`);
  return versions;
}

/** One seed journey, its current (highest) version (a fresh copy, safe to edit in a test). */
export function seedJourney(id: SeedJourneyId): Journey {
  return seedJourneyVersions(id).at(-1) as Journey;
}

/**
 * What the shipped dormancy-reactivation promises, read from its file (an operations person may change any of
 * it): how long a user must go without an order, the coupon issued then, the first message, the wait before
 * the reminder and the reminder. `coupon` is the usual coupon, the one a user no branch condition picks out
 * gets; `branchCoupons` are the coupons of the start's branches (version 2: big spenders), each with its
 * condition. Of another version when given one (a version kept for its runs in flight). Throws when the journey
 * no longer has that shape.
 */
export function dormancyPromise(journey: Journey = seedJourney("dormancy-reactivation")) {
  if (journey.trigger.type !== "inactivity") throw new Error(`${journey.id}: expected an inactivity trigger`);
  const stepsOf = <T extends StepType>(type: T) =>
    journey.steps.filter((step): step is StepOf<T> => step.type === type);
  const couponStep = (id: string | undefined) => {
    const step = stepsOf("issue-coupon").find((candidate) => candidate.id === id);
    if (step === undefined) throw new Error(`${journey.id}: expected step ${id} to issue a coupon`);
    return step;
  };
  const start = journey.steps.find((step) => step.id === journey.start);
  const coupon = couponStep(start?.type === "branch" ? start.otherwise : start?.id);
  const branchCoupons =
    start?.type === "branch"
      ? start.branches.map((branch) => ({ condition: branch.condition, coupon: couponStep(branch.next) }))
      : [];
  const [wait] = stepsOf("wait");
  const [firstMessage, reminder] = stepsOf("send");
  if (wait === undefined || firstMessage === undefined || reminder === undefined) {
    throw new Error(`${journey.id}: expected a coupon, a message, a wait and a reminder`);
  }
  return {
    journey,
    /** The trigger's `for`: "P30D" as shipped. */
    idle: journey.trigger.for,
    idleMs: durationMs(journey.trigger.for),
    coupon,
    branchCoupons,
    firstMessage,
    /** From entry to the reminder: "P7D" as shipped. */
    reminderAfter: wait.for,
    reminderMs: durationMs(wait.for),
    reminder,
  };
}

/** The platform's policies as journeys/policy.json declares them. */
export function platformPolicies(): PolicyConfig {
  return parsePolicyConfig(JSON.parse(readFileSync(join(SHIPPED_JOURNEYS_DIR, POLICY_FILE), "utf8")));
}

/** The platform's computed traits with the segments beside them (journeys/traits.json, journeys/segments/). */
export async function platformTraits(): Promise<TraitsFile> {
  const loaded = await loadTraitsFile(SHIPPED_JOURNEYS_DIR);
  if (loaded.traits === undefined) throw new Error(loaded.problems.map(formatProblem).join("\n"));
  return loaded.traits;
}

/**
 * The platform's computed traits alone, as journeys/traits.json declares them (none when the folder has no such
 * file): what the journeys read as `profile.traits.<name>`, the scenarios' default (platformTraits adds the segments).
 */
export function platformTraitsFile(): TraitsFile | undefined {
  const path = join(SHIPPED_JOURNEYS_DIR, TRAITS_FILE);
  if (!existsSync(path)) return undefined;
  return traitsFileSchema.parse(JSON.parse(readFileSync(path, "utf8")));
}

/** A journey written in a test, parsed and schema-checked like a journey file; throws on any problem. */
export function journeyFrom(definition: Record<string, unknown>): Journey {
  const file = `test journey ${String(definition.id)}`;
  const parsed = parseJourney(JSON.stringify(definition), file);
  if (parsed.journey === undefined) throw new Error(parsed.problems.map(formatProblem).join("\n"));
  return parsed.journey;
}

/** The detail fields that make a default event id unique enough: the keys journeys run by. */
const ID_FIELDS = ["userId", "orderId", "couponId", "promotionId", "channel"] as const;

/** The id `event()` gives an event when the test does not name one: readable and deterministic. */
export function defaultEventId(type: string, time: string, detail: Record<string, unknown>): string {
  const keys = ID_FIELDS.map((field) => detail[field]).filter((value) => typeof value === "string");
  return [type, ...keys, time].join("/");
}

/** One NDJSON line: a shop event of the given detail-type at a UTC ISO time. */
export function event(type: string, time: string, detail: Record<string, unknown>, id?: string): string {
  return JSON.stringify({
    version: "0",
    id: id ?? defaultEventId(type, time, detail),
    "detail-type": type,
    source: "shop",
    time,
    detail,
  });
}

const UNITS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;

/** A user registering on 20 November 2026 in a zone (zh-CN): the audience of the December campaigns' scenarios. */
export function registeredNov20(userId: string, timezone: string): string {
  return event("user.registered", "2026-11-20T02:00:00Z", { userId, locale: "zh-CN", timezone }, `reg-${userId}`);
}

/** The user adds to cart on 28 November 2026: in cart-or-favorite-30d through December. */
export function cartAddedNov28(userId: string): string {
  const detail = { userId, productId: "p_1", quantity: 1, price: 199 };
  return event("cart.item_added", "2026-11-28T02:00:00Z", detail, `cart-${userId}`);
}

/** A UTC ISO time plus an offset, in the engine's canonical form (no milliseconds when they are zero). */
export function plus(time: string, offset: { d?: number; h?: number; m?: number; s?: number }): string {
  let ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`not an ISO time: ${time}`);
  for (const [unit, size] of Object.entries(UNITS)) ms += (offset[unit as keyof typeof UNITS] ?? 0) * size;
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

/** A UTC ISO time plus an ISO-8601 duration as journeys write them ("P30D", "-PT24H"), in the engine's form. */
export function plusDuration(time: string, duration: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`not an ISO time: ${time}`);
  return formatInstant(ms + durationMs(duration));
}

export interface RunOptions {
  /** Default: the seed journeys. */
  journeys?: readonly Journey[];
  /** Run on to this UTC ISO time; default: the simulator's (60 days after the last event). */
  until?: string;
  store?: SimulationOptions["store"];
  /** Default: the platform's policy file, journeys/policy.json. */
  policies?: PolicyConfig;
  /** Default: the platform's computed traits, journeys/traits.json, without the segments (platformTraits); null: none. */
  traits?: TraitsFile | null;
}

export interface Outcome extends SimulationResult {
  /** The output exactly as `nudge simulate` prints it: one JSON object a line. */
  text: string;
  /** The lines of one type (or of several), optionally of one journey only. */
  linesOf(type: string | readonly string[], journey?: string): SimulationLine[];
  /** Every line of one journey. */
  journey(id: string): SimulationLine[];
}

/** Simulates the event lines through the journeys (the seed journeys unless given). */
export async function run(lines: readonly string[], options: RunOptions = {}): Promise<Outcome> {
  const result = await simulate({
    journeys: options.journeys ?? loadSeedJourneys(),
    lines,
    ...(options.until === undefined ? {} : { until: Date.parse(options.until) }),
    ...(options.store === undefined ? {} : { store: options.store }),
    policies: options.policies ?? platformPolicies(),
    ...traitsOption(options.traits === undefined ? platformTraitsFile() : (options.traits ?? undefined)),
  });
  return {
    ...result,
    text: result.lines.map(formatLine).join("\n"),
    linesOf: (type, journey) => linesOf(result.lines, type, journey),
    journey: (id) => result.lines.filter((line) => line.journey === id),
  };
}

function traitsOption(traits: TraitsFile | undefined): { traits?: TraitsFile } {
  return traits === undefined ? {} : { traits };
}

/** Filters output lines by type (one or several) and, optionally, journey. */
export function linesOf(
  lines: readonly SimulationLine[],
  type: string | readonly string[],
  journey?: string,
): SimulationLine[] {
  const types: readonly string[] = typeof type === "string" ? [type] : type;
  return lines.filter((line) => types.includes(line.type) && (journey === undefined || line.journey === journey));
}

/** The fields a scenario asserts exactly: when, which journey and run, what; the message template; why. */
export type Brief = {
  at: string;
  journey: string;
  run: string;
  type: string;
  template?: unknown;
  reason?: unknown;
  event?: unknown;
};

/**
 * Projects lines onto the fields scenarios compare with toEqual: at, journey, run, type, and template,
 * reason and event when the line has them. Coupon details and message texts are asserted separately.
 */
export function brief(lines: readonly SimulationLine[]): Brief[] {
  return lines.map((line) => ({
    at: line.at,
    journey: line.journey ?? "",
    run: String(line.run ?? ""),
    type: line.type,
    ...("template" in line ? { template: line.template } : {}),
    ...("reason" in line ? { reason: line.reason } : {}),
    ...("event" in line ? { event: line.event } : {}),
  }));
}

/** The one line of a type (of a journey): fails the test when there is none or more than one. */
export function only(lines: readonly SimulationLine[], type: string, journey?: string): SimulationLine {
  const found = linesOf(lines, type, journey);
  if (found.length !== 1) {
    throw new Error(
      `expected exactly one ${type} line${journey ? ` of ${journey}` : ""}, found ${found.length}:\n${found.map(formatLine).join("\n")}`,
    );
  }
  return found[0] as SimulationLine;
}

/** A coupon as coupon.issued lines carry it. */
export type IssuedCoupon = { couponId: string; code: string; expiresAt: string } & Record<string, unknown>;

/** The coupon of a coupon.issued line. */
export function couponOf(line: SimulationLine): IssuedCoupon {
  const coupon = line.coupon as Partial<IssuedCoupon> | undefined;
  if (typeof coupon?.couponId !== "string" || typeof coupon.code !== "string" || typeof coupon.expiresAt !== "string") {
    throw new Error(`not a coupon.issued line with a coupon: ${formatLine(line)}`);
  }
  return coupon as IssuedCoupon;
}

/** The line a run keyed by `key` (its first entry) makes, as scenarios compare them: `line(at, key, type, extra)`. */
export function keyedLines(journey: string) {
  return (at: string, key: string, type: string, extra: Record<string, unknown> = {}) => ({
    at,
    journey,
    run: `${journey}:${key}:1`,
    type,
    ...extra,
  });
}
