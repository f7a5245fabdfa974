import { Liquid, type Template } from "liquidjs";
import { offsetAt, type UtcFields, utcFields, utcWeekday } from "../shared/local-time.ts";
import { parseInstant } from "../shared/time.ts";
import { compileFastPath, type DateFilter, type FastRender } from "./template-fast-path.ts";

/**
 * Message templates in Liquid (liquidjs, the engine of Shopify's Liquid). Templates are parsed once per
 * journey version and rendered many times. The `date` filter is replaced by one that formats in the
 * user's own time zone (profile.timezone, else the platform default) with cached Intl formatters: the
 * stock filter builds a formatter per call and renders twenty times slower.
 */

export const DEFAULT_TIMEZONE = "Asia/Shanghai";
export const DEFAULT_LOCALE = "zh-CN";

const weekdaysZh = ["日", "一", "二", "三", "四", "五", "六"];
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** A format's pieces: literal text, and the fields to put between them (`-` for no zero padding). */
type FormatPart = string | { token: string; noPad: boolean };
const formats = new Map<string, FormatPart[]>();

/** Splits a format once (messages use a handful) rather than scanning it with a regular expression per date. */
function formatParts(format: string): FormatPart[] {
  let parts = formats.get(format);
  if (parts === undefined) {
    parts = [];
    let from = 0;
    for (const match of format.matchAll(/%(-?)([YmdHMSa%])/g)) {
      if (match.index > from) parts.push(format.slice(from, match.index));
      parts.push({ token: match[2] ?? "%", noPad: match[1] === "-" });
      from = match.index + match[0].length;
    }
    if (from < format.length) parts.push(format.slice(from));
    if (formats.size >= 1_000) formats.clear();
    formats.set(format, parts);
  }
  return parts;
}

function field(local: UtcFields, part: { token: string; noPad: boolean }, shifted: number): string {
  const { token, noPad } = part;
  const value =
    token === "Y"
      ? local.year
      : token === "m"
        ? local.month
        : token === "d"
          ? local.day
          : token === "H"
            ? local.hour
            : token === "M"
              ? local.minute
              : token === "S"
                ? local.second
                : undefined;
  if (value === undefined) return token === "a" ? `周${weekdaysZh[utcWeekday(shifted)]}` : "%";
  return noPad || token === "Y" ? String(value) : pad(value);
}

/** strftime-style formatting of an instant in a time zone: %Y %m %d %H %M %S %-m %-d %-H %a (周X) %%. */
export function formatInTimeZone(value: unknown, format: string, timeZone: string): string {
  const ms =
    typeof value === "number" ? value : typeof value === "string" ? (parseInstant(value) ?? Number.NaN) : Number.NaN;
  if (Number.isNaN(ms)) return String(value ?? "");
  let offset: number;
  try {
    offset = offsetAt(ms, timeZone);
  } catch {
    offset = offsetAt(ms, DEFAULT_TIMEZONE); // an unknown zone: the platform default, not a failed message
  }
  const shifted = ms + offset;
  const local = utcFields(shifted);
  let text = "";
  for (const part of formatParts(format)) {
    text += typeof part === "string" ? part : field(local, part, shifted);
  }
  return text;
}

/** The `date` filter once its time zone is known: an explicit argument, else profile.timezone, else the default. */
function formatDate(value: unknown, format: unknown, timeZone: unknown): string {
  return formatInTimeZone(
    value,
    typeof format === "string" ? format : "%Y-%m-%d %H:%M",
    typeof timeZone === "string" ? timeZone : DEFAULT_TIMEZONE,
  );
}

function dateFilter(
  this: { context: { getSync(path: string[]): unknown } },
  value: unknown,
  format: unknown,
  tz: unknown,
): string {
  return formatDate(value, format, typeof tz === "string" ? tz : this.context.getSync(["profile", "timezone"]));
}

const date: DateFilter = { handler: dateFilter, format: formatDate };

function createLiquid(): Liquid {
  const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true });
  liquid.registerFilter("date", dateFilter);
  return liquid;
}

const liquid = createLiquid();

declare const opaque: unique symbol;
/** A parsed template, to give to renderTemplate and templateVariables. */
export interface ParsedTemplate {
  readonly [opaque]: true;
}

/** What a ParsedTemplate is inside: liquidjs's parse, and the compiled fast path when the template allows one. */
interface Parsed {
  readonly templates: Template[];
  readonly fast: FastRender | undefined;
}

const inside = (template: ParsedTemplate) => template as unknown as Parsed;

/**
 * Parses a template; throws liquidjs's error (with line and column) for a syntax error. Templates made only of
 * text and `{{ path | filter }}` outputs with the common filters are also compiled to a fast path
 * (template-fast-path.ts) that renders exactly what liquidjs renders, ten to thirty times faster.
 */
export function parseTemplate(source: string): ParsedTemplate {
  const templates = liquid.parse(source);
  const parsed: Parsed = { templates, fast: compileFastPath(source, templates, liquid, date) };
  return parsed as unknown as ParsedTemplate;
}

export function renderTemplate(template: ParsedTemplate, scope: object): string {
  const { templates, fast } = inside(template);
  if (fast !== undefined) {
    try {
      const text = fast(scope);
      if (text !== undefined) return text;
    } catch {
      // liquidjs renders it, and throws its own error if it fails too
    }
  }
  return String(liquid.renderSync(templates, scope));
}

/** Whether a template renders by the compiled fast path (for tests and diagnostics). */
export function hasFastPath(template: ParsedTemplate): boolean {
  return inside(template).fast !== undefined;
}

/** The variable paths a template reads from its scope, e.g. [["coupon", "code"], ["profile", "locale"]]. */
export function templateVariables(template: ParsedTemplate): (string | number)[][] {
  return liquid.globalVariableSegmentsSync(inside(template).templates) as (string | number)[][];
}

/** Picks the text for a locale: exact match, then the same language, then the default locale. */
export function pickLocale(available: readonly string[], wanted: string | undefined): string {
  if (wanted !== undefined) {
    if (available.includes(wanted)) return wanted;
    const language = wanted.split("-")[0];
    const sameLanguage = available.find((locale) => locale.split("-")[0] === language);
    if (sameLanguage !== undefined) return sameLanguage;
  }
  return DEFAULT_LOCALE;
}

/** Renders a provider's template parameters (name and parsed Liquid text) with one scope: the values by name. */
export function renderParams(
  params: readonly (readonly [name: string, template: ParsedTemplate])[],
  scope: object,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, template] of params) values[name] = renderTemplate(template, scope);
  return values;
}
