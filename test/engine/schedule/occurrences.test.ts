import { describe, expect, it } from "vitest";
import { parseSchedule, type Schedule } from "../../../functions/engine/schedule/cron.ts";
import {
  localOccurrenceFor,
  nextOccurrence,
  nextOccurrences,
  occurrenceInZone,
} from "../../../functions/engine/schedule/occurrences.ts";
import { localDateTime } from "../../../functions/shared/local-time.ts";
import { formatInstant } from "../../../functions/shared/time.ts";

const SHANGHAI = "Asia/Shanghai";
const LONDON = "Europe/London";
const LOS_ANGELES = "America/Los_Angeles";
const MEMBER_DAY = "cron(0 10 ? * FRI *)";

function schedule(text: string): Schedule {
  const result = parseSchedule(text);
  if (!result.ok) throw new Error(result.problem);
  return result.schedule;
}

/** The next `count` occurrences after an ISO instant, as ISO instants. */
function next(text: string, zone: string, after: string, count = 5): string[] {
  return nextOccurrences(schedule(text), zone, Date.parse(after), count).map(formatInstant);
}

describe("member day, every Friday at 10:00, in each user's zone across the DST changes", () => {
  it.each([
    // Shanghai has no DST: 10:00 is 02:00Z all year.
    [SHANGHAI, "2026-10-19T00:00:00Z", ["2026-10-23T02:00:00Z", "2026-10-30T02:00:00Z", "2026-11-06T02:00:00Z"]],
    [SHANGHAI, "2027-03-08T00:00:00Z", ["2027-03-12T02:00:00Z", "2027-03-19T02:00:00Z", "2027-03-26T02:00:00Z"]],
    // London goes back on 2026-10-25 (BST, +1, to GMT) and forward on 2027-03-28.
    [LONDON, "2026-10-19T00:00:00Z", ["2026-10-23T09:00:00Z", "2026-10-30T10:00:00Z", "2026-11-06T10:00:00Z"]],
    [LONDON, "2027-03-22T00:00:00Z", ["2027-03-26T10:00:00Z", "2027-04-02T09:00:00Z", "2027-04-09T09:00:00Z"]],
    // Los Angeles goes back on 2026-11-01 (PDT, -7, to PST, -8) and forward on 2027-03-14.
    [LOS_ANGELES, "2026-10-26T00:00:00Z", ["2026-10-30T17:00:00Z", "2026-11-06T18:00:00Z", "2026-11-13T18:00:00Z"]],
    [LOS_ANGELES, "2027-03-08T00:00:00Z", ["2027-03-12T18:00:00Z", "2027-03-19T17:00:00Z", "2027-03-26T17:00:00Z"]],
  ])("in %s after %s", (zone, after, expected) => {
    // Act
    const occurrences = next(MEMBER_DAY, zone, after, 3);
    // Assess: the UTC instants move with the offset, the local clock stays at Friday 10:00
    expect(occurrences).toEqual(expected);
    const local = occurrences.map((at) => localDateTime(Date.parse(at), zone).slice(11, 16));
    expect(local).toEqual(["10:00", "10:00", "10:00"]);
  });

  it("give the local date of each user's occurrence, for once per user per Friday", () => {
    // Prepare: Thursday 2026-10-29 20:00Z, which is already Friday morning in Shanghai
    const after = Date.parse("2026-10-29T20:00:00Z");
    // Act
    const inShanghai = occurrenceInZone(schedule(MEMBER_DAY), SHANGHAI, after);
    const inLosAngeles = occurrenceInZone(schedule(MEMBER_DAY), LOS_ANGELES, after);
    // Assess: both on Friday the 30th, their own 10:00, fifteen hours apart
    expect(inShanghai).toEqual({ at: Date.parse("2026-10-30T02:00:00Z"), localDate: "2026-10-30", localTime: "10:00" });
    expect(inLosAngeles).toEqual({
      at: Date.parse("2026-10-30T17:00:00Z"),
      localDate: "2026-10-30",
      localTime: "10:00",
    });
  });
});

describe("a local time the clocks skip in spring (EventBridge Scheduler skips that invocation)", () => {
  it("has no occurrence on the day of the change in London (01:00 to 02:00 on 2027-03-28)", () => {
    // Act
    const occurrences = next("cron(30 1 * * ? *)", LONDON, "2027-03-26T00:00:00Z", 3);
    // Assess: the 26th and 27th at 01:30 GMT, nothing on the 28th, the 29th at 01:30 BST
    expect(occurrences).toEqual(["2027-03-26T01:30:00Z", "2027-03-27T01:30:00Z", "2027-03-29T00:30:00Z"]);
  });

  it("has no occurrence on the day of the change in Los Angeles (02:00 to 03:00 on 2027-03-14)", () => {
    // Act
    const occurrences = next("cron(30 2 * * ? *)", LOS_ANGELES, "2027-03-12T00:00:00Z", 3);
    // Assess
    expect(occurrences).toEqual(["2027-03-12T10:30:00Z", "2027-03-13T10:30:00Z", "2027-03-15T09:30:00Z"]);
  });

  it("skips every minute of the missing hour, and goes on after it", () => {
    // Prepare: every minute from 02:00 to 02:59, asked at 01:59 PST on the day of the change
    const after = "2027-03-14T09:59:00Z";
    // Act
    const occurrences = next("cron(* 2 * * ? *)", LOS_ANGELES, after, 2);
    // Assess: the next 02:00 is the next day's, in PDT
    expect(occurrences).toEqual(["2027-03-15T09:00:00Z", "2027-03-15T09:01:00Z"]);
  });
});

describe("a local time the clocks show twice in autumn (EventBridge Scheduler runs it once)", () => {
  it("occurs once in London on 2026-10-25, the first time 01:30 is shown", () => {
    // Act
    const occurrences = next("cron(30 1 * * ? *)", LONDON, "2026-10-24T12:00:00Z", 2);
    // Assess: 01:30 BST (00:30Z), not again at 01:30 GMT (01:30Z); the next day 01:30 GMT
    expect(occurrences).toEqual(["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]);
  });

  it("occurs once in Los Angeles on 2026-11-01, the first time 01:30 is shown", () => {
    // Act
    const occurrences = next("cron(30 1 * * ? *)", LOS_ANGELES, "2026-10-31T12:00:00Z", 2);
    // Assess: 01:30 PDT (08:30Z), not 01:30 PST (09:30Z)
    expect(occurrences).toEqual(["2026-11-01T08:30:00Z", "2026-11-02T09:30:00Z"]);
  });

  it("runs a half-hourly schedule through the repeated hour without repeating it", () => {
    // Act: from midnight PDT
    const occurrences = next("cron(0/30 * * * ? *)", LOS_ANGELES, "2026-11-01T07:00:00Z", 5);
    // Assess: 00:30, 01:00 and 01:30 PDT, then 02:00 and 02:30 PST (the hour from 09:00Z is the repeat)
    expect(occurrences).toEqual([
      "2026-11-01T07:30:00Z",
      "2026-11-01T08:00:00Z",
      "2026-11-01T08:30:00Z",
      "2026-11-01T10:00:00Z",
      "2026-11-01T10:30:00Z",
    ]);
  });

  it("asked during the repeat, gives the first time after it, not one that already ran", () => {
    // Prepare: 01:10 PST, the second 01:10 of the night
    const after = Date.parse("2026-11-01T09:10:00Z");
    // Act
    const occurrence = nextOccurrence(schedule("cron(0/30 * * * ? *)"), LOS_ANGELES, after);
    // Assess: 01:30 ran at 08:30Z; next is 02:00 PST
    expect(formatInstant(occurrence ?? 0)).toBe("2026-11-01T10:00:00Z");
  });
});

describe("occurrences of L, W and #", () => {
  it.each([
    ["cron(0 20 L * ? *)", SHANGHAI, ["2026-11-30T12:00:00Z", "2026-12-31T12:00:00Z", "2027-01-31T12:00:00Z"]],
    ["cron(0 10 LW * ? *)", LONDON, ["2026-11-30T10:00:00Z", "2026-12-31T10:00:00Z", "2027-01-29T10:00:00Z"]],
    ["cron(0 10 15W * ? *)", LONDON, ["2026-11-16T10:00:00Z", "2026-12-15T10:00:00Z", "2027-01-15T10:00:00Z"]],
    ["cron(0 9 ? * MON#1 *)", LONDON, ["2026-11-02T09:00:00Z", "2026-12-07T09:00:00Z", "2027-01-04T09:00:00Z"]],
    ["cron(0 10 ? * 6L *)", LOS_ANGELES, ["2026-11-27T18:00:00Z", "2026-12-25T18:00:00Z", "2027-01-29T18:00:00Z"]],
    ["cron(0 23 L 2 ? *)", "UTC", ["2027-02-28T23:00:00Z", "2028-02-29T23:00:00Z", "2029-02-28T23:00:00Z"]],
  ])("%s in %s", (expression, zone, expected) => {
    // Act / Assess: from the start of November 2026
    expect(next(expression, zone, "2026-11-01T00:00:00Z", 3)).toEqual(expected);
  });
});

describe("the next occurrences", () => {
  it("are the next 5, strictly after the instant given", () => {
    // Prepare: exactly at Friday 2026-11-27 10:00 in Shanghai, an occurrence itself
    const after = "2026-11-27T02:00:00Z";
    // Act
    const occurrences = next(MEMBER_DAY, SHANGHAI, after);
    // Assess
    expect(occurrences).toEqual([
      "2026-12-04T02:00:00Z",
      "2026-12-11T02:00:00Z",
      "2026-12-18T02:00:00Z",
      "2026-12-25T02:00:00Z",
      "2027-01-01T02:00:00Z",
    ]);
  });

  it("step through lists, ranges and increments within a day", () => {
    // Act
    const occurrences = next("cron(0/20 9-10 ? * MON-FRI *)", "UTC", "2026-11-27T10:30:00Z");
    // Assess: Friday 10:40, then Monday from 09:00
    expect(occurrences).toEqual([
      "2026-11-27T10:40:00Z",
      "2026-11-30T09:00:00Z",
      "2026-11-30T09:20:00Z",
      "2026-11-30T09:40:00Z",
      "2026-11-30T10:00:00Z",
    ]);
  });

  it("end with the year field: none after its last year, and none after 2199", () => {
    // Act
    const in2026 = next("cron(0 10 ? * FRI 2026)", SHANGHAI, "2026-12-20T00:00:00Z");
    const last = next("cron(0 10 * * ? *)", "UTC", "2199-12-30T12:00:00Z");
    // Assess
    expect(in2026).toEqual(["2026-12-25T02:00:00Z"]);
    expect(last).toEqual(["2199-12-31T10:00:00Z"]);
  });

  it("start at the year field's first year, and stop for a date that never comes", () => {
    // Act
    const from2030 = next("cron(0 0 1 JAN ? 2030-2031)", "UTC", "2026-11-27T00:00:00Z");
    const never = next("cron(0 0 30 FEB ? *)", "UTC", "2026-11-27T00:00:00Z");
    // Assess
    expect(from2030).toEqual(["2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z"]);
    expect(never).toEqual([]);
  });

  it("refuse a zone that is not an IANA time zone", () => {
    // Act / Assess
    expect(() => nextOccurrence(schedule(MEMBER_DAY), "Mars/Olympus", 0)).toThrow(
      '"Mars/Olympus" is not an IANA time zone',
    );
  });
});

describe("one-time schedules", () => {
  it("fall on one instant per zone, and none once it passed", () => {
    // Prepare
    const at = schedule("at(2026-11-11T10:00:00)");
    const before = Date.parse("2026-11-01T00:00:00Z");
    // Act
    const instants = [SHANGHAI, LONDON, LOS_ANGELES].map((zone) =>
      formatInstant(nextOccurrence(at, zone, before) ?? 0),
    );
    const again = nextOccurrences(at, SHANGHAI, before, 5);
    const passed = nextOccurrence(at, SHANGHAI, Date.parse("2026-11-11T02:00:00Z"));
    // Assess
    expect(instants).toEqual(["2026-11-11T02:00:00Z", "2026-11-11T10:00:00Z", "2026-11-11T18:00:00Z"]);
    expect(again.map(formatInstant)).toEqual(["2026-11-11T02:00:00Z"]);
    expect(passed).toBeUndefined();
  });

  it("keep their seconds, take the first of a time shown twice, and the jump for a time skipped", () => {
    // Act
    const seconds = next("at(2026-11-11T10:00:30)", SHANGHAI, "2026-11-01T00:00:00Z");
    const twice = next("at(2026-11-01T01:30:00)", LOS_ANGELES, "2026-10-01T00:00:00Z");
    const skipped = next("at(2027-03-14T02:30:00)", LOS_ANGELES, "2027-03-01T00:00:00Z");
    // Assess
    expect(seconds).toEqual(["2026-11-11T02:00:30Z"]);
    expect(twice).toEqual(["2026-11-01T08:30:00Z"]);
    expect(skipped).toEqual(["2027-03-14T10:00:00Z"]);
  });
});

describe("rate schedules", () => {
  it("run every 24 hours from their start whatever the zone, so the local time moves with DST", () => {
    // Prepare: started Saturday 2026-10-24 at 10:00 in London (09:00Z)
    const rate = schedule("rate(1 day)");
    const start = Date.parse("2026-10-24T09:00:00Z");
    const after = Date.parse("2026-10-24T12:00:00Z");
    // Act
    const inLondon = nextOccurrences(rate, LONDON, after, 3, start);
    const inShanghai = nextOccurrences(rate, SHANGHAI, after, 3, start);
    const local = occurrenceInZone(rate, LONDON, Date.parse("2026-10-25T00:00:00Z"), start);
    // Assess
    expect(inLondon.map(formatInstant)).toEqual([
      "2026-10-25T09:00:00Z",
      "2026-10-26T09:00:00Z",
      "2026-10-27T09:00:00Z",
    ]);
    expect(inShanghai).toEqual(inLondon);
    expect(local).toEqual({ at: Date.parse("2026-10-25T09:00:00Z"), localDate: "2026-10-25", localTime: "09:00" });
  });

  it("begin at their start when asked before it, and a period after the instant asked without one", () => {
    // Prepare
    const rate = schedule("rate(15 minutes)");
    const start = Date.parse("2026-11-27T02:00:00Z");
    // Act
    const beforeStart = nextOccurrence(rate, "UTC", Date.parse("2026-11-20T00:00:00Z"), start);
    const atStart = nextOccurrence(rate, "UTC", start, start);
    const midway = nextOccurrence(rate, "UTC", Date.parse("2026-11-27T02:20:00Z"), start);
    const unanchored = nextOccurrences(rate, "UTC", Date.parse("2026-11-27T02:07:00Z"), 2);
    // Assess
    expect([beforeStart, atStart, midway].map((ms) => formatInstant(ms ?? 0))).toEqual([
      "2026-11-27T02:00:00Z",
      "2026-11-27T02:15:00Z",
      "2026-11-27T02:30:00Z",
    ]);
    expect(unanchored.map(formatInstant)).toEqual(["2026-11-27T02:22:00Z", "2026-11-27T02:37:00Z"]);
  });
});

describe("a local date and time in a user's own zone", () => {
  it.each([
    [SHANGHAI, "2026-11-27", "10:00", "2026-11-27T02:00:00Z"],
    [LONDON, "2026-11-27", "10:00", "2026-11-27T10:00:00Z"],
    [LOS_ANGELES, "2026-11-27", "10:00", "2026-11-27T18:00:00Z"],
    [LONDON, "2027-04-02", "10:00", "2027-04-02T09:00:00Z"],
    // Shown twice: the first; skipped: the moment of the jump.
    [LOS_ANGELES, "2026-11-01", "01:30", "2026-11-01T08:30:00Z"],
    [LOS_ANGELES, "2027-03-14", "02:30", "2027-03-14T10:00:00Z"],
    [LONDON, "2027-03-28", "01:30", "2027-03-28T01:00:00Z"],
  ])("in %s on %s at %s", (zone, date, time, expected) => {
    // Act / Assess
    expect(formatInstant(localOccurrenceFor(date, time, zone))).toBe(expected);
  });

  it.each([
    ["2026-02-30", "10:00", SHANGHAI, '"2026-02-30" is not a date'],
    ["2026-11-27T10:00", "10:00", SHANGHAI, '"2026-11-27T10:00" is not a local date (YYYY-MM-DD)'],
    ["2026-11-27", "24:00", SHANGHAI, '"24:00" is not a local time (HH:MM, 00:00 to 23:59)'],
    ["2026-11-27", "9:00", SHANGHAI, '"9:00" is not a local time'],
    ["2026-11-27", "10:00", "Pacific/Atlantis", '"Pacific/Atlantis" is not an IANA time zone'],
  ])("refuses %s %s in %s", (date, time, zone, problem) => {
    // Act / Assess
    expect(() => localOccurrenceFor(date, time, zone)).toThrow(problem);
  });
});
