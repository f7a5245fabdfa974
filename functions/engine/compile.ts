import type { ShopEvent } from "../../events/catalog.ts";
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

/** A provider's template parameters, parsed: the name and its Liquid text, in the order written. */
export type ParsedParams = readonly (readonly [name: string, template: ParsedTemplate])[];

/** A template, parsed: its texts by locale, and its provider parameters by channel (journey `templateParams`). */
export interface CompiledTemplate {
  readonly locales: readonly string[];
  readonly byLocale: ReadonlyMap<string, ParsedMessage>;
  readonly params?: ReadonlyMap<string, ParsedParams>;
}

/** Parses a template's provider parameters, by channel. */
function parseChannelParams(
  byChannel: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined,
): ReadonlyMap<string, ParsedParams> | undefined {
  if (byChannel === undefined) return undefined;
  const parsed = Object.entries(byChannel).map(
    ([channel, params]) =>
      [channel, Object.entries(params).map(([name, text]) => [name, parseTemplate(text)] as const)] as const,
  );
  return new Map(parsed);
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
  template(templateId: string): CompiledTemplate | undefined;
  /** The detail-types this journey listens to, or "any" when a pattern does not pin them down. */
  readonly detailTypes: ReadonlySet<string> | "any";
  /**
   * Whether the event matches any pattern the journey listens with (trigger or inactivity clock, exits, goal,
   * waits): one that matches none can change none of its records, whatever they hold (decideEvent).
   */
  matters(event: ShopEvent): boolean;
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
 * The detail-types the journey listens to: its trigger's (none for a campaign, entered by its schedule's
 * occurrences), its exits', goal's and waits'.
 */
function listenedTypes(patterns: readonly CompiledPattern[]): ReadonlySet<string> | "any" {
  const typeLists = patterns.map((compiled) => patternDetailTypes(compiled.pattern));
  return typeLists.some((types) => types === undefined) ? "any" : new Set(typeLists.flat() as string[]);
}

/**
 * The detail-types that alone make one of the patterns match: those of patterns that test nothing else (most
 * triggers and exits, `{"detail-type": ["order.placed"]}`). An event of such a type matters with no pattern
 * evaluated, as `matters` is asked for every journey each event reaches.
 */
function typesMatchedAlone(patterns: readonly CompiledPattern[]): ReadonlySet<string> {
  const types = new Set<string>();
  for (const { pattern } of patterns) {
    const alone = Object.keys(pattern).length === 1 && "detail-type" in pattern;
    for (const type of (alone && patternDetailTypes(pattern)) || []) types.add(type);
  }
  return types;
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
  const templates = new Map<string, CompiledTemplate>();
  for (const [templateId, texts] of Object.entries(journey.templates)) {
    const byLocale = new Map(Object.entries(texts).map(([locale, text]) => [locale, parseMessage(text)]));
    const params = parseChannelParams(journey.templateParams?.[templateId]);
    templates.set(templateId, { locales: [...byLocale.keys()], byLocale, ...(params === undefined ? {} : { params }) });
  }

  const trigger = journey.trigger;
  // A campaign relative to an event listens to that event (its occurrence is set by it); another, to none.
  const triggerPattern =
    trigger.type === "schedule"
      ? trigger.relativeTo === undefined
        ? NO_EVENT
        : compilePattern(trigger.relativeTo.event)
      : compilePattern(trigger.type === "event" ? trigger.pattern : trigger.absent);
  const clockEvents =
    trigger.type === "inactivity"
      ? [triggerPattern, ...(trigger.countFrom ? [compilePattern(trigger.countFrom)] : [])]
      : [];
  const exitOn = journey.exitOn.map((pattern) => compilePattern(pattern));
  const goal = journey.goal && {
    pattern: compilePattern(journey.goal.pattern),
    withinMs: durationMs(journey.goal.within),
  };
  const listensWith = [
    ...(trigger.type === "inactivity" ? clockEvents : triggerPattern === NO_EVENT ? [] : [triggerPattern]),
    ...exitOn,
    ...(goal ? [goal.pattern] : []),
    ...waitPatterns.values(),
  ];
  const detailTypes = listenedTypes(listensWith);
  const matchedAlone = typesMatchedAlone(listensWith);

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
    trigger: triggerPattern,
    clockEvents,
    inactivityMs: trigger.type === "inactivity" ? durationMs(trigger.for) : 0,
    exitOn,
    ...(goal ? { goal } : {}),
    ...(journey.audience ? { audience: compilePattern(journey.audience) } : {}),
    holdoutFraction: journey.holdoutPercent / 100,
    pattern: (step) => waitPatterns.get(step.id) ?? compilePattern(step.pattern),
    conditions: (step) => branchConditions.get(step.id) ?? [],
    template: (templateId) => templates.get(templateId),
    detailTypes,
    matters: (event) => {
      if (matchedAlone.has(event["detail-type"])) return true;
      for (const pattern of listensWith) if (pattern.matches(event)) return true;
      return false;
    },
    // Conservative: a name that merely contains "traits" costs a computation, never a wrong value.
    readsTraits: JSON.stringify(journey).includes("traits"),
  };
}
