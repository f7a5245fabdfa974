import { Liquid, type Template } from "liquidjs";

/**
 * Message templates in Liquid (liquidjs, the engine of Shopify's Liquid). Templates are parsed once per
 * journey version and rendered many times. The `date` filter is replaced by one that formats in the
 * user's own time zone (profile.timezone, else the platform default) with cached Intl formatters: the
 * stock filter builds a formatter per call and renders twenty times slower.
 */

export const DEFAULT_TIMEZONE = "Asia/Shanghai";
export const DEFAULT_LOCALE = "zh-CN";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const weekdaysZh: Record<string, string> = {
  Mon: "一",
  Tue: "二",
  Wed: "三",
  Thu: "四",
  Fri: "五",
  Sat: "六",
  Sun: "日",
};

/** strftime-style formatting of an instant in a time zone: %Y %m %d %H %M %S %-m %-d %-H %a (周X) %%. */
export function formatInTimeZone(value: unknown, format: string, timeZone: string): string {
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) return String(value ?? "");
  let zone = timeZone;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatterFor(zone).formatToParts(ms);
  } catch {
    zone = DEFAULT_TIMEZONE;
    parts = formatterFor(zone).formatToParts(ms);
  }
  const field: Record<string, string> = {};
  for (const part of parts) field[part.type] = part.value;
  return format.replace(/%(-?)([YmdHMSa%])/g, (_, noPad: string, token: string) => {
    const raw =
      token === "Y"
        ? field.year
        : token === "m"
          ? field.month
          : token === "d"
            ? field.day
            : token === "H"
              ? field.hour
              : token === "M"
                ? field.minute
                : token === "S"
                  ? field.second
                  : token === "a"
                    ? `周${weekdaysZh[field.weekday ?? ""] ?? ""}`
                    : "%";
    return noPad === "-" ? String(Number(raw)) : (raw ?? "");
  });
}

function createLiquid(): Liquid {
  const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true });
  liquid.registerFilter("date", function (this: { context: { getSync(path: string[]): unknown } }, value, format, tz) {
    const timeZone = typeof tz === "string" ? tz : this.context.getSync(["profile", "timezone"]);
    return formatInTimeZone(
      value,
      typeof format === "string" ? format : "%Y-%m-%d %H:%M",
      typeof timeZone === "string" ? timeZone : DEFAULT_TIMEZONE,
    );
  });
  return liquid;
}

const liquid = createLiquid();

export type ParsedTemplate = Template[];

/** Parses a template; throws liquidjs's error (with line and column) for a syntax error. */
export function parseTemplate(source: string): ParsedTemplate {
  return liquid.parse(source);
}

export function renderTemplate(template: ParsedTemplate, scope: object): string {
  return String(liquid.renderSync(template, scope));
}

/** The variable paths a template reads from its scope, e.g. [["coupon", "code"], ["profile", "locale"]]. */
export function templateVariables(template: ParsedTemplate): (string | number)[][] {
  return liquid.globalVariableSegmentsSync(template) as (string | number)[][];
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
