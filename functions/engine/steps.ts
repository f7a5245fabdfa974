import type { ShopEvent } from "../../events/catalog.ts";
import type { StepOf } from "../language/schema.ts";
import { type ParsedTemplate, parseTemplate, pickLocale, renderParams, renderTemplate } from "../language/templates.ts";
import { unitInterval } from "../shared/hash.ts";
import { durationMs, formatInstant, parseInstant } from "../shared/time.ts";
import { runContext } from "./context.ts";
import { issueCoupon } from "./coupon-steps.ts";
import { inboxPlacementOf, resolveTime } from "./inbox-placement.ts";
import type { JourneyEffect, Run, SentMessage } from "./model.ts";
import type { PolicyDecision } from "./policies/decide.ts";
import { wechatVerdict } from "./policies/grants.ts";
import { goesAtItsPlace, messageId } from "./policies/reserve.ts";
import { decideMessage, staggered } from "./policy-state.ts";
import { setOutput } from "./run-records.ts";
import { effectBase, NUDGE_SOURCE, type StepContext, WAITING, waitAt } from "./step-context.ts";

export { effectBase, NUDGE_SOURCE, type StepContext, type StepOutput } from "./step-context.ts";

/** The outputs of every ended run: frozen, since nothing runs a step of an ended run. */
const NO_OUTPUTS: Record<string, unknown> = Object.freeze({});

/** Bounds the steps one input may run through; validation already rejects loops without a wait. */
const MAX_STEPS_PER_INPUT = 100;

/**
 * The run leaves the step it waits at without trying it again (it ends, or a migration moves it): its
 * pending wake-up is dropped, and a deferred message waiting there will not go, so its place in the caps is
 * given back. (Only a deferred message holds a place under the step visit a run waits at: a sent one moved
 * the run on.)
 */
export function leaveWaitingStep(run: Run, ctx: StepContext): void {
  if (run.wake !== undefined) releasePlace(ctx, logged(ctx, messageId(run.runId, run.seq))?.id);
  run.wake = undefined;
}

export function endRun(run: Run, ctx: StepContext, reason: string, event?: string): void {
  leaveWaitingStep(run, ctx);
  run.status = "ended";
  run.endedAt = formatInstant(ctx.now);
  run.exitReason = reason;
  run.stepId = undefined;
  // An ended run only converts goals and blocks re-entry: its context is dead weight in every store.
  run.trigger = undefined;
  run.event = undefined;
  run.coupon = undefined;
  run.outputs = NO_OUTPUTS;
  const { at, journey, version, user, run: runId, type, id } = effectBase(run, ctx.now, "exited", "journey.exited");
  ctx.out.effects.push(
    event === undefined
      ? { at, journey, version, user, run: runId, type, id, reason }
      : { at, journey, version, user, run: runId, type, id, reason, event },
  );
}

/** The user's logged send of this id, if the log was read and holds one. */
function logged(ctx: StepContext, id: string): SentMessage | undefined {
  return ctx.policy.inputs.sends?.find((sent) => sent.id === id);
}

/** The place the message a send step tries again held in the log while deferred; taken once an input. */
function takeHeldPlace(ctx: StepContext): SentMessage | undefined {
  const id = ctx.heldPlace;
  if (id === undefined) return undefined;
  ctx.heldPlace = undefined;
  return logged(ctx, id);
}

/** A held place (by id: one found in the log) the message will not take: off the log (PolicyOutcome). */
function releasePlace(ctx: StepContext, placeId: string | undefined): void {
  if (placeId !== undefined) ctx.policy.released.push(placeId);
}

function chooseVariant(run: Run, step: StepOf<"split">): string | undefined {
  const total = step.variants.reduce((sum, v) => sum + v.weight, 0);
  let point = unitInterval(`${run.runId}/${step.id}`) * total;
  for (const variant of step.variants) {
    point -= variant.weight;
    if (point < 0) {
      setOutput(run, step.id, { variant: variant.name });
      return variant.next;
    }
  }
  return step.variants.at(-1)?.next;
}

/** The message a send step would deliver now, or why it must not go out. */
function compose(
  run: Run,
  step: StepOf<"send">,
  ctx: StepContext,
): { locale: string; title?: string; text: string; params?: Record<string, string> } | { reason: string } {
  const texts = ctx.journey.template(step.template);
  const locale = pickLocale(texts?.locales ?? [], ctx.profile.locale);
  const template = texts?.byLocale.get(locale);
  if (template === undefined) return { reason: "template-missing" };
  try {
    const scope = runContext(ctx.journey, run, ctx.profile);
    const text = renderTemplate(template.body, scope);
    const message: { locale: string; title?: string; text: string; params?: Record<string, string> } =
      template.title === undefined ? { locale, text } : { locale, title: renderTemplate(template.title, scope), text };
    const params = texts?.params?.get(step.channel);
    if (params !== undefined) message.params = renderParams(params, scope);
    return message;
  } catch {
    // A value no template can show (a date filter on a non-date, say) holds this message back, not the run.
    return { reason: "template-error" };
  }
}

/**
 * A send step's message.suppressed effect, built as a literal (messages are the most frequent effect, and a
 * spread is several times slower), at module level: a closure per send costs an allocation, and more under
 * tsx, which names every closure it creates.
 */
function suppressedMessage(
  run: Run,
  step: StepOf<"send">,
  id: string,
  why: { at: string; reason: string; rule: string },
): JourneyEffect {
  return {
    at: why.at,
    journey: run.journeyId,
    version: run.version,
    user: run.userId,
    run: run.runId,
    type: "message.suppressed",
    id,
    channel: step.channel,
    template: step.template,
    reason: why.reason,
    rule: why.rule,
  };
}

/**
 * A send step: the platform's policies decide first (validity, consent, quiet hours, frequency caps); a
 * deferred message keeps the run waiting at this step until the time they allow, when it is decided
 * afresh; a message that goes is rendered and its send reserved against the caps.
 */
function send(run: Run, step: StepOf<"send">, ctx: StepContext): string | undefined | typeof WAITING {
  if (run.holdout) return step.next;
  const id = messageId(run.runId, run.seq);
  const place = takeHeldPlace(ctx);
  const validUntil = step.validUntil === undefined ? undefined : resolveTime(step.validUntil, ctx, run);
  const { profile, now, policy: state } = ctx;
  const ownPlace = place?.id;
  const verdict = decideMessage({
    journey: ctx.journey,
    step,
    messageId: id,
    ownPlace,
    profile,
    now,
    validUntil,
    state,
  });
  const at = formatInstant(ctx.now);
  if (verdict.action === "drop") {
    releasePlace(ctx, ownPlace);
    ctx.out.effects.push(suppressedMessage(run, step, id, { at, reason: verdict.reason, rule: verdict.rule }));
    return step.next;
  }
  if (verdict.action === "send" && ctx.policy.inputs.skipLate === true) {
    // Due during a pause, longer ago than the journey's whenResumed allows (held-messages.ts).
    releasePlace(ctx, ownPlace);
    ctx.out.effects.push(suppressedMessage(run, step, id, { at, reason: "paused-too-long", rule: "when-resumed" }));
    return step.next;
  }
  if (verdict.action === "defer") {
    releasePlace(ctx, ownPlace);
    deferMessage(run, step, ctx, { id, verdict, validUntil });
    return WAITING;
  }
  const message = compose(run, step, ctx);
  const inbox = inboxPlacementOf(run, step, ctx);
  if (inbox !== undefined && "expired" in inbox) {
    releasePlace(ctx, ownPlace);
    ctx.out.effects.push(suppressedMessage(run, step, id, { at, reason: "expired", rule: "inbox-expiry" }));
    return step.next;
  }
  if ("reason" in message) {
    releasePlace(ctx, ownPlace);
    ctx.out.effects.push(suppressedMessage(run, step, id, { at, reason: message.reason, rule: "template" }));
    return step.next;
  }
  // A subscribe message: WeChat's keyword rules, and a one-time grant to take (policies/grants.ts).
  const refused = wechatVerdict(
    { channel: step.channel, messageId: id, params: message.params },
    profile,
    state.grantsUsed,
  );
  if (refused !== undefined) {
    releasePlace(ctx, ownPlace);
    ctx.out.effects.push(suppressedMessage(run, step, id, { at, ...refused }));
    return step.next;
  }
  // Going at the place it held while deferred: that place stands for it, and the log is not written again.
  // An inbox message is pulled by the user on the shop's site: it takes no place in the caps.
  if (inbox === undefined && !goesAtItsPlace(place, now)) {
    releasePlace(ctx, ownPlace);
    state.reserved.push({ id, at, journeyId: run.journeyId, channel: step.channel, category: step.category });
  }
  const { journeyId: journey, version, userId: user, runId } = run;
  const { channel, template, category } = step;
  const { locale, title, text } = message;
  const type = "message.sent";
  // Two literals rather than a conditional spread (V8's slow path), `title` before `text` in both.
  const effect: JourneyEffect =
    title === undefined
      ? { at, journey, version, user, run: runId, type, id, channel, template, category, locale, text }
      : { at, journey, version, user, run: runId, type, id, channel, template, category, locale, title, text };
  if (message.params !== undefined && effect.type === "message.sent") effect.params = message.params;
  // The channel checks consent again at the last moment (email): it must know a service message needs it.
  if (step.consent === "required" && effect.type === "message.sent") effect.consent = "required";
  if (inbox !== undefined && effect.type === "message.sent") effect.inbox = inbox;
  ctx.out.effects.push(effect);
  return step.next;
}

/**
 * A message the policies defer: the run waits at its step until the time they allow (staggered by
 * priority, never past its validity), and the message holds its place in the caps for then, so that the
 * decision at its wake-up has nothing to write to the user's log.
 */
function deferMessage(
  run: Run,
  step: StepOf<"send">,
  ctx: StepContext,
  deferred: { id: string; verdict: Extract<PolicyDecision, { action: "defer" }>; validUntil: number | undefined },
): void {
  const { id, verdict, validUntil } = deferred;
  const until = parseInstant(verdict.until) ?? ctx.now;
  const wakeAt = staggered(until, ctx.journey);
  waitAt(run, step, validUntil !== undefined && wakeAt >= validUntil ? until : wakeAt);
  const wakesAt = run.wake?.at ?? verdict.until;
  const { journeyId: journey, version, userId: user, runId } = run;
  const { channel, template, category } = step;
  ctx.policy.reserved.push({ id, at: wakesAt, journeyId: journey, channel, category, held: true });
  const { reason, rule, heldBy } = verdict;
  const effect: Extract<JourneyEffect, { type: "message.deferred" }> = {
    at: formatInstant(ctx.now),
    journey,
    version,
    user,
    run: runId,
    type: "message.deferred",
    id,
    channel,
    template,
    until: wakesAt,
    reason,
    rule,
  };
  if (heldBy !== undefined) effect.heldBy = heldBy; // after the literal: a conditional spread is V8's slow path
  ctx.out.effects.push(effect);
}

/** Renders placeholders in the string values of a step's object (emit detail, profile attributes). */
function renderValues<T>(values: Record<string, T>, run: Run, ctx: StepContext): Record<string, T | string> {
  const scope = runContext(ctx.journey, run, ctx.profile);
  const rendered: Record<string, T | string> = {};
  for (const [name, value] of Object.entries(values)) {
    rendered[name] =
      typeof value === "string" && value.includes("{") ? renderTemplate(parseTemplateCached(value), scope) : value;
  }
  return rendered;
}

const inlineTemplates = new Map<string, ParsedTemplate>();
function parseTemplateCached(source: string): ParsedTemplate {
  let parsed = inlineTemplates.get(source);
  if (parsed === undefined) {
    parsed = parseTemplate(source);
    inlineTemplates.set(source, parsed);
  }
  return parsed;
}

function emit(run: Run, step: StepOf<"emit">, ctx: StepContext): string | undefined {
  const base = effectBase(run, ctx.now, "emit", "event.emitted");
  const event: ShopEvent = {
    id: base.id,
    source: NUDGE_SOURCE,
    "detail-type": step.detailType,
    time: base.at,
    detail: { userId: run.userId, ...renderValues(step.detail, run, ctx) },
  };
  ctx.out.effects.push({ ...base, event });
  ctx.out.events.push(event);
  return step.next;
}

function updateProfile(run: Run, step: StepOf<"update-profile">, ctx: StepContext): string | undefined {
  const attributes = renderValues(step.attributes, run, ctx);
  ctx.out.effects.push({ ...effectBase(run, ctx.now, "profile", "profile.updated"), attributes });
  // Later steps of this input see the change; the runtime writes it to the profile store.
  const changed = { ...ctx.profile.attributes };
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null) delete changed[name];
    else changed[name] = value;
  }
  ctx.profile = { ...ctx.profile, attributes: changed };
  ctx.profileChanged = true;
  return step.next;
}

/**
 * Runs a run from a step until it waits or ends. Each visited step raises `seq`, which makes effect ids
 * deterministic. The switch is exhaustive: a new step type fails to compile until it is handled here.
 * `retrying`: the run tries the step it waits at again (a deferred message, a held coupon); that step was
 * reached before, so it is not listed in `visited` twice and the funnel counts each run there once.
 */
export function runFrom(run: Run, first: string | undefined, ctx: StepContext, retrying = false): void {
  let stepId = first;
  for (let visits = 0; stepId !== undefined; visits++) {
    if (visits === MAX_STEPS_PER_INPUT) {
      endRun(run, ctx, "step-limit");
      return;
    }
    run.seq++;
    ctx.steps++;
    if (!retrying || visits > 0) ctx.visited.push(stepId);
    const step = ctx.journey.step(stepId);
    if (ctx.paused === true && (step.type === "send" || step.type === "issue-coupon")) {
      // Held by the pause, not at a deferred message's place: that place is given back.
      if (step.type === "send") releasePlace(ctx, takeHeldPlace(ctx)?.id);
      waitAt(run, step, ctx.now);
      return;
    }
    switch (step.type) {
      case "wait":
        waitAt(run, step, ctx.now + durationMs(step.for));
        return;
      case "wait-until": {
        const at = resolveTime(step, ctx, run);
        // A time already past, or missing from the run's data, continues at once.
        if (at !== undefined && at > ctx.now) {
          waitAt(run, step, at);
          return;
        }
        stepId = step.next;
        break;
      }
      case "wait-for-event": {
        const until =
          step.until === undefined ? ctx.now + durationMs(step.timeout ?? "PT0S") : resolveTime(step.until, ctx, run);
        // As a wait-until's: a time already past, or missing from the run's data, times out at once.
        if (until !== undefined && until > ctx.now) {
          waitAt(run, step, until);
          return;
        }
        stepId = step.onTimeout;
        break;
      }
      case "branch": {
        const document = runContext(ctx.journey, run, ctx.profile);
        const index = ctx.journey.conditions(step).findIndex((condition) => condition.matches(document));
        setOutput(run, step.id, { branch: index === -1 ? "otherwise" : index });
        stepId = index === -1 ? step.otherwise : step.branches[index]?.next;
        break;
      }
      case "split":
        stepId = chooseVariant(run, step);
        break;
      case "issue-coupon": {
        const next = issueCoupon(run, step, ctx);
        if (next === WAITING) return;
        stepId = next;
        break;
      }
      case "send": {
        const next = send(run, step, ctx);
        if (next === WAITING) return;
        stepId = next;
        break;
      }
      case "emit":
        stepId = emit(run, step, ctx);
        break;
      case "update-profile":
        stepId = updateProfile(run, step, ctx);
        break;
      case "exit":
        endRun(run, ctx, step.reason);
        return;
      default:
        assertNever(step);
    }
  }
  endRun(run, ctx, "completed");
}

function assertNever(step: never): never {
  throw new Error(`unhandled step type ${JSON.stringify((step as { type?: unknown }).type)}`);
}
