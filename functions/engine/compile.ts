import { type CompiledPattern, compilePattern } from "../language/pattern/index.ts";
import type { Journey, LocalizedText, Step, StepOf } from "../language/schema.ts";
import { type ParsedTemplate, parseTemplate } from "../language/templates.ts";
import { durationMs } from "../shared/time.ts";

/** One locale of a template, parsed: the body, and the title when the template has one. */
export interface ParsedMessage {
  readonly title?: ParsedTemplate;
  readonly body: ParsedTemplate;
}

/** Parses one locale of a template: a plain text (an inline template) is the body. */
function parseMessage(text: LocalizedText): ParsedMessage {
  if (typeof text === "string") return { body: parseTemplate(text) };
  const body = parseTemplate(text.body);
  return text.title === undefined ? { body } : { title: parseTemplate(text.title), body };
}

/**
 * A journey version prepared for running: patterns compiled, templates parsed, durations in ms, steps
 * indexed by id. Built once per journey version, then shared by every run of it.
 */
export interface CompiledJourney {
  readonly journey: Journey;
  readonly id: string;
  readonly version: number;
  /** The journey as the run context shows it: `{id, version, name}`, built once. */
  readonly summary: { readonly id: string; readonly version: number; readonly name: string };
  step(id: string): Step;
  readonly trigger: CompiledPattern;
  /** For inactivity journeys: the events that restart the clock. */
  readonly clockEvents: readonly CompiledPattern[];
  readonly inactivityMs: number;
  readonly exitOn: readonly CompiledPattern[];
  readonly goal?: { pattern: CompiledPattern; withinMs: number };
  readonly audience?: CompiledPattern;
  readonly holdoutFraction: number;
  pattern(step: StepOf<"wait-for-event">): CompiledPattern;
  conditions(step: StepOf<"branch">): readonly CompiledPattern[];
  template(
    templateId: string,
  ): { locales: readonly string[]; byLocale: ReadonlyMap<string, ParsedMessage> } | undefined;
  /** The detail-types this journey listens to, or "any" when a pattern does not pin them down. */
  readonly detailTypes: ReadonlySet<string> | "any";
  /** The journey names `traits` (an audience, a condition, a template): its decisions see the trait values. */
  readonly readsTraits: boolean;
}

/** The exact detail-types a pattern accepts, or undefined when it accepts others too. */
export function patternDetailTypes(pattern: Record<string, unknown>): string[] | undefined {
  const values = pattern["detail-type"];
  if (Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === "string")) return values;
  const alternatives = pattern.$or;
  if (Array.isArray(alternatives)) {
    const all = alternatives.map((alt) => patternDetailTypes(alt as Record<string, unknown>));
    if (all.every((types) => types !== undefined)) return all.flat();
  }
  return undefined;
}

/**
 * A schedule trigger's pattern: no event starts a campaign's run (its occurrences do, once the engine runs
 * schedules), so it matches nothing.
 */
const NO_EVENT: CompiledPattern = Object.freeze({ pattern: {}, matches: () => false });

/**
 * The detail-types the journey listens to: its trigger's, exits', goal's and waits'. A schedule-triggered
 * journey (a campaign) listens to none: it is never entered by an event, and until the engine runs its
 * schedules it has no runs for an exit, a goal or a wait to reach. The engine part that enters its runs
 * must route those (its exitOn, goal and wait-for-event patterns) here.
 */
function listenedTypes(journey: Journey): ReadonlySet<string> | "any" {
  const trigger = journey.trigger;
  if (trigger.type === "schedule") return new Set();
  const listened: Record<string, unknown>[] = [
    ...(trigger.type === "event"
      ? [trigger.pattern]
      : [trigger.absent, ...(trigger.countFrom ? [trigger.countFrom] : [])]),
    ...journey.exitOn,
    ...(journey.goal ? [journey.goal.pattern] : []),
    ...journey.steps.flatMap((step) => (step.type === "wait-for-event" ? [step.pattern] : [])),
  ];
  const typeLists = listened.map(patternDetailTypes);
  return typeLists.some((types) => types === undefined) ? "any" : new Set(typeLists.flat() as string[]);
}

export function compileJourney(journey: Journey): CompiledJourney {
  const steps = new Map(journey.steps.map((step) => [step.id, step]));
  const waitPatterns = new Map<string, CompiledPattern>();
  const branchConditions = new Map<string, CompiledPattern[]>();
  for (const step of journey.steps) {
    if (step.type === "wait-for-event") waitPatterns.set(step.id, compilePattern(step.pattern));
    if (step.type === "branch")
      branchConditions.set(
        step.id,
        step.branches.map((b) => compilePattern(b.condition)),
      );
  }
  const templates = new Map<string, { locales: string[]; byLocale: Map<string, ParsedMessage> }>();
  for (const [templateId, texts] of Object.entries(journey.templates)) {
    const byLocale = new Map(Object.entries(texts).map(([locale, text]) => [locale, parseMessage(text)]));
    templates.set(templateId, { locales: [...byLocale.keys()], byLocale });
  }

  const trigger = journey.trigger;
  const detailTypes = listenedTypes(journey);

  return {
    journey,
    id: journey.id,
    version: journey.version,
    summary: Object.freeze({ id: journey.id, version: journey.version, name: journey.name }),
    step(id) {
      const step = steps.get(id);
      // Validation guarantees every link resolves; a miss here is a bug, not bad input.
      if (step === undefined) throw new Error(`journey ${journey.id} v${journey.version} has no step "${id}"`);
      return step;
    },
    trigger:
      trigger.type === "schedule"
        ? NO_EVENT
        : compilePattern(trigger.type === "event" ? trigger.pattern : trigger.absent),
    clockEvents:
      trigger.type === "inactivity"
        ? [compilePattern(trigger.absent), ...(trigger.countFrom ? [compilePattern(trigger.countFrom)] : [])]
        : [],
    inactivityMs: trigger.type === "inactivity" ? durationMs(trigger.for) : 0,
    exitOn: journey.exitOn.map((pattern) => compilePattern(pattern)),
    ...(journey.goal
      ? { goal: { pattern: compilePattern(journey.goal.pattern), withinMs: durationMs(journey.goal.within) } }
      : {}),
    ...(journey.audience ? { audience: compilePattern(journey.audience) } : {}),
    holdoutFraction: journey.holdoutPercent / 100,
    pattern: (step) => waitPatterns.get(step.id) ?? compilePattern(step.pattern),
    conditions: (step) => branchConditions.get(step.id) ?? [],
    template: (templateId) => templates.get(templateId),
    detailTypes,
    // Conservative: a name that merely contains "traits" costs a computation, never a wrong value.
    readsTraits: JSON.stringify(journey).includes("traits"),
  };
}
