import { join } from "node:path";
import type { Journey, LocalizedText, StepOf, StepType } from "../../language/schema.ts";
import { parseTemplate, templateVariables } from "../../language/templates.ts";
import type { JourneyProblem } from "../problems.ts";
import { type CheckInput, type DefinedTraits, didYouMean, listOf, type Path, problemAt, quote } from "./common.ts";
import { type EventTypes, eventTypes, notAFieldOf, triggerTypes } from "./events.ts";
import { intendedGraph, stepsAfter, stepsById } from "./links.ts";
import { notATrait } from "./traits.ts";

/**
 * Placeholders that can never be filled: every path a template, a time reference or an emitted value reads
 * from the run's context `{ profile, trigger, event, steps, coupon, journey, run }` (engine/context.ts) must
 * name something that context can hold for this journey: `profile.traits.<name>` a trait the traits file beside
 * the journey defines (traits.ts).
 */

const ROOTS = ["profile", "trigger", "event", "steps", "coupon", "journey", "run"];
const ENVELOPE_FIELDS = ["id", "source", "time", "detail-type", "detail", "version", "account", "region", "resources"];
const PROFILE_FIELDS = [
  "userId",
  "registeredAt",
  "locale",
  "timezone",
  "channel",
  "email",
  "phone",
  "attributes",
  "consent",
  "orderCount",
  "totalSpent",
  "firstOrderAt",
  "lastOrderAt",
  // The computed traits (journeys/traits.json) and the segments the user is in (journeys/segments/).
  "traits",
  "segments",
];
const COUPON_FIELDS = ["couponId", "code", "amountOff", "currency", "freeShipping", "minSpend", "expiresAt"];
const JOURNEY_FIELDS = ["id", "version", "name"];
const RUN_FIELDS = ["id", "enteredAt", "key", "holdout"];
/** What a step records under `steps.<id>` (engine/steps.ts). */
const STEP_OUTPUTS: Partial<Record<StepType, readonly string[]>> = {
  "issue-coupon": COUPON_FIELDS,
  split: ["variant"],
  branch: ["branch"],
};

interface Scope {
  journey: Journey;
  types: EventTypes;
  triggerTypes: string[] | undefined;
  eventTypes: string[] | undefined;
  steps: ReturnType<typeof stepsById>;
  /** The send step a file template is checked for: its runs hold a coupon only after an issue-coupon step. */
  sendStep?: string;
  /** The steps a run may reach after an issue-coupon step. */
  afterCoupon: ReadonlySet<string>;
  /** What the traits file beside the journey defines; undefined: not known, `profile.traits.<name>` not checked. */
  traits: DefinedTraits | undefined;
}

function fieldOf(what: string, field: string, fields: readonly string[]): string | undefined {
  return fields.includes(field)
    ? undefined
    : `${quote(field)} is not a ${what} field${didYouMean(field, fields)}; ${what} fields: ${listOf(fields)}`;
}

function detailField(field: string, types: readonly string[] | undefined, known: EventTypes): string | undefined {
  if (types === undefined) return undefined; // an unpinned trigger is reported on its own
  const lists = types.map((type) => known.fields(type));
  if (lists.some((fields) => fields === undefined)) return undefined; // so is an unknown event type
  const fields = lists.flat() as string[];
  return fields.includes(field) ? undefined : notAFieldOf(field, types, fields);
}

/** Why a context path can never be filled, or undefined when it can. Checking stops at a computed segment. */
function unfillable(segments: readonly unknown[], scope: Scope): string | undefined {
  const end = segments.findIndex((segment) => typeof segment !== "string");
  const [root, first, second] = (end === -1 ? segments : segments.slice(0, end)) as (string | undefined)[];
  if (root === undefined) return undefined;
  switch (root) {
    case "profile":
      if (first === "traits" && second !== undefined && scope.traits !== undefined)
        return notATrait(second, scope.traits);
      return first === undefined ? undefined : fieldOf("profile", first, PROFILE_FIELDS);
    case "trigger":
    case "event": {
      if (first === undefined || (first === "detail" && second === undefined)) return undefined;
      if (first !== "detail") return fieldOf(`${root} event`, first, ENVELOPE_FIELDS);
      if (second === undefined) return undefined;
      return detailField(second, root === "trigger" ? scope.triggerTypes : scope.eventTypes, scope.types);
    }
    case "coupon":
      if (!scope.journey.steps.some((step) => step.type === "issue-coupon")) {
        return "the journey has no issue-coupon step, so a run has no coupon";
      }
      if (scope.sendStep !== undefined && !scope.afterCoupon.has(scope.sendStep)) {
        return `no issue-coupon step comes before step ${quote(scope.sendStep)}, so a run has no coupon there yet`;
      }
      return first === undefined ? undefined : fieldOf("coupon", first, COUPON_FIELDS);
    case "steps": {
      if (first === undefined) return undefined;
      const recording = scope.journey.steps
        .filter((step) => STEP_OUTPUTS[step.type] !== undefined)
        .map((step) => step.id);
      const step = scope.steps.get(first)?.step;
      if (step === undefined) {
        return `no step ${quote(first)}${didYouMean(first, recording)}; steps that record something (issue-coupon, split, branch): ${listOf(recording)}`;
      }
      const outputs = STEP_OUTPUTS[step.type];
      if (outputs === undefined) {
        return `step ${quote(first)} is a ${step.type} step, which records nothing; only issue-coupon, split and branch steps do`;
      }
      if (second === undefined || outputs.includes(second)) return undefined;
      return `${quote(second)} is not recorded by the ${step.type} step ${quote(first)}${didYouMean(second, outputs)}; it records ${listOf(outputs)}`;
    }
    case "journey":
      return first === undefined ? undefined : fieldOf("journey", first, JOURNEY_FIELDS);
    case "run":
      return first === undefined ? undefined : fieldOf("run", first, RUN_FIELDS);
    default:
      return `${quote(root)} is not in the run's context${didYouMean(root, ROOTS)}; a placeholder starts with ${listOf(ROOTS)}`;
  }
}

/** `trigger.detail.couponIds[0]`, with a computed segment shown as `[…]`. */
function display(segments: readonly unknown[]): string {
  return segments
    .map((segment, i) =>
      typeof segment === "number"
        ? `[${segment}]`
        : typeof segment === "string"
          ? i === 0
            ? segment
            : `.${segment}`
          : "[…]",
    )
    .join("");
}

/** Checks one text; `what` (e.g. `template "welcome" (its file), locale "en", body: `) prefixes each message. */
function checkText(text: string, path: Path, file: string, scope: Scope, what = ""): JourneyProblem[] {
  let variables: unknown[][];
  try {
    variables = templateVariables(parseTemplate(text));
  } catch (error) {
    return [problemAt(file, path, `Liquid syntax error: ${error instanceof Error ? error.message : String(error)}`)];
  }
  const problems = new Map<string, JourneyProblem>();
  for (const segments of variables) {
    const shown = display(segments);
    const reason = problems.has(shown) ? undefined : unfillable(segments, scope);
    if (reason !== undefined)
      problems.set(shown, problemAt(file, path, `${what}${quote(shown)} can never be filled: ${reason}`));
  }
  return [...problems.values()];
}

function checkPath(contextPath: string, path: Path, file: string, scope: Scope): JourneyProblem[] {
  const reason = unfillable(contextPath.split("."), scope);
  return reason === undefined ? [] : [problemAt(file, path, `${quote(contextPath)} can never be filled: ${reason}`)];
}

const holdsLiquid = (value: unknown): value is string =>
  typeof value === "string" && (value.includes("{{") || value.includes("{%"));

/** A template locale's texts by field: a plain text is the body. */
function fieldsOf(text: LocalizedText): ["title" | "body", string][] {
  if (typeof text === "string") return [["body", text]];
  return text.title === undefined
    ? [["body", text.body]]
    : [
        ["title", text.title],
        ["body", text.body],
      ];
}

/**
 * The template a send step names: an inline entry (its placeholders are checked with the journey's
 * templates), else a template file, whose placeholders are checked here, in this journey's context — the
 * same file may suit one journey's trigger and not another's, or one step and not another (a coupon exists
 * only after an issue-coupon step) — and reported on the step.
 */
function checkSendTemplate(step: StepOf<"send">, i: number, input: CheckInput, scope: Scope): JourneyProblem[] {
  const { file, journey, templateFiles = {}, templates } = input;
  const id = step.template;
  const path = ["steps", i, "template"];
  const templateFile = templateFiles[id];
  if (templateFile !== undefined) {
    const problems: JourneyProblem[] = [];
    for (const [locale, text] of Object.entries(journey.templates[id] ?? {})) {
      for (const [field, source] of fieldsOf(text)) {
        const what = `step ${quote(step.id)}, template ${quote(id)} (${templateFile}), locale ${quote(locale)}, ${field}: `;
        problems.push(...checkText(source, path, file, { ...scope, sendStep: step.id }, what));
      }
    }
    for (const [name, source] of Object.entries(journey.templateParams?.[id]?.[step.channel] ?? {})) {
      const what = `step ${quote(step.id)}, template ${quote(id)} (${templateFile}), ${step.channel} param ${quote(name)}: `;
      problems.push(...checkText(source, path, file, { ...scope, sendStep: step.id }, what));
    }
    return problems;
  }
  if (Object.hasOwn(journey.templates, id)) return [];
  const broken = templates?.broken.get(id);
  if (broken !== undefined) {
    return [problemAt(file, path, `template ${quote(id)} cannot be used: its file ${broken} has problems`)];
  }
  const inline = Object.keys(journey.templates).filter((templateId) => !Object.hasOwn(templateFiles, templateId));
  const known = [...new Set([...inline, ...(templates?.templates.keys() ?? [])])].sort();
  const where = templates === undefined ? "a template file" : `a file ${join(templates.dir, `${id}.json`)}`;
  return [
    problemAt(
      file,
      path,
      `unknown template ${quote(id)}${didYouMean(id, known)}: neither a "templates" entry nor ${where}; templates: ${listOf(known)}`,
    ),
  ];
}

/**
 * The steps a run may reach holding a coupon, on the graph as meant (links.ts intendedGraph); when a link
 * names no step at all, every step: which steps follow it is not known, so nothing is claimed.
 */
function couponSteps(journey: Journey): Set<string> {
  const intended = intendedGraph(journey);
  if (!intended.complete) return new Set(journey.steps.map((step) => step.id));
  return stepsAfter(intended.journey, "issue-coupon");
}

/** Send steps naming a template that is not there, and placeholders or context paths that can never be filled. */
export function checkPlaceholders(input: CheckInput, types: EventTypes): JourneyProblem[] {
  const { file, journey, templateFiles = {} } = input;
  const scope: Scope = {
    journey,
    types,
    triggerTypes: triggerTypes(journey),
    eventTypes: eventTypes(journey),
    steps: stepsById(journey),
    afterCoupon: couponSteps(journey),
    traits: input.traits,
  };
  const problems: JourneyProblem[] = [];
  journey.steps.forEach((step, i) => {
    switch (step.type) {
      case "send":
        problems.push(...checkSendTemplate(step, i, input, scope));
        if (step.validUntil)
          problems.push(...checkPath(step.validUntil.time, ["steps", i, "validUntil", "time"], file, scope));
        break;
      case "wait-until":
        problems.push(...checkPath(step.time, ["steps", i, "time"], file, scope));
        break;
      case "wait-for-event":
        if (step.until) problems.push(...checkPath(step.until.time, ["steps", i, "until", "time"], file, scope));
        for (const [field, path] of Object.entries(step.match ?? {}))
          problems.push(...checkPath(path, ["steps", i, "match", field], file, scope));
        break;
      case "emit":
      case "update-profile": {
        const field = step.type === "emit" ? "detail" : "attributes";
        const values: Record<string, unknown> = step.type === "emit" ? step.detail : step.attributes;
        for (const [name, value] of Object.entries(values)) {
          if (holdsLiquid(value)) problems.push(...checkText(value, ["steps", i, field, name], file, scope));
        }
        break;
      }
    }
  });
  for (const [templateId, texts] of Object.entries(journey.templates)) {
    if (Object.hasOwn(templateFiles, templateId)) continue; // checked with the steps that send it
    for (const [locale, text] of Object.entries(texts)) {
      const fields = fieldsOf(text);
      for (const [field, source] of fields) {
        const path =
          typeof text === "string" ? ["templates", templateId, locale] : ["templates", templateId, locale, field];
        problems.push(...checkText(source, path, file, scope));
      }
    }
  }
  return problems;
}
