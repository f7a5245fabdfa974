/**
 * EventBridge refuses a rule whose wildcards could keep too many partial matches alive at once ("Rule is too
 * complex", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 * #eb-filtering-wildcard-matching). The measure is Event Ruler's MachineComplexityEvaluator (github.com/aws/
 * event-ruler, README "Matching with a Machine", whose sample per-rule validator refuses complexity above 10):
 *
 * - The rule's $or branches that hold a wildcard or anything-but wildcard go into one machine. A branch walks its
 *   fields in sorted path order; each value it matches leads to a next state, shared with every branch that
 *   matched the same value on the same fields before. The values of one field at one state form a byte machine.
 * - A byte machine's complexity is the most wildcard patterns a worst-case value keeps alive at once: over the
 *   sets of positions a value can reach, the positions counted once per pattern they lead to, plus the wildcard
 *   one step ahead of a position (a value matching "foo" may go on to "foo*"). Values are read with their quotes.
 * - A wildcard counts as one pattern; an anything-but wildcard counts as one pattern with all its values, so
 *   positions its values share (a common start before any wildcard) count once. The rule's complexity is its
 *   worst byte machine's.
 */
import type { Branch, Field, Matcher } from "./types.ts";
import type { WildcardParts } from "./wildcard.ts";

/** Event Ruler's README suggests 10 per rule; `content_wildcard_complex_EXC` (complexity 11) is refused. */
export const WILDCARD_COMPLEXITY_LIMIT = 10;

/** One pattern that counts: a wildcard's parts, or an anything-but wildcard's values. */
export type CountedPattern = readonly WildcardParts[];

const STAR = -1;
const OTHER = -2;
const QUOTE = 34;

/** A position in a pattern: how far its values have read, shared by the values that read the same so far. */
interface Position {
  readonly depth: number;
  /** Each value through this position: its tokens, and its positions by depth + 1. */
  readonly through: { readonly tokens: readonly number[]; readonly path: readonly number[] }[];
}

function tokensOf(parts: WildcardParts): number[] {
  const tokens = [QUOTE];
  parts.forEach((part, i) => {
    if (i > 0) tokens.push(STAR);
    for (let k = 0; k < part.length; k++) tokens.push(part.charCodeAt(k));
  });
  tokens.push(QUOTE);
  return tokens;
}

/** Numbers every position of every pattern; values of one pattern share the positions of a common plain start. */
function positionsOf(patterns: readonly CountedPattern[]): { positions: Position[]; starts: number[] } {
  const positions: Position[] = [];
  const byKey = new Map<string, number>();
  const starts: number[] = [];
  patterns.forEach((values, p) => {
    values.forEach((parts, v) => {
      const tokens = tokensOf(parts);
      const path: number[] = [];
      for (let depth = -1; depth < tokens.length; depth++) {
        // Values share their start up to the first wildcard; after it, Event Ruler mostly keeps their states
        // apart, and keeping them apart here never counts less than it does (see docs/patterns.md).
        const prefix = tokens.slice(0, depth + 1);
        const key = prefix.includes(STAR) ? `${p}:${v}:${depth}` : `${p}:${prefix.join(",")}`;
        let id = byKey.get(key);
        if (id === undefined) {
          id = positions.length;
          byKey.set(key, id);
          positions.push({ depth, through: [] });
        }
        path.push(id);
      }
      for (const id of path) (positions[id] as Position).through.push({ tokens, path });
      if (!starts.includes(path[0] as number)) starts.push(path[0] as number);
    });
  });
  return { positions, starts };
}

/** The complexity of one byte machine holding these patterns (capped just above the limit). */
export function machineComplexity(patterns: readonly CountedPattern[]): number {
  const { positions, starts } = positionsOf(patterns);
  const alphabet = new Set<number>([OTHER]);
  for (const position of positions) for (const { tokens } of position.through) for (const c of tokens) alphabet.add(c);
  alphabet.delete(STAR);

  const step = (states: readonly number[], c: number): number[] => {
    const out = new Set<number>();
    for (const s of states) {
      const { depth: k, through } = positions[s] as Position;
      for (const { tokens: t, path } of through) {
        if (k >= 0 && t[k] === STAR) {
          out.add(s);
          if (t[k + 1] === c) out.add(path[k + 2] as number);
        }
        const n = k + 1;
        if (n >= t.length) continue;
        if (t[n] === STAR) {
          out.add(path[n + 1] as number);
          if (t[n + 1] === c) out.add(path[n + 2] as number);
        } else if (t[n] === c) {
          out.add(path[n + 1] as number);
        }
      }
    }
    return [...out].sort((a, b) => a - b);
  };
  const size = (states: readonly number[]): number => {
    const present = new Set(states);
    const wildcardsAhead = new Set<number>();
    for (const s of states) {
      const { depth: k, through } = positions[s] as Position;
      for (const { tokens, path } of through) {
        const ahead = path[k + 2] as number;
        if (tokens[k + 1] === STAR && !present.has(ahead)) wildcardsAhead.add(ahead);
      }
    }
    return states.length + wildcardsAhead.size;
  };

  let maximum = 0;
  const seen = new Set<string>();
  const pending: number[][] = [starts];
  while (pending.length > 0) {
    const states = pending.pop() ?? [];
    for (const c of alphabet) {
      const next = step(states, c);
      if (next.length === 0) continue;
      const key = next.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      maximum = Math.max(maximum, size(next));
      if (maximum > WILDCARD_COMPLEXITY_LIMIT) return maximum;
      pending.push(next);
    }
  }
  return maximum;
}

/** Where a rule first goes over the limit: the field and the index of the pattern that tips its byte machine. */
export interface TooComplex {
  readonly field: Field;
  readonly index: number;
  readonly complexity: number;
}

/** Past this many states for one field, branches stop being told apart by their values (counting more, not less). */
const MAX_STATES_PER_FIELD = 4096;

interface Counted {
  readonly pattern: CountedPattern;
  readonly field: Field;
  readonly index: number;
}

function counted(matcher: Matcher): CountedPattern | undefined {
  if (matcher.kind === "wildcard") return [matcher.parts];
  if (matcher.kind === "anything-but-wildcard") return matcher.values;
  return undefined;
}

/** The byte machines of a rule's branches that hold wildcards: their patterns, by state and field. */
function byteMachines(branches: readonly Branch[]): Map<string, Map<string, Counted>> {
  const machines = new Map<string, Map<string, Counted>>();
  branches.forEach((branch, b) => {
    if (!branch.some((field) => field.matchers.some((m) => counted(m) !== undefined))) return;
    let states = [""];
    for (const field of branch) {
      field.matchers.forEach((matcher, index) => {
        const pattern = counted(matcher);
        if (pattern === undefined) return;
        for (const state of states) {
          const key = `${state}\u0001${field.path}`;
          const machine = machines.get(key) ?? new Map<string, Counted>();
          machines.set(key, machine);
          // Once per branch: Event Ruler adds each branch's wildcards apart, and often cannot find and reuse
          // the same wildcard added by an earlier branch, so its states are there twice (issue 19, case 2).
          const identity = `${b}:${JSON.stringify(matcher)}`;
          if (!machine.has(identity)) machine.set(identity, { pattern, field, index });
        }
      });
      const next = states.flatMap((state) =>
        field.matchers.map((matcher) => `${state}\u0002${field.path}=${JSON.stringify(matcher)}`),
      );
      states = next.length <= MAX_STATES_PER_FIELD ? next : states.map((state) => `${state}\u0002${field.path}=*`);
    }
  });
  return machines;
}

/** The first byte machine of the rule above WILDCARD_COMPLEXITY_LIMIT, if any. Branches' fields are in path order. */
export function findTooComplex(branches: readonly Branch[]): TooComplex | undefined {
  for (const machine of byteMachines(branches).values()) {
    const patterns: CountedPattern[] = [];
    for (const { pattern, field, index } of machine.values()) {
      patterns.push(pattern);
      const complexity = machineComplexity(patterns);
      if (complexity > WILDCARD_COMPLEXITY_LIMIT) return { field, index, complexity };
    }
  }
  return undefined;
}
