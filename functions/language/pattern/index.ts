/**
 * Amazon EventBridge event patterns, for events and for any JSON document (a run's context, say).
 * Syntax and semantics: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
 * eb-create-pattern-operators.html; where those are silent, EventBridge's own answers (TestEventPattern).
 * No AWS SDK and no npm package: validation in validate.ts, matching in match.ts.
 */
import { compileBranches } from "./match.ts";
import { analysePattern, type EventPattern } from "./validate.ts";

export type { EventPattern } from "./validate.ts";

/** A validated pattern, ready to test documents. */
export interface CompiledPattern {
  readonly pattern: EventPattern;
  matches(event: unknown): boolean;
}

/**
 * Validates like EventBridge does; throws InvalidPatternError whose message names the JSON path
 * (e.g. `detail.amount[0].numeric: ...`) and the problem.
 */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  analysePattern(pattern);
}

/**
 * Validates once, then returns a matcher compiled into closures: no re-parsing per document.
 * A document that is not a JSON object never matches.
 */
export function compilePattern(pattern: unknown): CompiledPattern {
  const analysed = analysePattern(pattern);
  const test = compileBranches(analysed.branches);
  return Object.freeze({ pattern: analysed.pattern, matches: test });
}

/** Convenience: compilePattern(pattern).matches(event). */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern).matches(event);
}
