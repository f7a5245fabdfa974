import type { Journey } from "../language/schema.ts";
import { DAY_MS } from "../shared/time.ts";
import type { TestPlatform } from "./journey-test.ts";
import { isJourneyLine, type JourneyLine } from "./lines.ts";
import { simulate } from "./simulate.ts";

/**
 * The blast radius of a change (`nudge plan`): the same events replayed on the virtual clock through the journeys
 * before and after it, and what each changed journey did in each: entries, messages per step and channel, coupons
 * and their spend against the budget, frequency-cap collisions with the other journeys, quiet-hour deferrals and
 * conversions, over a window (the events' period).
 */

export interface ReplayFigures {
  entries: number;
  holdouts: number;
  /** Entries (holdouts too) per week of the window, the first week first. */
  entriesByWeek: number[];
  /** Messages sent per send step, as `<step> (<channel>/<template>)`. */
  messagesByStep: Record<string, number>;
  coupons: number;
  /** The coupons' value (amounts off), and per week of the window. */
  couponSpend: number;
  spendByWeek: number[];
  /** The most a day's coupons cost (UTC days), beside the journey's daily budget. */
  peakDaySpend: number;
  dailyBudget: number | undefined;
  quietHourDeferrals: number;
  /** This journey's messages a frequency cap deferred or suppressed. */
  capped: number;
  /** The other journeys' messages a frequency cap deferred or suppressed: collisions with this one show here. */
  cappedElsewhere: number;
  conversions: number;
}

export interface BlastRadius {
  journeyId: string;
  base: ReplayFigures | undefined;
  next: ReplayFigures | undefined;
}

export interface ReplayOptions {
  /** The events (NDJSON lines) both sides replay. */
  lines: readonly string[];
  /** The window the figures count: its start (weeks count from it) and its end (the replay stops there). */
  window: { start: number; end: number };
  base: TestPlatform;
  next: TestPlatform;
  /** The journeys whose figures are wanted (the changed ones). */
  journeyIds: readonly string[];
}

const WEEK_MS = 7 * DAY_MS;

export async function replayBlastRadius(options: ReplayOptions): Promise<BlastRadius[]> {
  const base = await replay(options.base, options);
  const next = await replay(options.next, options);
  return options.journeyIds.map((journeyId) => ({ journeyId, base: base.get(journeyId), next: next.get(journeyId) }));
}

/** `<channel>/<template>` to the send step that sends it, per journey: message lines do not name their step. */
function sendSteps(journeys: readonly Journey[]): Map<string, Map<string, string>> {
  const byJourney = new Map<string, Map<string, string>>();
  for (const journey of journeys) {
    const steps = byJourney.get(journey.id) ?? new Map<string, string>();
    for (const step of journey.steps) {
      if (step.type !== "send") continue;
      const label = `${step.channel}/${step.template}`;
      if (!steps.has(label)) steps.set(label, step.id);
    }
    byJourney.set(journey.id, steps);
  }
  return byJourney;
}

function emptyFigures(weeks: number, dailyBudget: number | undefined): ReplayFigures {
  return {
    entries: 0,
    holdouts: 0,
    entriesByWeek: new Array(weeks).fill(0),
    messagesByStep: {},
    coupons: 0,
    couponSpend: 0,
    spendByWeek: new Array(weeks).fill(0),
    peakDaySpend: 0,
    dailyBudget,
    quietHourDeferrals: 0,
    capped: 0,
    cappedElsewhere: 0,
    conversions: 0,
  };
}

async function replay(platform: TestPlatform, options: ReplayOptions): Promise<Map<string, ReplayFigures>> {
  const { window } = options;
  const weeks = Math.max(1, Math.ceil((window.end - window.start) / WEEK_MS));
  const wanted = new Set(options.journeyIds);
  const figures = new Map<string, ReplayFigures>();
  const spendByDay = new Map<string, Map<number, number>>();
  for (const journey of platform.journeys) {
    if (wanted.has(journey.id) && !figures.has(journey.id))
      figures.set(journey.id, emptyFigures(weeks, journey.policy.couponBudget?.perDay));
  }
  const steps = sendSteps(platform.journeys);
  let cappedInAll = 0;
  const count = (line: JourneyLine) => {
    const capped = (line.type === "message.deferred" || line.type === "message.suppressed") && line.reason === "capped";
    if (capped) cappedInAll++;
    const own = figures.get(line.journey);
    if (own === undefined) return;
    if (capped) own.capped++;
    const at = Date.parse(line.at);
    const week = Math.min(weeks - 1, Math.max(0, Math.floor((at - window.start) / WEEK_MS)));
    countLine({ line, own, week, steps: steps.get(line.journey) });
    if (line.type === "coupon.issued") {
      const amount = Number((line.coupon as { amountOff?: unknown } | undefined)?.amountOff ?? 0);
      const days = spendByDay.get(line.journey) ?? new Map<number, number>();
      const day = Math.floor(at / DAY_MS);
      days.set(day, (days.get(day) ?? 0) + amount);
      spendByDay.set(line.journey, days);
      own.spendByWeek[week] = (own.spendByWeek[week] ?? 0) + amount;
      own.couponSpend += amount;
    }
  };
  await simulate({
    journeys: platform.journeys,
    lines: options.lines,
    until: window.end,
    ...(platform.policies === undefined ? {} : { policies: platform.policies }),
    ...(platform.traits === undefined ? {} : { traits: platform.traits }),
    onLine: (line) => {
      if (isJourneyLine(line) && Date.parse(line.at) < window.end) count(line);
    },
  });
  for (const [journeyId, own] of figures) {
    own.cappedElsewhere = cappedInAll - own.capped;
    own.peakDaySpend = Math.max(0, ...(spendByDay.get(journeyId)?.values() ?? []));
  }
  return figures;
}

function countLine(args: {
  line: JourneyLine;
  own: ReplayFigures;
  week: number;
  steps: Map<string, string> | undefined;
}) {
  const { line, own, week, steps } = args;
  switch (line.type) {
    case "journey.entered":
    case "holdout":
      if (line.type === "holdout") own.holdouts++;
      own.entries++;
      own.entriesByWeek[week] = (own.entriesByWeek[week] ?? 0) + 1;
      return;
    case "message.sent": {
      const label = `${line.channel}/${line.template}`;
      const key = `${steps?.get(label) ?? "?"} (${label})`;
      own.messagesByStep[key] = (own.messagesByStep[key] ?? 0) + 1;
      return;
    }
    case "message.deferred":
      if (line.reason === "quiet-hours") own.quietHourDeferrals++;
      return;
    case "coupon.issued":
      own.coupons++;
      return;
    case "goal.converted":
      if (line.holdout !== true) own.conversions++;
      return;
    default:
      return;
  }
}
