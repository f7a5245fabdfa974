import { describe, expect, it } from "vitest";
import { DAY_MS, formatInstant, parseDuration, parseInstant, utcDay } from "../../functions/shared/time.ts";

describe("parseDuration", () => {
  it.each([
    ["P3D", 3 * 86_400_000],
    ["PT24H", 86_400_000],
    ["-PT24H", -86_400_000],
    ["P1W", 7 * 86_400_000],
    ["PT1H30M", 5_400_000],
    ["PT0.5S", 500],
    ["P1DT12H", 129_600_000],
  ])("reads %s", (text, ms) => {
    // Act / Assess
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["3 days", "P", "PT", "P1M", "P1Y", "P1DT", "", "p3d"])("refuses %j", (text) => {
    // Act / Assess: months and years have no fixed length, so they are refused with the rest.
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("instants", () => {
  it("parses and formats every instant right when many more recur than the memo holds, and ones that share a slot", () => {
    // Prepare: 200,000 instants a second apart, each with and without milliseconds, taken twice in turn,
    // and instants 65,536 seconds apart (the same slot of the formatting memo).
    const start = Date.UTC(2026, 9, 1);
    const instants = Array.from({ length: 200_000 }, (_, i) => start + i * 1000 + (i % 2) * 250);
    const apart = [start, start + 65_536_000, start, start + 65_536_000 + 250, start + 250];
    // Act
    const texts = [...instants, ...instants].map((ms) => formatInstant(ms));
    const parsed = texts.map((text) => parseInstant(text));
    const alternating = apart.map((ms) => [formatInstant(ms), parseInstant(formatInstant(ms))]);
    const twiceInARow = apart.flatMap((ms) => [formatInstant(ms), formatInstant(ms)]);
    const parsedTwiceInARow = twiceInARow.map((text) => parseInstant(text));
    // Assess
    const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
    expect(texts).toEqual([...instants, ...instants].map(iso));
    expect(parsed).toEqual([...instants, ...instants]);
    expect(alternating).toEqual(apart.map((ms) => [iso(ms), ms]));
    expect(twiceInARow).toEqual(apart.flatMap((ms) => [iso(ms), iso(ms)]));
    expect(parsedTwiceInARow).toEqual(apart.flatMap((ms) => [ms, ms]));
    expect([parseInstant("2026-13-01T00:00:00Z"), parseInstant("2026-13-01T00:00:00Z")]).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("formats in UTC without zero milliseconds and keeps non-zero ones", () => {
    // Prepare
    const whole = Date.UTC(2026, 10, 25, 8, 0, 0);
    // Act / Assess
    expect(formatInstant(whole)).toBe("2026-11-25T08:00:00Z");
    expect(formatInstant(whole + 250)).toBe("2026-11-25T08:00:00.250Z");
  });

  it("parses ISO instants with offsets and rejects non-strings", () => {
    // Act / Assess
    expect(parseInstant("2026-11-25T16:00:00+08:00")).toBe(Date.UTC(2026, 10, 25, 8));
    expect(parseInstant("tomorrow")).toBeUndefined();
    expect(parseInstant(42)).toBeUndefined();
  });
});

describe("formatInstant by hand", () => {
  it("agrees with Date.toISOString across years, leap days and millisecond values", () => {
    // Prepare: instants from 1970 to 2400, through leap days and century rules, every few hours, each with
    // its milliseconds and as the whole second (the common case, formatted without Date).
    const instants: number[] = [
      0,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 1, 28, 12),
      Date.UTC(2400, 1, 29),
      Date.UTC(9999, 11, 31, 23, 59, 59),
      Date.UTC(10000, 0, 1),
    ];
    for (let ms = 0; ms < Date.UTC(2400, 0, 1); ms += 7_919_993_417) instants.push(ms, ms - (ms % 1000));
    // Act / Assess
    for (const ms of instants) {
      const iso = new Date(ms).toISOString();
      expect(formatInstant(ms)).toBe(iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso);
    }
  });
});

describe("utcDay", () => {
  it("gives the UTC date of epoch ms and of ISO instants, whatever the time of day", () => {
    expect(utcDay(Date.parse("2026-11-11T00:00:00Z"))).toBe("2026-11-11");
    expect(utcDay(Date.parse("2026-11-11T23:59:59.999Z"))).toBe("2026-11-11");
    expect(utcDay(Date.parse("2026-11-11T23:59:59.999Z") + 1)).toBe("2026-11-12");
    expect(utcDay("2024-02-29T12:00:00Z")).toBe("2024-02-29");
    expect(utcDay(0)).toBe("1970-01-01");
    expect(DAY_MS).toBe(Date.parse("1970-01-02T00:00:00Z"));
  });
});
