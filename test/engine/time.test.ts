import { describe, expect, it } from "vitest";
import { formatInstant, parseDuration, parseInstant } from "../../functions/engine/time.ts";

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
