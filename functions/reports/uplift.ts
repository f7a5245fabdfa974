/**
 * The uplift of a journey: did its treatment group convert more than its holdout group, which the journey
 * left alone? Pure arithmetic on four counts, so that tests check it against figures worked out by hand.
 */

/** Each group needs at least this many entrants before the normal approximation is trusted. */
export const MIN_GROUP_SIZE = 30;
/** ...and at least this many conversions and this many non-conversions (the "np ≥ 5" rule). */
export const MIN_OUTCOMES = 5;
/** The two-sided 95% quantile of the standard normal distribution. */
const Z_95 = 1.959963984540054;

export const UPLIFT_METHOD = "Wald interval (normal approximation) for the difference of two proportions";

export const TOO_SMALL_RULE = `each group needs at least ${MIN_GROUP_SIZE} entrants, and at least ${MIN_OUTCOMES} conversions and ${MIN_OUTCOMES} non-conversions`;

export interface UpliftInput {
  treatment: { entered: number; converted: number };
  holdout: { entered: number; converted: number };
  /** The value of the treatment group's coupons that were redeemed (holdout users get no coupons). */
  couponValueRedeemed: number;
}

/**
 * `uplift`: the interval is above 0; `negative`: below 0; `inconclusive`: it includes 0; `too-small`:
 * the groups are too small for the interval to mean anything (see TOO_SMALL_RULE); `no-holdout`: nobody
 * was held out, so there is nothing to compare with.
 */
export type Verdict = "uplift" | "negative" | "inconclusive" | "too-small" | "no-holdout";

export interface Uplift {
  treatment: { entered: number; converted: number; rate: number | undefined };
  holdout: { entered: number; converted: number; rate: number | undefined };
  /** Treatment rate minus holdout rate (a fraction: 0.05 is 5 percentage points). */
  difference?: number;
  /** Its 95% confidence interval, by UPLIFT_METHOD. */
  interval?: { low: number; high: number };
  /** The conversions the journey added: difference × treatment entrants. */
  incrementalConversions?: number;
  couponValueRedeemed: number;
  /** Coupon value redeemed by the treatment group per incremental conversion; absent unless incremental > 0. */
  costPerIncrementalConversion?: number;
  verdict: Verdict;
  /** The verdict in one plain sentence, with the rule it applied. */
  explanation: string;
}

const rateOf = (converted: number, entered: number) => (entered > 0 ? converted / entered : undefined);
const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const points = (fraction: number) => `${fraction >= 0 ? "+" : ""}${(100 * fraction).toFixed(1)}`;

/** Why the groups are too small to conclude, or undefined when they are big enough. */
function tooSmall(input: UpliftInput): string | undefined {
  const problems: string[] = [];
  for (const [name, group] of [
    ["treatment", input.treatment],
    ["holdout", input.holdout],
  ] as const) {
    if (group.entered < MIN_GROUP_SIZE) problems.push(`the ${name} group has ${counted(group.entered, "entrant")}`);
    else if (group.converted < MIN_OUTCOMES)
      problems.push(`the ${name} group has ${counted(group.converted, "conversion")}`);
    else if (group.entered - group.converted < MIN_OUTCOMES)
      problems.push(`the ${name} group has ${counted(group.entered - group.converted, "non-conversion")}`);
  }
  return problems.length === 0 ? undefined : `${problems.join(" and ")}; ${TOO_SMALL_RULE}`;
}

export function uplift(input: UpliftInput): Uplift {
  const { treatment, holdout, couponValueRedeemed } = input;
  const p1 = rateOf(treatment.converted, treatment.entered);
  const p0 = rateOf(holdout.converted, holdout.entered);
  const groups = {
    treatment: { ...treatment, rate: p1 },
    holdout: { ...holdout, rate: p0 },
    couponValueRedeemed,
  };
  if (p1 === undefined || p0 === undefined) {
    return {
      ...groups,
      verdict: "no-holdout",
      explanation:
        p1 === undefined && p0 === undefined
          ? "Nobody entered the journey in this range."
          : p0 === undefined
            ? "No holdout group: without users the journey left alone there is nothing to measure uplift against."
            : "Nobody entered the treatment group.",
    };
  }
  const difference = p1 - p0;
  const se = Math.sqrt((p1 * (1 - p1)) / treatment.entered + (p0 * (1 - p0)) / holdout.entered);
  const interval = { low: difference - Z_95 * se, high: difference + Z_95 * se };
  const incrementalConversions = difference * treatment.entered;
  const measured = {
    ...groups,
    difference,
    interval,
    incrementalConversions,
    ...(incrementalConversions > 0
      ? { costPerIncrementalConversion: couponValueRedeemed / incrementalConversions }
      : {}),
  };
  const range = `${points(interval.low)} to ${points(interval.high)} percentage points`;
  const small = tooSmall(input);
  if (small !== undefined)
    return { ...measured, verdict: "too-small", explanation: `Too small to conclude: ${small}.` };
  if (interval.low > 0)
    return {
      ...measured,
      verdict: "uplift",
      explanation: `The journey raised conversion: the 95% interval of the difference, ${range}, is above 0.`,
    };
  if (interval.high < 0)
    return {
      ...measured,
      verdict: "negative",
      explanation: `The journey lowered conversion: the 95% interval of the difference, ${range}, is below 0.`,
    };
  return {
    ...measured,
    verdict: "inconclusive",
    explanation: `Not conclusive: the 95% interval of the difference, ${range}, includes 0.`,
  };
}
