import { describe, expect, it } from "vitest";
import { addDays, instantOfWallTime, isTimeZone, offsetAt, wallTimeAt } from "../../functions/shared/local-time.ts";

const HOUR = 3_600_000;
const utc = (iso: string) => Date.parse(iso);
const wall = (year: number, month: number, day: number, hour: number, minute: number) => ({
  year,
  month,
  day,
  hour,
  minute,
});

describe("time zones", () => {
  it("knows IANA zone names and refuses made-up ones", () => {
    // Act / Assess
    expect(isTimeZone("Asia/Shanghai")).toBe(true);
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isTimeZone("")).toBe(false);
    // The same name asked twice in a row (the last known one is answered first).
    expect([
      isTimeZone("Asia/Tokyo"),
      isTimeZone("Asia/Tokyo"),
      isTimeZone("Mars/Base"),
      isTimeZone("Mars/Base"),
    ]).toEqual([true, true, false, false]);
  });

  it.each([
    ["America/New_York", "2026-01-15T12:00:00Z", -5],
    ["America/New_York", "2026-07-15T12:00:00Z", -4],
    ["Europe/Berlin", "2026-01-15T12:00:00Z", 1],
    ["Europe/Berlin", "2026-07-15T12:00:00Z", 2],
    ["Asia/Shanghai", "2026-01-15T12:00:00Z", 8],
    ["Asia/Shanghai", "2026-07-15T12:00:00Z", 8],
  ])("gives %s the offset it has at %s", (zone, iso, hours) => {
    // Act / Assess
    expect(offsetAt(utc(iso), zone)).toBe(hours * HOUR);
  });

  it.each([
    ["America/New_York", "2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z"],
    ["Europe/London", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z"],
    ["Australia/Lord_Howe", "2026-04-04T14:00:00Z", "2026-04-04T16:00:00Z"],
    ["Asia/Kathmandu", "1985-12-31T18:00:00Z", "1985-12-31T19:00:00Z"],
  ])("agrees with Intl, to the second, each 7 minutes 13 seconds around %s's change at %s", (zone, from, to) => {
    // Prepare: Intl's own reading of the zone's clock, as the reference
    const intl = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    const shown = (ms: number) => {
      const f = Object.fromEntries(intl.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
      return { year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, second: f.second };
    };
    const offsets = new Set<number>();
    // Act / Assess: across the change (the cached hours either side, and the hour it falls in)
    for (let ms = utc(from); ms <= utc(to); ms += 433_000) {
      expect(wallTimeAt(ms, zone)).toEqual(shown(ms));
      offsets.add(offsetAt(ms, zone));
    }
    expect(offsets.size).toBe(2);
  });

  it("reads the local wall-clock time of an instant, past midnight on the zone's calendar", () => {
    // Act
    const local = wallTimeAt(utc("2026-11-25T17:30:15.500Z"), "Asia/Shanghai");
    // Assess
    expect(local).toEqual({ year: 2026, month: 11, day: 26, hour: 1, minute: 30, second: 15 });
  });
});

describe("instantOfWallTime", () => {
  it("finds the one instant an ordinary local time falls on", () => {
    // Act / Assess
    expect(instantOfWallTime(wall(2026, 11, 26, 9, 0), "Asia/Shanghai")).toBe(utc("2026-11-26T01:00:00Z"));
    expect(instantOfWallTime(wall(2026, 3, 8, 9, 0), "America/New_York")).toBe(utc("2026-03-08T13:00:00Z"));
    expect(instantOfWallTime(wall(2026, 3, 7, 9, 0), "America/New_York")).toBe(utc("2026-03-07T14:00:00Z"));
  });

  it("gives a time the spring change skips as the instant of the jump", () => {
    // Prepare: New York clocks go from 01:59:59 EST to 03:00 EDT at 07:00Z on 8 March 2026.
    const skipped = wall(2026, 3, 8, 2, 30);
    // Act
    const instant = instantOfWallTime(skipped, "America/New_York");
    // Assess
    expect(instant).toBe(utc("2026-03-08T07:00:00Z"));
    expect(wallTimeAt(instant, "America/New_York")).toMatchObject({ hour: 3, minute: 0 });
  });

  it("gives a time the autumn change shows twice as its first showing, or the first not before a bound", () => {
    // Prepare: Berlin shows 02:00-02:59 twice on 25 October 2026, at 00:30Z (CEST) and 01:30Z (CET).
    const twice = wall(2026, 10, 25, 2, 30);
    // Act
    const first = instantOfWallTime(twice, "Europe/Berlin");
    const second = instantOfWallTime(twice, "Europe/Berlin", utc("2026-10-25T01:00:00Z"));
    // Assess
    expect(first).toBe(utc("2026-10-25T00:30:00Z"));
    expect(second).toBe(utc("2026-10-25T01:30:00Z"));
  });

  it("rolls calendar dates over months and years", () => {
    // Act / Assess
    expect(addDays(wall(2026, 12, 31, 22, 0), 1, 9, 0)).toEqual(wall(2027, 1, 1, 9, 0));
    expect(addDays(wall(2028, 2, 28, 0, 0), 1, 9, 30)).toEqual(wall(2028, 2, 29, 9, 30));
  });
});
