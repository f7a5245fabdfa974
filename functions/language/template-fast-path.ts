import {
  Context,
  Drop,
  type Filter,
  type Liquid,
  Output,
  filters as stockFilters,
  type Template,
  TypeGuards,
  toValue,
} from "liquidjs";

/**
 * A compiled fast path for the templates messages are made of: plain text and `{{ path }}` outputs with a few
 * filters. liquidjs stays the template engine (it parses, validates and analyses every template, and renders
 * everything else); this only renders, without liquidjs's generator-based evaluation, the templates whose
 * liquidjs output it reproduces exactly:
 *
 * - the source has no tags (`{%`) and no whitespace control (`{{-`, `-}}`);
 * - every output is a property path from the scope, `a.b`, `a['quoted key']`, `a[0]`, none of whose segments is
 *   `size`, `first` or `last` (liquidjs gives those meanings of its own), followed by filters from
 *   `date` (the engine's own), `default` (one literal, optionally `allow_false: <literal>`), `upcase`,
 *   `downcase`, `capitalize` and `strip` (without arguments), with literal arguments only.
 *
 * The reproduction follows liquidjs 10 with the options templates.ts uses (checked at compile time): a segment
 * is read only when it is the object's own property (`ownPropertyOnly`), nil stops the walk, values are
 * stringified as liquidjs's emitter does (nil → "", arrays joined, String() otherwise), no HTML escaping.
 * Values liquidjs treats specially — Drops, objects with `toLiquid`, functions (liquidjs calls them), iterators
 * (liquidjs runs them) — make the compiled template answer `undefined`: the caller then renders with liquidjs.
 */

/** Renders a template, or answers `undefined` when the scope holds something only liquidjs renders faithfully. */
export type FastRender = (scope: object) => string | undefined;

/** The engine's `date` filter: the handler registered with liquidjs, and its work once the time zone is known. */
export interface DateFilter {
  handler: unknown;
  format(value: unknown, format: unknown, timeZone: unknown): string;
}

/** What a read answers when the value is one liquidjs treats specially. */
const EXOTIC: unique symbol = Symbol("exotic");

type Key = string | number;
/** One output: reads a value from the scope (or gives up), then applies filters to it. */
type Step = (value: unknown, scope: object) => unknown;

const SPECIAL_KEYS = new Set<Key>(["size", "first", "last"]);
const STOCK_FILTERS = ["default", "upcase", "downcase", "capitalize", "strip"] as const;

const hasOwn = Object.prototype.hasOwnProperty;
const objectToString = Object.prototype.toString;

/** liquidjs's isArray: it goes by the toString tag, not Array.isArray. */
function isArray(value: unknown): value is unknown[] {
  return objectToString.call(value) === "[object Array]";
}

/** An object whose reading or rendering liquidjs does differently from a plain read. */
function isExotic(value: object): boolean {
  if (value instanceof Drop) return true;
  const candidate = value as { toLiquid?: unknown; next?: unknown; throw?: unknown; return?: unknown };
  return (
    typeof candidate.toLiquid === "function" ||
    (typeof candidate.next === "function" &&
      typeof candidate.throw === "function" &&
      typeof candidate.return === "function")
  );
}

/** Reads a path the way liquidjs's Context does with ownPropertyOnly, or EXOTIC. */
function lookUp(scope: object, keys: readonly Key[]): unknown {
  let value: unknown = scope;
  for (const key of keys) {
    if (value === null || value === undefined) return value;
    if (typeof value === "function" || (typeof value === "object" && isExotic(value))) return EXOTIC;
    value = hasOwn.call(value, key) ? (value as Record<Key, unknown>)[key] : undefined;
    if (typeof value === "function") return EXOTIC;
  }
  if (typeof value === "object" && value !== null && isExotic(value)) return EXOTIC;
  return value;
}

/** liquidjs's stringify, used by its emitter and its string filters. */
function stringify(value: unknown): string {
  const plain: unknown = toValue(value);
  if (typeof plain === "string") return plain;
  if (plain === null || plain === undefined) return "";
  if (isArray(plain)) return plain.map((item) => stringify(item)).join("");
  return String(plain);
}

/** A filter argument liquidjs evaluates to a constant primitive: a quoted string, a number, true/false. */
function literal(token: unknown): { value: unknown } | undefined {
  if (!(TypeGuards.isQuotedToken(token) || TypeGuards.isNumberToken(token) || TypeGuards.isLiteralToken(token))) {
    return undefined;
  }
  const value: unknown = token.content;
  return typeof value === "object" && value !== null ? undefined : { value };
}

const positional = (args: Filter["args"]) => args.filter((arg) => !Array.isArray(arg));

function compileDefault(args: Filter["args"]): Step | undefined {
  const [first, ...rest] = args;
  let fallback: unknown;
  if (first !== undefined) {
    if (Array.isArray(first)) return undefined; // liquidjs would take the [key, value] pair for the default
    const value = literal(first);
    if (value === undefined) return undefined;
    fallback = value.value;
  }
  const pairs: [unknown, unknown][] = [];
  for (const arg of rest) {
    if (!Array.isArray(arg)) return undefined; // a second positional argument breaks liquidjs's `new Map(args)`
    const [name, token] = arg;
    const value = token === undefined ? { value: undefined } : literal(token);
    if (value === undefined) return undefined;
    pairs.push([name, value.value]);
  }
  const allowFalse = Boolean(new Map(pairs).get("allow_false"));
  return (input) => {
    const value: unknown = toValue(input);
    if (isArray(value) || typeof value === "string") return value.length ? value : fallback;
    if (value === false && allowFalse) return false;
    return value === false || value === undefined || value === null ? fallback : value;
  };
}

function compileDate(args: Filter["args"], date: DateFilter): Step | undefined {
  if (args.length > 2 || positional(args).length !== args.length) return undefined;
  const format = args[0] === undefined ? { value: undefined } : literal(args[0]);
  const zone = args[1] === undefined ? { value: undefined } : literal(args[1]);
  if (format === undefined || zone === undefined) return undefined;
  const formatValue = format.value;
  const zoneValue = zone.value;
  if (typeof zoneValue === "string") return (input) => date.format(input, formatValue, zoneValue);
  return (input, scope) => {
    const profileZone = lookUp(scope, ["profile", "timezone"]);
    return profileZone === EXOTIC ? EXOTIC : date.format(input, formatValue, profileZone);
  };
}

const stringFilters: Record<(typeof STOCK_FILTERS)[number], Step | undefined> = {
  default: undefined, // compiled per use, from its arguments
  upcase: (value) => stringify(value).toUpperCase(),
  downcase: (value) => stringify(value).toLowerCase(),
  capitalize: (value) => {
    const text = stringify(value);
    return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
  },
  strip: (value) => stringify(value).trim(),
};

function compileFilter(filter: Filter, liquid: Liquid, date: DateFilter): Step | undefined {
  const name = filter.name;
  const registered = liquid.filters[name];
  if (name === "date") return registered === date.handler ? compileDate(filter.args, date) : undefined;
  if (!(STOCK_FILTERS as readonly string[]).includes(name) || registered !== stockFilters[name]) return undefined;
  if (name === "default") return compileDefault(filter.args);
  if (filter.args.length > 0) return undefined;
  return stringFilters[name as (typeof STOCK_FILTERS)[number]];
}

/** `{{ path | filter ... }}` as a function of the scope, or undefined when liquidjs must render it. */
function compileOutput(output: Output, liquid: Liquid, date: DateFilter): ((scope: object) => unknown) | undefined {
  const postfix = output.value.initial.postfix;
  const access = postfix[0];
  if (postfix.length !== 1 || !TypeGuards.isPropertyAccessToken(access) || access.variable !== undefined) {
    return undefined;
  }
  const keys: Key[] = [];
  for (const [index, prop] of access.props.entries()) {
    let key: Key;
    if (TypeGuards.isWordToken(prop) || TypeGuards.isQuotedToken(prop)) key = prop.content;
    else if (index > 0 && TypeGuards.isNumberToken(prop) && prop.content >= 0) key = prop.content;
    else return undefined; // a variable index, a negative index (counted from the end), ...
    if (SPECIAL_KEYS.has(key)) return undefined;
    keys.push(key);
  }
  const steps: Step[] = [];
  for (const filter of output.value.filters) {
    const step = compileFilter(filter, liquid, date);
    if (step === undefined) return undefined;
    steps.push(step);
  }
  if (steps.length === 0) return (scope) => lookUp(scope, keys);
  return (scope) => {
    let value = lookUp(scope, keys);
    for (const step of steps) {
      if (value === EXOTIC) return EXOTIC;
      value = step(value, scope);
    }
    return value;
  };
}

/** Whether the engine's options are those whose behaviour the fast path reproduces. */
function supportedOptions(liquid: Liquid): boolean {
  const options = liquid.options;
  return (
    options.ownPropertyOnly === true &&
    !options.strictVariables &&
    !options.jsTruthy &&
    !options.keepOutputType &&
    options.outputEscape === undefined &&
    Object.keys(options.globals).length === 0 &&
    options.memoryLimit === Number.POSITIVE_INFINITY &&
    options.renderLimit === Number.POSITIVE_INFINITY
  );
}

/**
 * Compiles a template liquidjs has parsed (with `liquid`) into a fast renderer, or answers undefined when
 * the template uses anything beyond the subset above: liquidjs renders it then.
 */
export function compileFastPath(
  source: string,
  templates: readonly Template[],
  liquid: Liquid,
  date: DateFilter,
): FastRender | undefined {
  if (source.includes("{%") || source.includes("{{-") || source.includes("-}}") || !supportedOptions(liquid)) {
    return undefined;
  }
  const parts: (string | ((scope: object) => unknown))[] = [];
  for (const template of templates) {
    if (template instanceof Output) {
      const output = compileOutput(template, liquid, date);
      if (output === undefined) return undefined;
      parts.push(output);
    } else if (TypeGuards.isHTMLToken(template.token)) {
      const text = template.token.getContent();
      const last = parts.length - 1;
      const previous = parts[last];
      if (typeof previous === "string") parts[last] = previous + text;
      else parts.push(text);
    } else {
      return undefined;
    }
  }
  return assemble(parts);
}

function assemble(parts: readonly (string | ((scope: object) => unknown))[]): FastRender {
  const only = parts[0];
  if (only === undefined) return () => "";
  if (parts.length === 1 && typeof only === "string") return () => only;
  // A liquidjs Context given as the scope is used as the render's context, not read as an object.
  if (parts.length === 1 && typeof only === "function") {
    return (scope) => {
      if (scope instanceof Context) return undefined;
      const value = only(scope);
      return value === EXOTIC ? undefined : stringify(value);
    };
  }
  return (scope) => {
    if (scope instanceof Context) return undefined;
    let text = "";
    for (const part of parts) {
      if (typeof part === "string") {
        text += part;
      } else {
        const value = part(scope);
        if (value === EXOTIC) return undefined;
        text += typeof value === "string" ? value : stringify(value);
      }
    }
    return text;
  };
}
