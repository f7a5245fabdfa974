/**
 * Matching of validated patterns, compiled once into closures.
 *
 * Semantics (EventBridge's, as implemented by its engine, AWS event-ruler):
 * - The document is read as flattened leaves: keys joined with ".", so a pattern's `{"a": {"b": ...}}`,
 *   `{"a.b": ...}` and a document's `{"a.b": ...}` all name the path "a.b". Arrays are crushed: every element
 *   of an array (at any depth) is a value of the path; objects and arrays themselves are never leaves.
 * - A field matches when any of its values matches any of its matchers; a branch when all its fields match;
 *   the pattern when any branch ($or alternative) matches.
 * - Array consistency: a branch does not match through values taken from different elements of one array
 *   (`{"a": [{"x": 1}, {"y": 2}]}` is not matched by `{"a": {"x": [1], "y": [2]}}`).
 * - `exists: false` matches when the path has no leaf at all, or, inside arrays, none beside the leaves chosen for
 *   the branch's other fields (see absentBeside); `exists: true` when it has any leaf, null included.
 */
import { ignoreCaseTest } from "./ignore-case.ts";
import { inRange, parseIp } from "./ip.ts";
import type { Branch, Exact, Field, Matcher, NumericRange } from "./validate.ts";
import { NUMERIC_LIMIT } from "./validate.ts";
import { matchWildcard } from "./wildcard.ts";

/** Where a leaf sits among the document's arrays: [array, index, array, index, ...]. */
type Membership = readonly unknown[];
const OUTSIDE_ARRAYS: Membership = [];

type Predicate = (value: Exact) => boolean;

/** One key to try at a depth of the path, and the depth it leads to. */
interface Step {
  readonly key: string;
  readonly next: number;
}

/**
 * A field's leaves inside arrays: the memberships of those that match and, for a field that `exists: false`
 * can satisfy, of all its leaves (to tell whether the field is absent beside the other fields' choices).
 */
interface InArrays {
  readonly matching: Membership[];
  readonly leaves: Membership[] | undefined;
}

/** Finds a field's leaves in a document and tests them. */
class FieldMatcher {
  private readonly steps: readonly (readonly Step[])[];
  private readonly depth: number;
  /** The field's path: its one key when it has one segment (depth 1). */
  private readonly key: string;
  private sawLeafOutsideArrays = false;
  // Filled by walk(), allocated only when a leaf sits inside an array (most events have none).
  private matching: Membership[] | undefined;
  private leaves: Membership[] | undefined;

  constructor(
    path: string,
    private readonly test: Predicate,
    private readonly absentMatches: boolean,
  ) {
    // A document may spell the path "a.b.c" as a→b→c, "a.b"→c, a→"b.c" or "a.b.c": at each depth, try each join.
    const segments = path.split(".");
    this.depth = segments.length;
    this.key = path;
    this.steps = segments.map((_, i) =>
      segments.slice(i).map((__, j) => ({ key: segments.slice(i, i + j + 1).join("."), next: i + j + 1 })),
    );
  }

  /** true: matched outside any array (or absent everywhere); false: no match; otherwise the leaves in arrays. */
  evaluate(document: object): boolean | InArrays {
    // A top-level field (`detail-type`, `source`) holding a plain value: what the walk below finds, with no walk.
    if (this.depth === 1) {
      const key = this.key;
      const value = (document as Record<string, unknown>)[key];
      if (value === undefined || !Object.hasOwn(document, key)) return this.absentMatches;
      if (typeof value !== "object" || value === null) return this.test(value as Exact);
    }
    this.matching = undefined;
    this.leaves = undefined;
    this.sawLeafOutsideArrays = false;
    const matchedOutsideArrays = this.walk(document, 0, OUTSIDE_ARRAYS);
    // Set only with a leaf in it: undefined is none.
    const { matching, leaves } = this;
    this.matching = undefined;
    this.leaves = undefined;
    if (matchedOutsideArrays) return true;
    if (!this.absentMatches) return matching === undefined ? false : { matching, leaves: undefined };
    if (leaves === undefined && !this.sawLeafOutsideArrays) return true;
    // A leaf outside every array is beside any choice of the other fields: the field cannot be absent there.
    if (this.sawLeafOutsideArrays) return matching === undefined ? false : { matching, leaves: undefined };
    return { matching: matching ?? [], leaves };
  }

  private walk(node: unknown, depth: number, membership: Membership): boolean {
    if (depth === this.depth) return this.leaf(node, membership);
    if (typeof node !== "object" || node === null) return false;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        if (this.walk(node[i], depth, [...membership, node, i])) return true;
      }
      return false;
    }
    const steps = this.steps[depth] ?? [];
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as Step;
      const value = (node as Record<string, unknown>)[step.key];
      if (value !== undefined && Object.hasOwn(node, step.key) && this.walk(value, step.next, membership)) return true;
    }
    return false;
  }

  private leaf(value: unknown, membership: Membership): boolean {
    if (typeof value === "object" && value !== null) {
      if (!Array.isArray(value)) return false;
      for (let i = 0; i < value.length; i++) {
        if (this.leaf(value[i], [...membership, value, i])) return true;
      }
      return false;
    }
    if (this.absentMatches) {
      if (membership.length === 0) this.sawLeafOutsideArrays = true;
      else if (this.leaves === undefined) this.leaves = [membership];
      else this.leaves.push(membership);
    }
    if (!this.test(value as Exact)) return false;
    if (membership.length === 0) return true;
    if (this.matching === undefined) this.matching = [membership];
    else this.matching.push(membership);
    return false;
  }
}

function compatible(a: Membership, b: Membership): boolean {
  for (let i = 0; i < a.length; i += 2) {
    for (let j = 0; j < b.length; j += 2) {
      if (a[i] === b[j] && a[i + 1] !== b[j + 1]) return false;
    }
  }
  return true;
}

/**
 * `exists: false` chosen for a field inside arrays holds when none of its leaves sits beside the leaves chosen for
 * the fields before it (in path order): each leaf lies in another element of an array that a chosen leaf lies in.
 * So `{"a": {"b": ["x"], "c": [{"exists": false}]}}` matches `{"a": [{"b": "x", "c": 1}, {"b": "x"}]}` through the
 * second element (issue 19, case 1). Only the fields before it count because Event Ruler, EventBridge's engine,
 * walks a pattern's fields in sorted order and checks an absence against the array elements chosen so far.
 */
function absentBeside(leaves: readonly Membership[], chosen: readonly Membership[]): boolean {
  return leaves.every((leaf) => chosen.some((other) => !compatible(leaf, other)));
}

/** Marks a field chosen as absent in consistent(). */
const ABSENT: Membership = Object.freeze([]);

function isLeaf(membership: Membership): boolean {
  return membership !== ABSENT;
}

/**
 * Can one leaf be chosen per field (or, where `exists: false` allows, none) so that no two come from different
 * elements of one array? Absences are checked once every leaf is chosen.
 */
function consistent(fields: readonly InArrays[], index: number, chosen: Membership[]): boolean {
  const field = fields[index];
  if (field === undefined) {
    return fields.every(
      (f, i) => chosen[i] !== ABSENT || absentBeside(f.leaves ?? [], chosen.slice(0, i).filter(isLeaf)),
    );
  }
  for (const candidate of field.matching) {
    if (chosen.every((other) => other === ABSENT || compatible(candidate, other))) {
      chosen.push(candidate);
      if (consistent(fields, index + 1, chosen)) return true;
      chosen.pop();
    }
  }
  if (field.leaves === undefined) return false;
  chosen.push(ABSENT);
  const found = consistent(fields, index + 1, chosen);
  chosen.pop();
  return found;
}

function branchMatcher(fields: readonly FieldMatcher[]): (document: object) => boolean {
  return (document) => {
    let inArrays: InArrays[] | undefined;
    for (let i = 0; i < fields.length; i++) {
      const result = (fields[i] as FieldMatcher).evaluate(document);
      if (result === false) return false;
      if (result !== true) {
        if (inArrays === undefined) inArrays = [result];
        else inArrays.push(result);
      }
    }
    if (inArrays === undefined) return true;
    if (inArrays.length === 1 && (inArrays[0] as InArrays).matching.length > 0) return true;
    return consistent(inArrays, 0, []);
  };
}

/** Compiles validated branches into one test of a document. */
export function compileBranches(branches: readonly Branch[]): (document: unknown) => boolean {
  const cache = new Map<Field, FieldMatcher>();
  const compiled = branches.map((branch) =>
    branchMatcher(
      // Fields come in path order, as Event Ruler walks them: an absence depends on the fields before it.
      branch.map((field) => {
        let matcher = cache.get(field);
        if (matcher === undefined) {
          matcher = new FieldMatcher(field.path, valuePredicate(field.matchers), absentMatches(field.matchers));
          cache.set(field, matcher);
        }
        return matcher;
      }),
    ),
  );
  const only = compiled.length === 1 ? compiled[0] : undefined;
  return (document) => {
    if (typeof document !== "object" || document === null || Array.isArray(document)) return false;
    if (only !== undefined) return only(document);
    for (let i = 0; i < compiled.length; i++) if ((compiled[i] as (d: object) => boolean)(document)) return true;
    return false;
  };
}

function absentMatches(matchers: readonly Matcher[]): boolean {
  return matchers.some((m) => m.kind === "exists" && !m.value);
}

const never: Predicate = () => false;
const always: Predicate = () => true;

/** One predicate for a field's values: exact values through a Set, the rest tried in turn. */
function valuePredicate(matchers: readonly Matcher[]): Predicate {
  const exact = new Set<Exact>();
  const others: Predicate[] = [];
  for (const m of matchers) {
    if (m.kind === "exact") {
      exact.add(m.value);
      if (m.ip !== undefined) others.push(ipEquals(m.ip));
    } else if (m.kind === "exists") {
      if (m.value) return always;
    } else {
      others.push(operatorPredicate(m));
    }
  }
  if (others.length === 0) return exact.size === 0 ? never : (v) => exact.has(v);
  if (exact.size === 0 && others.length === 1) return others[0] as Predicate;
  return (v) => {
    if (exact.has(v)) return true;
    for (let i = 0; i < others.length; i++) if ((others[i] as Predicate)(v)) return true;
    return false;
  };
}

function stringTest(test: (value: string) => boolean): Predicate {
  return (v) => typeof v === "string" && test(v);
}

function comparable(v: Exact): v is number {
  return typeof v === "number" && v >= -NUMERIC_LIMIT && v <= NUMERIC_LIMIT;
}

function numericPredicate(r: NumericRange): Predicate {
  const { low, lowOpen, high, highOpen } = r;
  return (v) => comparable(v) && (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high);
}

function ipEquals(address: Uint8Array): Predicate {
  const range = { bottom: address, top: address };
  return (v) => {
    if (typeof v !== "string") return false;
    const ip = parseIp(v);
    return ip !== undefined && inRange(range, ip);
  };
}

function operatorPredicate(m: Exclude<Matcher, { kind: "exact" | "exists" }>): Predicate {
  switch (m.kind) {
    case "prefix":
      if (!m.ignoreCase) return (v) => typeof v === "string" && v.startsWith(m.value);
      return stringTest(ignoreCaseTest([m.value], "start"));
    case "suffix":
      if (!m.ignoreCase) return (v) => typeof v === "string" && v.endsWith(m.value);
      return stringTest(ignoreCaseTest([m.value], "end"));
    case "equals-ignore-case":
      return stringTest(ignoreCaseTest([m.value], "whole"));
    case "wildcard":
      return (v) => typeof v === "string" && matchWildcard(m.parts, v);
    case "numeric":
      return numericPredicate(m.range);
    case "cidr":
      return (v) => {
        if (typeof v !== "string") return false;
        const ip = parseIp(v);
        return ip !== undefined && inRange(m.range, ip);
      };
    // Anything-but matches every leaf, of any type, except the excluded strings (or numbers).
    case "anything-but": {
      const strings = new Set(m.strings);
      const numbers = new Set(m.numbers);
      return (v) => (typeof v === "string" ? !strings.has(v) : typeof v === "number" ? !numbers.has(v) : true);
    }
    case "anything-but-ignore-case": {
      const excluded = ignoreCaseTest(m.values, "whole");
      return (v) => typeof v !== "string" || !excluded(v);
    }
    case "anything-but-prefix":
      return (v) => typeof v !== "string" || !m.values.some((p) => v.startsWith(p));
    case "anything-but-suffix":
      return (v) => typeof v !== "string" || !m.values.some((s) => v.endsWith(s));
    case "anything-but-wildcard":
      return (v) => typeof v !== "string" || !m.values.some((parts) => matchWildcard(parts, v));
  }
}
