import { describe, expect, it } from "vitest";
import type { QuietHours } from "../../../functions/engine/policies/config.ts";
import { quietHoursEnd } from "../../../functions/engine/policies/quiet-hours.ts";

const utc = (iso: string) => Date.parse(iso);
const night: QuietHours = { start: "21:00", end: "09:00", appliesTo: "marketing" };
const endOf = (hours: QuietHours, iso: string, zone: string) => {
  const end = quietHoursEnd(hours, utc(iso), zone);
  return end === undefined ? undefined : new Date(end).toISOString();
};

describe("quiet hours over midnight (21:00-09:00)", () => {
  it.each([
    ["20:59 local", "2026-11-25T12:59:00Z", undefined],
    ["21:00 local", "2026-11-25T13:00:00Z", "2026-11-26T01:00:00.000Z"],
    ["23:30 local", "2026-11-25T15:30:00Z", "2026-11-26T01:00:00.000Z"],
    ["03:00 local", "2026-11-25T19:00:00Z", "2026-11-26T01:00:00.000Z"],
    ["08:59 local", "2026-11-26T00:59:00Z", "2026-11-26T01:00:00.000Z"],
    ["09:00 local", "2026-11-26T01:00:00Z", undefined],
  ])("in Asia/Shanghai (no daylight saving), at %s end at 09:00 local or do not hold", (_, at, end) => {
    // Act / Assess
    expect(endOf(night, at, "Asia/Shanghai")).toBe(end);
  });

  it.each([
    // New York: 8 March 2026, 02:00 EST becomes 03:00 EDT; 1 November, 02:00 EDT becomes 01:00 EST.
    [
      "America/New_York",
      "spring, due 22:00 EST the evening before",
      "2026-03-08T03:00:00Z",
      "2026-03-08T13:00:00.000Z",
    ],
    ["America/New_York", "spring, due 01:30 EST before the jump", "2026-03-08T06:30:00Z", "2026-03-08T13:00:00.000Z"],
    ["America/New_York", "spring, due 04:00 EDT after the jump", "2026-03-08T08:00:00Z", "2026-03-08T13:00:00.000Z"],
    [
      "America/New_York",
      "autumn, due 22:00 EDT the evening before",
      "2026-11-01T02:00:00Z",
      "2026-11-01T14:00:00.000Z",
    ],
    [
      "America/New_York",
      "autumn, due 01:30 EST, the second showing",
      "2026-11-01T06:30:00Z",
      "2026-11-01T14:00:00.000Z",
    ],
    // Berlin: 29 March 2026, 02:00 CET becomes 03:00 CEST; 25 October, 03:00 CEST becomes 02:00 CET.
    ["Europe/Berlin", "spring, due 22:30 CET the evening before", "2026-03-28T21:30:00Z", "2026-03-29T07:00:00.000Z"],
    ["Europe/Berlin", "autumn, due 22:00 CEST the evening before", "2026-10-24T20:00:00Z", "2026-10-25T08:00:00.000Z"],
  ])("in %s on a change night (%s) end at 09:00 on the user's clock", (zone, _, at, end) => {
    // Act / Assess: the night is an hour shorter (spring) or longer (autumn) in UTC; 09:00 stays 09:00.
    expect(endOf(night, at, zone)).toBe(end);
  });
});

describe("quiet hours within a day and at the edges of a change", () => {
  it("holds a lunchtime window until its end the same day", () => {
    // Prepare
    const lunch: QuietHours = { start: "12:00", end: "13:30", appliesTo: "marketing" };
    // Act / Assess
    expect(endOf(lunch, "2026-11-25T04:15:00Z", "Asia/Shanghai")).toBe("2026-11-25T05:30:00.000Z");
    expect(endOf(lunch, "2026-11-25T05:30:00Z", "Asia/Shanghai")).toBeUndefined();
    expect(endOf(lunch, "2026-11-25T03:59:00Z", "Asia/Shanghai")).toBeUndefined();
  });

  it("ends a window whose end the spring change skips at the jump", () => {
    // Prepare: 02:30 does not exist in New York on 8 March 2026; the clocks reach it at 03:00 EDT (07:00Z).
    const early: QuietHours = { start: "00:30", end: "02:30", appliesTo: "marketing" };
    // Act / Assess
    expect(endOf(early, "2026-03-08T06:00:00Z", "America/New_York")).toBe("2026-03-08T07:00:00.000Z");
  });

  it("ends a window inside the hour the autumn change repeats at the end's next showing, never in the past", () => {
    // Prepare: New York shows 01:00-01:59 twice on 1 November 2026, first EDT (05:xxZ), then EST (06:xxZ).
    const repeated: QuietHours = { start: "01:00", end: "01:30", appliesTo: "marketing" };
    // Act / Assess
    expect(endOf(repeated, "2026-11-01T05:10:00Z", "America/New_York")).toBe("2026-11-01T05:30:00.000Z");
    expect(endOf(repeated, "2026-11-01T06:10:00Z", "America/New_York")).toBe("2026-11-01T06:30:00.000Z");
  });
});
