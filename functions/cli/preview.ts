/**
 * `nudge preview <journey> <step> --user <profile.json> [--trigger <event.json>] [--format text|json]`: the
 * message a send step renders for a user, as the engine would render it (engine/preview.ts): the journey is
 * validated as `nudge validate` does (its problems: exit 1), the run starts from the trigger event (by
 * default the catalog's sample of the journey's trigger, `events/samples/`, carrying the profile's user id)
 * at the event's time (an inactivity journey's: when the clock it started runs out), and the issue-coupon steps on the way to the send step issue their coupons first.
 * A journey, step, profile or event that cannot be used is a UsageError: exit 2.
 */
import { compileJourney } from "../engine/compile.ts";
import type { InboxPlacement } from "../engine/model.ts";
import { issuePreviewCoupon, type PreviewedMessage, previewRun, renderPreview } from "../engine/preview.ts";
import { didYouMean, listOf } from "../journey/checks/common.ts";
import { stepLinks } from "../journey/checks/links.ts";
import { formatProblem } from "../journey/load.ts";
import type { Journey, StepOf } from "../language/schema.ts";
import { SMS_PARAM_MAX_CHARACTERS, smsCharacters } from "../language/sms-rules.ts";
import {
  keywordProblem,
  WECHAT_CHANNEL,
  WECHAT_PAGE_PARAM,
  WECHAT_TEMPLATE_ID_PARAM,
} from "../language/wechat-rules.ts";
import { durationMs, parseInstant } from "../shared/time.ts";
import { formatOption, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { journeyFileFor, readProfile, readTrigger, triggerTypesOf } from "./preview-inputs.ts";
import { parseCommandArgs } from "./usage.ts";
import { validateNamedFiles } from "./validate.ts";

/** The issue-coupon steps on the shortest way from the start to a step, in the order a run meets them. */
export function couponStepsBefore(journey: Journey, stepId: string): StepOf<"issue-coupon">[] {
  const byId = new Map(journey.steps.map((step) => [step.id, step]));
  const cameFrom = new Map<string, string | undefined>([[journey.start, undefined]]);
  const queue = [journey.start];
  for (let id = queue.shift(); id !== undefined && id !== stepId; id = queue.shift()) {
    const step = byId.get(id);
    for (const link of step === undefined ? [] : stepLinks(step)) {
      if (link.target === undefined || cameFrom.has(link.target)) continue;
      cameFrom.set(link.target, id);
      queue.push(link.target);
    }
  }
  const issued: StepOf<"issue-coupon">[] = [];
  for (let id = cameFrom.get(stepId); id !== undefined; id = cameFrom.get(id)) {
    const step = byId.get(id);
    if (step?.type === "issue-coupon") issued.unshift(step);
  }
  return issued;
}

function sendStep(journey: Journey, stepId: string): StepOf<"send"> {
  const sends = journey.steps.filter((step) => step.type === "send").map((step) => step.id);
  const step = journey.steps.find((candidate) => candidate.id === stepId);
  if (step === undefined) {
    throw new UsageError(
      `journey "${journey.id}" has no step "${stepId}"${didYouMean(stepId, sends)}; its send steps: ${listOf(sends)}`,
    );
  }
  if (step.type !== "send") {
    throw new UsageError(
      `step "${stepId}" of journey "${journey.id}" is not a send step but ${/^[aeiou]/.test(step.type) ? "an" : "a"} ${step.type} step; preview renders send steps: ${listOf(sends)}`,
    );
  }
  return step;
}

function formatText(message: PreviewedMessage, profileLocale: string | undefined): string[] {
  const wanted = profileLocale === undefined ? "no locale in the profile" : `the profile's locale is ${profileLocale}`;
  return [
    `journey:  ${message.journey} v${message.version}, step ${message.step}, template ${message.template}`,
    `user:     ${message.user}`,
    `channel:  ${message.channel}`,
    `category: ${message.category}`,
    `locale:   ${message.locale} (${wanted})`,
    ...(message.inbox === undefined
      ? [...(message.title === undefined ? [] : [`title:    ${message.title}`]), `body:     ${message.text}`]
      : inboxLines({ ...message, inbox: message.inbox })),
    ...(message.channel === WECHAT_CHANNEL ? wechatLines(message.params) : paramLines(message.params)),
  ];
}

/** An inbox message as the shop's page shows it: where, in what order, until when, and the pop-up or card. */
function inboxLines(message: PreviewedMessage & { inbox: InboxPlacement }): string[] {
  const { placement, priority, expiresAt, couponId } = message.inbox;
  const until = [`until ${expiresAt}`, ...(couponId === undefined ? [] : [`or coupon ${couponId} is redeemed`])];
  const kind = placement.slice(0, placement.indexOf(":"));
  return [
    `placement: ${placement}, priority ${priority}`,
    `shows:    ${[...until, "or the user dismisses it"].join(", ")}`,
    `${kind}:`,
    "  ┌──────────",
    ...(message.title === undefined ? [] : [`  │ ${message.title}`]),
    ...message.text.split("\n").map((line) => `  │ ${line}`),
    "  └──────────",
  ];
}

/**
 * A WeChat subscribe message's template, page and keywords as WeChat would get them, one a line, with a
 * value WeChat would refuse (errcode 47003) marked: the message would be suppressed (wechat-data-invalid).
 */
function wechatLines(params: Record<string, string> | undefined): string[] {
  if (params === undefined) return ["wechat:   (the template has no wechat block: WeChat would refuse the message)"];
  const page = params[WECHAT_PAGE_PARAM];
  return [
    `wechat:   template ${params[WECHAT_TEMPLATE_ID_PARAM] ?? "(none)"}`,
    ...(page === undefined ? [] : [`page:     ${page}`]),
    ...Object.entries(params)
      .filter(([name]) => !name.startsWith("@"))
      .map(([name, value]) => {
        const problem = keywordProblem(name, value);
        return `keyword:  ${name} = ${value}${problem === undefined ? "" : ` (WeChat would refuse it: ${problem})`}`;
      }),
  ];
}

/** The provider's template parameters, one a line, with a value Alibaba Cloud SMS would refuse marked. */
function paramLines(params: Record<string, string> | undefined): string[] {
  if (params === undefined) return [];
  return Object.entries(params).map(([name, value]) => {
    const characters = smsCharacters(value);
    const tooLong = characters > SMS_PARAM_MAX_CHARACTERS;
    return `param:    ${name} = ${value}${tooLong ? ` (too long: ${characters} characters, ${SMS_PARAM_MAX_CHARACTERS} at most)` : ""}`;
  });
}

export async function previewCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("preview", args);
  const [journeyArg, stepArg, ...extra] = positional;
  if (journeyArg === undefined || stepArg === undefined)
    throw new UsageError("give a journey (id or file) and a step id");
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const userFile = values.get("user");
  if (userFile === undefined) throw new UsageError("--user <profile.json> is required");
  const format = formatOption(values);

  const file = await journeyFileFor(journeyArg, io.cwd);
  const { journeys, problems } = await validateNamedFiles([file], io.cwd);
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(formatProblem(problem));
    return ExitCode.failed;
  }
  const journey = journeys[0]?.journey;
  if (journey === undefined) throw new UsageError(`cannot load the journey ${file}`);
  const step = sendStep(journey, stepArg);
  const trigger = await readTrigger(values.get("trigger"), io.cwd, journey);
  if (!triggerTypesOf(journey).includes(trigger["detail-type"])) {
    throw new UsageError(
      `the trigger event's detail-type is ${trigger["detail-type"]}; journey "${journey.id}" starts on ${listOf(triggerTypesOf(journey))}`,
    );
  }
  const sampleUser = typeof trigger.detail.userId === "string" ? trigger.detail.userId : "u_preview";
  const profile = await readProfile(userFile, io.cwd, sampleUser);
  // The run is the profile's user's: a sample event carries a user of its own.
  const event = { ...trigger, detail: { ...trigger.detail, userId: profile.userId } };
  // A run enters at its trigger's time; an inactivity run when the clock its trigger started runs out.
  const inactivity = journey.trigger.type === "inactivity" ? durationMs(journey.trigger.for) : 0;
  const now = (parseInstant(event.time) ?? Date.now()) + inactivity;

  const compiled = compileJourney(journey);
  const run = previewRun(compiled, event, profile.userId, now);
  for (const couponStep of couponStepsBefore(journey, step.id))
    issuePreviewCoupon(compiled, couponStep, run, profile, now);
  const message = renderPreview(compiled, step, run, profile);
  if (format === "json") io.stdout(JSON.stringify(message, null, 2));
  else for (const line of formatText(message, profile.locale)) io.stdout(line);
  return ExitCode.ok;
}
