import { describe, expect, it } from "vitest";
import {
  formatInTimeZone,
  parseTemplate,
  pickLocale,
  renderTemplate,
  templateVariables,
} from "../../functions/engine/templates.ts";

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
