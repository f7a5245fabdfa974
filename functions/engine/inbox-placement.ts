import { DEFAULT_INBOX_EXPIRY } from "../language/placement.ts";
import type { StepOf, TimeRef } from "../language/schema.ts";
import { atLocalTime } from "../shared/local-time.ts";
import { durationMs, formatInstant, parseInstant } from "../shared/time.ts";
import { readContextPath } from "./context.ts";
import type { InboxPlacement, Run } from "./model.ts";
import { zoneOf } from "./policies/decide.ts";
import type { StepContext } from "./step-context.ts";

/** A time read from the run's context plus its offset (or at a local time), in epoch ms; undefined when absent. */
export function resolveTime(ref: TimeRef, ctx: StepContext, run: Run): number | undefined {
  const base = parseInstant(readContextPath(ctx.journey, run, ctx.profile, ref.time));
  if (base === undefined) return undefined;
  const at = base + (ref.offset === undefined ? 0 : durationMs(ref.offset));
  if (ref.localTime === undefined) return at;
  return atLocalTime(
    at,
    { localTime: ref.localTime, days: ref.days ?? 0 },
    zoneOf(ctx.profile, ctx.policy.inputs.config),
  );
}

/**
 * An inbox send step's placement for this run: the earlier of `expiresAt` (a time in the run's context, such
 * as the coupon's expiry) and `expiresAfter` from now (P7D when the step gives neither), and the coupon
 * that withdraws it once redeemed. Undefined for a step of another channel; `{ expired }` when the message
 * would already be gone (its coupon expired), which suppresses it.
 */
export function inboxPlacementOf(
  run: Run,
  step: StepOf<"send">,
  ctx: StepContext,
): InboxPlacement | { expired: true } | undefined {
  const inbox = step.inbox;
  if (inbox === undefined) return undefined;
  const until: number[] = [];
  if (inbox.expiresAt !== undefined) {
    const at = resolveTime(inbox.expiresAt, ctx, run);
    if (at !== undefined) until.push(at);
  }
  if (inbox.expiresAfter !== undefined || until.length === 0) {
    until.push(ctx.now + durationMs(inbox.expiresAfter ?? DEFAULT_INBOX_EXPIRY));
  }
  const expiresAt = Math.min(...until);
  if (expiresAt <= ctx.now) return { expired: true };
  const coupon = inbox.coupon === undefined ? undefined : readContextPath(ctx.journey, run, ctx.profile, inbox.coupon);
  const placement = { placement: inbox.placement, priority: inbox.priority, expiresAt: formatInstant(expiresAt) };
  return typeof coupon === "string" && coupon !== "" ? { ...placement, couponId: coupon } : placement;
}
