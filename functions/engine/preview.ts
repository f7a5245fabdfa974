import type { ShopEvent } from "../../events/catalog.ts";
import type { StepOf } from "../language/schema.ts";
import { type ParsedTemplate, pickLocale, renderTemplate } from "../language/templates.ts";
import { NudgeError } from "../shared/errors.ts";
import { flat, formatInstant, parseInstant } from "../shared/time.ts";
import type { CompiledJourney } from "./compile.ts";
import { runContext } from "./context.ts";
import { inboxPlacementOf } from "./inbox-placement.ts";
import type { InboxPlacement, IssuedCoupon, Profile, Run } from "./model.ts";
import { policyState } from "./policy-state.ts";
import { setOutput } from "./run-records.ts";
import { runFrom, type StepContext } from "./steps.ts";

/**
 * A send step's message for one user, rendered as the engine renders it but without running the journey
 * (`nudge preview`): the run it would be part of is built from the trigger, the coupons the issue-coupon
 * steps before it would issue are issued by the engine's own step code, and the template is picked and
 * rendered from the run's context as a send step does (steps.ts compose). Consent, validity and the send
 * policies are not applied: a preview shows the text, not whether it would go out.
 */

/** The message a send step renders: the fields of a `message.sent` effect, and the step. */
export interface PreviewedMessage {
  journey: string;
  version: number;
  user: string;
  step: string;
  channel: string;
  template: string;
  category: string;
  locale: string;
  title?: string;
  text: string;
  /** The provider's template parameters, rendered (a template file's `sms` block, on the channel `sms`). */
  params?: Record<string, string>;
  /** An inbox message's placement, priority and expiry (channel inbox), as the run would resolve them. */
  inbox?: InboxPlacement;
}

/** A template that fails to render for this user (a date filter given a non-date, say). */
export class TemplateRenderError extends NudgeError {}

/** The run a trigger starts, as the engine starts it (first entry, not held out), before any step. */
export function previewRun(journey: CompiledJourney, trigger: ShopEvent, userId: string, now: number): Run {
  const keyValue = journey.journey.key === "userId" ? userId : trigger.detail[journey.journey.key];
  const key = typeof keyValue === "string" ? keyValue : userId;
  return {
    runId: flat(`${journey.id}:${key}:1`),
    journeyId: journey.id,
    version: journey.version,
    key,
    userId,
    holdout: false,
    status: "active",
    enteredAt: formatInstant(now),
    seq: 0,
    trigger,
    outputs: {},
  };
}

/** A step context for one step alone, outside any input: no budget read (a day with budget left), no policies. */
function previewContext(journey: CompiledJourney, profile: Profile, now: number): StepContext {
  return {
    journey,
    profile,
    profileChanged: false,
    visited: [],
    now,
    out: { effects: [], events: [] },
    steps: 0,
    policy: policyState(undefined),
    heldPlace: undefined,
  };
}

/**
 * Runs an issue-coupon step of the run by the engine's own step code, alone (its `next` cut, so nothing
 * else runs), and records its coupon in the run as the engine does: `coupon` and `steps.<id>`.
 */
export function issuePreviewCoupon(
  journey: CompiledJourney,
  step: StepOf<"issue-coupon">,
  run: Run,
  profile: Profile,
  now: number,
): IssuedCoupon {
  const alone: CompiledJourney = { ...journey, step: () => ({ ...step, next: undefined }) };
  // The engine ends the run after the step (no next) and clears it: it runs on a copy, the coupon is in its effect.
  // The copy shares the run's outputs, which a step replaces rather than changes (setOutput).
  const copy: Run = { ...run };
  const ctx = previewContext(alone, profile, now);
  runFrom(copy, step.id, ctx);
  const issued = ctx.out.effects.find((effect) => effect.type === "coupon.issued");
  if (issued?.type !== "coupon.issued") throw new NudgeError(`step "${step.id}" issued no coupon`);
  run.seq = copy.seq;
  run.coupon = issued.coupon;
  setOutput(run, step.id, issued.coupon);
  return issued.coupon;
}

/** Renders the send step's template for the run and profile, picking the locale as a send step does. */
export function renderPreview(
  journey: CompiledJourney,
  step: StepOf<"send">,
  run: Run,
  profile: Profile,
): PreviewedMessage {
  const texts = journey.template(step.template);
  if (texts === undefined) throw new NudgeError(`journey "${journey.id}" has no template "${step.template}"`);
  const locale = pickLocale(texts.locales, profile.locale);
  const message = texts.byLocale.get(locale);
  if (message === undefined) throw new NudgeError(`template "${step.template}" has no "${locale}" text`);
  const scope = runContext(journey, run, profile);
  const render = (template: ParsedTemplate | undefined, field: string) => {
    if (template === undefined) return undefined;
    try {
      return renderTemplate(template, scope);
    } catch (error) {
      throw new TemplateRenderError(
        `template "${step.template}", locale "${locale}", ${field}: cannot render for user "${run.userId}": ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  };
  const title = render(message.title, "title");
  const parsedParams = texts.params?.get(step.channel);
  const params =
    parsedParams === undefined
      ? undefined
      : Object.fromEntries(parsedParams.map(([name, template]) => [name, render(template, `param ${name}`) ?? ""]));
  const now = parseInstant(run.enteredAt) ?? 0;
  const inbox = inboxPlacementOf(run, step, previewContext(journey, profile, now));
  return {
    journey: journey.id,
    version: journey.version,
    user: run.userId,
    step: step.id,
    channel: step.channel,
    template: step.template,
    category: step.category,
    locale,
    ...(title === undefined ? {} : { title }),
    text: render(message.body, "body") ?? "",
    ...(params === undefined ? {} : { params }),
    // An expiry already past (a coupon that expired) shows too: the preview says when, the run would suppress it.
    ...(inbox === undefined || "expired" in inbox ? {} : { inbox }),
  };
}
