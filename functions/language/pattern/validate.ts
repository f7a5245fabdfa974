/**
 * Validation of EventBridge event patterns, producing the normalised form the matcher compiles.
 * The rules follow the EventBridge documentation (eb-event-patterns.html, eb-create-pattern-operators.html)
 * and, where it is silent, what EventBridge's TestEventPattern API accepts and rejects.
 *
 * A pattern becomes a list of branches (one per combination of `$or` alternatives); a branch is a list of
 * fields, each a flattened path (keys joined with ".", as EventBridge does) with the matchers of its array.
 */
import { InvalidPatternError } from "../../shared/errors.ts";
import { findTooComplex, WILDCARD_COMPLEXITY_LIMIT } from "./complexity.ts";
import { parseCidr, parseIp } from "./ip.ts";
import type { Branch, EventPattern, Field, Matcher, NumericRange } from "./types.ts";
import { parseWildcard, type WildcardParts } from "./wildcard.ts";

export type { Branch, EventPattern, Exact, Field, Matcher, NumericRange } from "./types.ts";

function byPath(a: Field, b: Field): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** EventBridge compares numbers between -5.0e9 and +5.0e9, with six digits after the decimal point. */
export const NUMERIC_LIMIT = 5e9;

/** Field names that may not appear inside `$or`, because they read as operators there. */
const RESERVED_IN_OR = new Set([
  ...["exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr"],
  ...["=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case"],
  ...["date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range"],
  ...["ip-address-in-range", "ip-address-not-in-range"],
]);

/** Not an EventBridge rule but a safety limit of Nudge: nested $or multiply into branches, matched one by one. */
const MAX_BRANCHES = 1024;

const OPERATORS = "prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr";

function fail(location: string, problem: string): never {
  throw new InvalidPatternError(`${location}: ${problem}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const ROOT = "(root)";

function child(location: string, key: string): string {
  const plain = /^[A-Za-z0-9_$@:-]+$/.test(key) ? key : undefined;
  const quoted = `[${JSON.stringify(key)}]`;
  if (location === ROOT) return plain ?? quoted;
  return plain === undefined ? `${location}${quoted}` : `${location}.${plain}`;
}

function item(location: string, index: number): string {
  return `${location}[${index}]`;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  return typeof value;
}

/** Validates `pattern` and returns its branches; throws InvalidPatternError naming the path and the problem. */
export function analysePattern(pattern: unknown): { pattern: EventPattern; branches: Branch[] } {
  if (!isObject(pattern)) fail(ROOT, `an event pattern must be a JSON object, got ${describe(pattern)}`);
  const branches = expandObject(pattern, "", ROOT, false).map((fields) => [...fields.values()].sort(byPath));
  checkWildcardComplexity(branches);
  return { pattern, branches };
}

type Partial = Map<string, Field>;

/** All branches of an object: the cross product of its keys' alternatives. */
function expandObject(object: Record<string, unknown>, path: string, location: string, inOr: boolean): Partial[] {
  const keys = Object.keys(object);
  if (keys.length === 0) fail(location, "must not be an empty object");
  let branches: Partial[] = [new Map()];
  for (const key of keys) {
    const value = object[key];
    const at = child(location, key);
    let alternatives: Partial[];
    if (key === "$or") {
      alternatives = expandOr(value, path, at);
    } else {
      if (inOr && RESERVED_IN_OR.has(key)) {
        fail(at, `"${key}" is an operator name, so it cannot be a field name inside $or`);
      }
      const fieldPath = path === "" ? key : `${path}.${key}`;
      if (Array.isArray(value)) {
        alternatives = [new Map([[fieldPath, { path: fieldPath, location: at, matchers: parseValues(value, at) }]])];
      } else if (isObject(value)) {
        alternatives = expandObject(value, fieldPath, at, inOr);
      } else {
        const scalar = ["string", "number", "boolean"].includes(typeof value) || value === null;
        const hint = scalar ? ` (write ${JSON.stringify([value])})` : "";
        fail(at, `must be an object or an array of values to match, got ${describe(value)}${hint}`);
      }
    }
    if (branches.length * alternatives.length > MAX_BRANCHES) {
      fail(
        at,
        `the $or alternatives combine into more than ${MAX_BRANCHES} branches; Nudge refuses patterns this large`,
      );
    }
    // A path given twice (e.g. "a.b" and "a": {"b"}) keeps its last value, as in EventBridge.
    branches = branches.flatMap((branch) => alternatives.map((alt) => new Map([...branch, ...alt])));
  }
  return branches;
}

function expandOr(value: unknown, path: string, location: string): Partial[] {
  if (!Array.isArray(value) || value.length < 2) {
    fail(location, `must be an array of at least two objects, got ${describe(value)}`);
  }
  return value.flatMap((alternative, i) => {
    if (!isObject(alternative))
      fail(item(location, i), `each $or alternative must be an object, got ${describe(alternative)}`);
    return expandObject(alternative, path, item(location, i), true);
  });
}

function parseValues(values: readonly unknown[], location: string): Matcher[] {
  if (values.length === 0) fail(location, "must not be an empty array: list at least one value to match");
  return values.map((value, i) => {
    const at = item(location, i);
    if (isObject(value)) return parseOperator(value, at);
    if (typeof value === "string") {
      const ip = parseIp(value);
      return ip === undefined ? { kind: "exact", value } : { kind: "exact", value, ip };
    }
    if (typeof value === "number") {
      if (!Number.isFinite(value)) fail(at, tooLarge(value));
      return { kind: "exact", value };
    }
    if (typeof value === "boolean" || value === null) return { kind: "exact", value };
    return fail(
      at,
      `a value to match must be a string, number, true, false, null or an operator object, got ${describe(value)}`,
    );
  });
}

function parseOperator(object: Record<string, unknown>, location: string): Matcher {
  const keys = Object.keys(object);
  const [operator] = keys;
  if (operator === undefined) fail(location, `an operator object needs one operator (${OPERATORS}), got {}`);
  if (keys.length > 1) fail(location, `an operator object holds exactly one operator, got ${keys.join(", ")}`);
  const value = object[operator];
  const at = child(location, operator);
  switch (operator) {
    case "prefix":
    case "suffix":
      return parseAffix(operator, value, at);
    case "equals-ignore-case":
      return { kind: "equals-ignore-case", value: requireString(value, at) };
    case "wildcard":
      return { kind: "wildcard", parts: requireWildcard(value, at) };
    case "numeric":
      return { kind: "numeric", range: parseNumeric(value, at) };
    case "exists":
      if (typeof value !== "boolean") fail(at, `must be true or false, got ${describe(value)}`);
      return { kind: "exists", value };
    case "cidr": {
      const range = parseCidr(requireString(value, at));
      if (typeof range === "string") fail(at, range);
      return { kind: "cidr", range };
    }
    case "anything-but":
      return parseAnythingBut(value, at);
    default:
      return fail(at, `unknown operator "${operator}" (operators are case-sensitive: ${OPERATORS})`);
  }
}

function requireString(value: unknown, location: string): string {
  if (typeof value !== "string") fail(location, `must be a string, got ${describe(value)}`);
  return value;
}

function requireWildcard(value: unknown, location: string): WildcardParts {
  const parts = parseWildcard(requireString(value, location));
  if (typeof parts === "string") fail(location, parts);
  return parts;
}

function parseAffix(kind: "prefix" | "suffix", value: unknown, location: string): Matcher {
  if (typeof value === "string") return { kind, value, ignoreCase: false };
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "equals-ignore-case") {
      const inner = requireString(value["equals-ignore-case"], child(location, "equals-ignore-case"));
      return { kind, value: inner, ignoreCase: true };
    }
    fail(location, `the only operator allowed inside ${kind} is equals-ignore-case, got ${keys.join(", ") || "{}"}`);
  }
  return fail(location, `must be a string or {"equals-ignore-case": string}, got ${describe(value)}`);
}

/** JSON.parse reads a number beyond a double's range (1e400) as ±Infinity: say that, not "got Infinity". */
function tooLarge(value: number): string {
  return `the number overflows a 64-bit double (it is beyond ±1.8e308, so it reads as ${value}); write it as a string to match it as text`;
}

/** A pattern number must lie within ±5.0e9 and have at most six digits after the decimal point. */
function checkNumber(value: unknown, location: string): number {
  if (typeof value !== "number") fail(location, `must be a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) fail(location, tooLarge(value));
  if (Math.abs(value) > NUMERIC_LIMIT)
    fail(location, `${value} is outside the range EventBridge compares, -5e9 to 5e9`);
  if (Number(value.toFixed(6)) !== value) fail(location, `${value} has more than six digits after the decimal point`);
  return value;
}

function parseNumeric(value: unknown, location: string): NumericRange {
  if (!Array.isArray(value) || value.length === 0) {
    fail(location, `must be an array such as [">", 0, "<=", 5], got ${describe(value)}`);
  }
  const [operator, operand] = value;
  const first = item(location, 0);
  if (typeof operator !== "string")
    fail(first, `must be a comparison operator (=, <, <=, >, >=), got ${describe(operator)}`);
  const followedByOneNumber = () => {
    if (value.length !== 2)
      fail(location, `"${operator}" must be followed by exactly one number, got ${value.length - 1} elements`);
  };
  let range: NumericRange;
  switch (operator) {
    case "=": {
      followedByOneNumber();
      const n = checkNumber(operand, item(location, 1));
      return { low: n, lowOpen: false, high: n, highOpen: false };
    }
    case "<":
    case "<=":
      followedByOneNumber();
      range = {
        low: -NUMERIC_LIMIT,
        lowOpen: false,
        high: checkNumber(operand, item(location, 1)),
        highOpen: operator === "<",
      };
      break;
    case ">":
    case ">=": {
      const low = checkNumber(operand, item(location, 1));
      range = { low, lowOpen: operator === ">", high: NUMERIC_LIMIT, highOpen: false };
      if (value.length === 2) break;
      const upper = value[2];
      if (upper !== "<" && upper !== "<=")
        fail(item(location, 2), `an upper bound must be "<" or "<=", got ${describe(upper)}`);
      if (value.length === 3) fail(location, `"${upper}" must be followed by a number`);
      if (value.length > 4) fail(location, `too many elements: a range is at most [">", low, "<", high]`);
      range = { ...range, high: checkNumber(value[3], item(location, 3)), highOpen: upper === "<" };
      // Only a two-sided range can be empty: [">=", 5e9] is the one number 5e9 (issue 19, case 3), and
      // [">", 5e9] is accepted and matches nothing, as in Event Ruler, which checks bottom < top for ranges only.
      if (range.low >= range.high) fail(location, "the range is empty: the lower bound must be below the upper bound");
      break;
    }
    default:
      return fail(first, `unknown comparison operator ${JSON.stringify(operator)} (use =, <, <=, >, >=)`);
  }
  return range;
}

function parseAnythingBut(value: unknown, location: string): Matcher {
  if (typeof value === "string") return { kind: "anything-but", strings: [value], numbers: [] };
  if (typeof value === "number") return { kind: "anything-but", strings: [], numbers: [checkNumber(value, location)] };
  if (Array.isArray(value)) {
    if (value.length === 0) fail(location, "must not be an empty array");
    const strings = value.every((v) => typeof v === "string");
    const numbers = value.every((v) => typeof v === "number");
    if (!strings && !numbers) {
      const bad = value.findIndex((v) => typeof v !== "string" && typeof v !== "number");
      if (bad >= 0) fail(item(location, bad), `must be a string or a number, got ${describe(value[bad])}`);
      fail(location, "must list only strings or only numbers, not both");
    }
    return strings
      ? { kind: "anything-but", strings: value as string[], numbers: [] }
      : { kind: "anything-but", strings: [], numbers: value.map((v, i) => checkNumber(v, item(location, i))) };
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    const [operator] = keys;
    if (operator === undefined || keys.length > 1) {
      fail(
        location,
        `must hold exactly one of prefix, suffix, equals-ignore-case, wildcard, got ${keys.join(", ") || "{}"}`,
      );
    }
    const at = child(location, operator);
    if (!["equals-ignore-case", "prefix", "suffix", "wildcard"].includes(operator)) {
      fail(at, `anything-but supports prefix, suffix, equals-ignore-case and wildcard, not "${operator}"`);
    }
    const inner = value[operator];
    if ((operator === "prefix" || operator === "suffix") && isObject(inner)) {
      fail(
        at,
        `anything-but ${operator} takes a string or a list of strings; equals-ignore-case is not supported inside it`,
      );
    }
    const list = Array.isArray(inner) ? inner : [inner];
    if (list.length === 0) fail(at, "must not be an empty array");
    const strings = list.map((v, i) => requireString(v, Array.isArray(inner) ? item(at, i) : at));
    switch (operator) {
      case "equals-ignore-case":
        return { kind: "anything-but-ignore-case", values: strings };
      case "prefix":
      case "suffix":
        strings.forEach((s, i) => {
          if (s === "") fail(Array.isArray(inner) ? item(at, i) : at, `an anything-but ${operator} must not be empty`);
        });
        return { kind: `anything-but-${operator}`, values: strings };
      case "wildcard":
        return {
          kind: "anything-but-wildcard",
          values: strings.map((s, i) => requireWildcard(s, Array.isArray(inner) ? item(at, i) : at)),
        };
      default:
        return fail(at, `anything-but supports prefix, suffix, equals-ignore-case and wildcard, not "${operator}"`);
    }
  }
  return fail(
    location,
    `must be a string, a number, a list of strings or of numbers, or an object with prefix, suffix, equals-ignore-case or wildcard; got ${describe(value)}`,
  );
}

/** EventBridge refuses a rule whose wildcards are too complex to match quickly; complexity.ts says how it counts. */
function checkWildcardComplexity(branches: readonly Branch[]): void {
  const tooComplex = findTooComplex(branches);
  if (tooComplex === undefined) return;
  const { field, index, complexity } = tooComplex;
  const matcher = field.matchers[index];
  const operator = matcher?.kind === "anything-but-wildcard" ? "anything-but.wildcard" : "wildcard";
  fail(
    `${item(field.location, index)}.${operator}`,
    `rule is too complex (wildcard complexity ${complexity} or more, EventBridge allows at most ${WILDCARD_COMPLEXITY_LIMIT}): use fewer wildcard characters or fewer repeating character sequences after a wildcard`,
  );
}
