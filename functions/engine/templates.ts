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
const offsets = new Map<string, number>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The zone's offset from UTC at an instant, in ms. Asking Intl is slow (~5 µs), and offsets only change
 * at transitions on quarter-hour boundaries, so the answer is kept per zone and quarter hour.
 */
function offsetAt(timeZone: string, ms: number): number {
  const quarter = Math.floor(ms / 900_000);
  const key = `${timeZone}|${quarter}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const at = quarter * 900_000;
    const field: Record<string, number> = {};
    for (const part of formatterFor(timeZone).formatToParts(at)) field[part.type] = Number(part.value);
    const local = Date.UTC(
      field.year ?? 1970,
      (field.month ?? 1) - 1,
      field.day ?? 1,
      field.hour ?? 0,
      field.minute ?? 0,
      field.second ?? 0,
    );
    offset = local - at;
    if (offsets.size >= 50_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

const weekdaysZh = ["日", "一", "二", "三", "四", "五", "六"];
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** strftime-style formatting of an instant in a time zone: %Y %m %d %H %M %S %-m %-d %-H %a (周X) %%. */
export function formatInTimeZone(value: unknown, format: string, timeZone: string): string {
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) return String(value ?? "");
  let offset: number;
  try {
    offset = offsetAt(timeZone, ms);
  } catch {
    offset = offsetAt(DEFAULT_TIMEZONE, ms); // an unknown zone: the platform default, not a failed message
  }
  const local = new Date(ms + offset);
  return format.replace(/%(-?)([YmdHMSa%])/g, (_, noPad: string, token: string) => {
    const value =
      token === "Y"
        ? local.getUTCFullYear()
        : token === "m"
          ? local.getUTCMonth() + 1
          : token === "d"
            ? local.getUTCDate()
            : token === "H"
              ? local.getUTCHours()
              : token === "M"
                ? local.getUTCMinutes()
                : token === "S"
                  ? local.getUTCSeconds()
                  : undefined;
    if (value === undefined) return token === "a" ? `周${weekdaysZh[local.getUTCDay()]}` : "%";
    return noPad === "-" || token === "Y" ? String(value) : pad(value);
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
