import { describe, expect, it } from "vitest";
import {
  DEFAULT_TIMEZONE,
  formatInTimeZone,
  parseTemplate,
  pickLocale,
  renderTemplate,
  templateVariables,
} from "../../functions/language/templates.ts";

describe("templates", () => {
  it("renders profile, coupon and trigger placeholders", () => {
    // Prepare
    const template = parseTemplate("{{ profile.attributes.nickname | default: '朋友' }}，券码 {{ coupon.code }}");
    // Act
    const text = renderTemplate(template, { profile: { attributes: {} }, coupon: { code: "NEW7K2P9QXM" } });
    // Assess
    expect(text).toBe("朋友，券码 NEW7K2P9QXM");
  });

  it("formats dates in the user's time zone, Asia/Shanghai when the profile has none", () => {
    // Prepare
    const template = parseTemplate("{{ coupon.expiresAt | date: '%-m月%-d日 %H:%M' }}");
    const coupon = { expiresAt: "2026-11-27T16:00:00Z" };
    // Act
    const shanghai = renderTemplate(template, { profile: {}, coupon });
    const london = renderTemplate(template, { profile: { timezone: "Europe/London" }, coupon });
    // Assess
    expect(shanghai).toBe("11月28日 00:00");
    expect(london).toBe("11月27日 16:00");
  });

  it("follows daylight-saving time in zones that have it", () => {
    // Act / Assess: New York is UTC-4 in summer and UTC-5 in winter.
    expect(formatInTimeZone("2026-07-01T12:00:00Z", "%H:%M", "America/New_York")).toBe("08:00");
    expect(formatInTimeZone("2026-12-01T12:00:00Z", "%H:%M", "America/New_York")).toBe("07:00");
  });

  it("falls back to the default zone for an unknown one rather than failing the message", () => {
    // Act / Assess
    expect(formatInTimeZone("2026-11-27T16:00:00Z", "%Y-%m-%d %H:%M %a", "Mars/Base")).toBe("2026-11-28 00:00 周六");
  });

  it("formats as strftime over Intl's own fields would, for any format, zone and instant", () => {
    // Prepare: a reference that asks Intl for every instant and scans the format with a regular expression.
    const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const reference = (ms: number, format: string, zone: string): string => {
      const options = {
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        weekday: "short",
      } as const;
      const time = { hour: "numeric", minute: "numeric", second: "numeric" } as const;
      let formatter: Intl.DateTimeFormat;
      try {
        formatter = new Intl.DateTimeFormat("en-US", { ...options, ...time, timeZone: zone });
      } catch {
        formatter = new Intl.DateTimeFormat("en-US", { ...options, ...time, timeZone: DEFAULT_TIMEZONE });
      }
      const field = Object.fromEntries(formatter.formatToParts(ms).map((part) => [part.type, part.value]));
      return format.replace(/%(-?)([YmdHMSa%])/g, (_, noPad: string, token: string) => {
        if (token === "%") return "%";
        if (token === "a") return `周${"日一二三四五六"[weekdays.indexOf(field.weekday ?? "")]}`;
        const name = { Y: "year", m: "month", d: "day", H: "hour", M: "minute", S: "second" }[token] ?? "";
        const value = Number(field[name]);
        return noPad === "-" || token === "Y" ? String(value) : String(value).padStart(2, "0");
      });
    };
    const formats = [
      "%Y-%m-%d %H:%M:%S %a",
      "%-m月%-d日 %-H:%M",
      "%%Y %-% %q %-q 100%",
      "%",
      "",
      "%a%a%%%",
      "%-Y%-M%-S",
    ];
    const zones = [
      "Asia/Shanghai",
      "Europe/London",
      "America/New_York",
      "Asia/Kolkata",
      "Australia/Lord_Howe",
      "Mars/Base",
    ];
    const instants = [
      "2026-11-27T16:00:00Z",
      "2026-03-08T06:59:59Z",
      "2026-03-08T07:00:00Z",
      "2026-03-29T00:59:59.999Z",
      "2026-03-29T01:00:00Z",
      "2026-10-04T15:29:59Z",
      "2026-10-04T15:30:00Z",
      "2024-02-29T23:45:07Z",
      "1999-12-31T23:59:59Z",
    ].map((iso) => Date.parse(iso));
    const differences: string[] = [];
    // Act
    for (const format of formats) {
      for (const zone of zones) {
        for (const ms of instants) {
          const expected = reference(ms, format, zone);
          const actual = formatInTimeZone(ms, format, zone);
          if (actual !== expected) differences.push(`${format} ${zone} ${ms}: ${actual} ≠ ${expected}`);
        }
      }
    }
    // Assess
    expect(differences).toEqual([]);
  });

  it("still throws liquidjs's error for a template that does not parse", () => {
    // Act / Assess
    expect(() => parseTemplate("{{ coupon.code")).toThrow(/line:1/);
  });

  it("lists the variables a template reads, for validation", () => {
    // Act
    const variables = templateVariables(parseTemplate("{{ coupon.code }} {{ trigger.detail.orderId }}"));
    // Assess
    expect(variables).toEqual([
      ["coupon", "code"],
      ["trigger", "detail", "orderId"],
    ]);
  });

  it("picks the exact locale, then the same language, then zh-CN", () => {
    // Act / Assess
    expect(pickLocale(["zh-CN", "en"], "en-US")).toBe("en");
    expect(pickLocale(["zh-CN", "en-US"], "en-US")).toBe("en-US");
    expect(pickLocale(["zh-CN", "en"], "ja-JP")).toBe("zh-CN");
    expect(pickLocale(["zh-CN"], undefined)).toBe("zh-CN");
  });
});
