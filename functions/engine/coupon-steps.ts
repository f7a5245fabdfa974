import type { StepOf } from "../language/schema.ts";
import { hashCode } from "../shared/hash.ts";
import { durationMs, flat, formatInstant } from "../shared/time.ts";
import { nudgeCouponId } from "./coupon-ids.ts";
import type { IssuedCoupon, Run } from "./model.ts";
import { chargeBudget, nextBudgetDay, staggered } from "./policy-state.ts";
import { setOutput } from "./run-records.ts";
import { effectBase, NUDGE_SOURCE, type StepContext, WAITING, waitAt } from "./step-context.ts";

/**
 * An issue-coupon step: charges the journey's coupon budget for the day and issues a coupon with an id that
 * names the journey version and step (coupon-ids.ts), an effect and a `coupon.issued` event for the bus; a
 * holdout run issues nothing, and a spent budget withholds it (withholdCoupon).
 */
export function issueCoupon(
  run: Run,
  step: StepOf<"issue-coupon">,
  ctx: StepContext,
): string | undefined | typeof WAITING {
  if (run.holdout) return step.next;
  const seed = `${run.runId}/${step.id}`;
  const issuer = { journeyId: run.journeyId, version: run.version, stepId: step.id };
  const couponId = flat(nudgeCouponId(issuer, seed));
  const charge = { journey: ctx.journey, couponId, runId: run.runId, amount: step.amountOff, now: ctx.now };
  if (!chargeBudget(charge, ctx.policy)) return withholdCoupon(run, step, ctx);
  const code = flat(`${step.codePrefix}${hashCode(seed, 8)}`);
  const { amountOff, currency, freeShipping, minSpend } = step;
  const expiresAt = formatInstant(ctx.now + durationMs(step.validFor));
  // Two literals rather than a conditional spread (V8's slow path), `minSpend` before `expiresAt` in both.
  const coupon: IssuedCoupon =
    minSpend === undefined
      ? { couponId, code, amountOff, currency, freeShipping, expiresAt }
      : { couponId, code, amountOff, currency, freeShipping, minSpend, expiresAt };
  run.coupon = coupon;
  setOutput(run, step.id, coupon);
  const { at, journey, version, user, run: runId, type, id } = effectBase(run, ctx.now, "coupon", "coupon.issued");
  const effect = { at, journey, version, user, run: runId, type, id, coupon };
  ctx.out.effects.push(effect);
  // Issued coupons go on the bus like any shop coupon, so other journeys (the expiry nudge) react to them.
  // The coupon's id names the issuing journey, version and step: a redemption counts for that journey.
  ctx.out.events.push({
    id: effect.id,
    source: NUDGE_SOURCE,
    "detail-type": "coupon.issued",
    time: effect.at,
    detail: { userId: run.userId, ...coupon, journeyId: run.journeyId, journeyVersion: run.version },
  });
  return step.next;
}

/**
 * The journey's coupon budget for the day is spent: the step issues nothing and the run goes on
 * (`skip-coupon`, with `steps.<id>.withheld` for a branch), or waits at the step for the next day (`hold`).
 */
function withholdCoupon(run: Run, step: StepOf<"issue-coupon">, ctx: StepContext): string | undefined | typeof WAITING {
  const budget = ctx.journey.journey.policy.couponBudget;
  const hold = budget?.whenExhausted === "hold";
  const until = hold ? staggered(nextBudgetDay(ctx.now, ctx.policy.inputs.config), ctx.journey) : undefined;
  const base = effectBase(run, ctx.now, "coupon-withheld", "coupon.withheld");
  ctx.out.effects.push({
    ...base,
    amountOff: step.amountOff,
    reason: "budget-exhausted",
    rule: "coupon-budget",
    ...(until === undefined ? {} : { until: formatInstant(until) }),
  });
  if (until === undefined) {
    setOutput(run, step.id, { withheld: "budget-exhausted" });
    return step.next;
  }
  waitAt(run, step, until);
  return WAITING;
}
