import { describe, expect, it } from "vitest";
import { compileJourney } from "../../functions/engine/compile.ts";
import { emptyProfile } from "../../functions/engine/context.ts";
import { decideEvent } from "../../functions/engine/decide.ts";
import type { Profile } from "../../functions/engine/model.ts";
import { parsePolicyConfig } from "../../functions/engine/policies/config.ts";
import { formatProblem, parseJourney } from "../../functions/journey/load.ts";
import type { JourneyInput } from "../../functions/language/schema.ts";
import { atLocalTime } from "../../functions/shared/local-time.ts";
import { formatInstant } from "../../functions/shared/time.ts";
import { journey, shopEvent } from "./fixtures.ts";

/**
 * wait-until with `localTime` and `days`: a wall-clock time in the user's zone on a local date counted
 * from the time read, as checkin-streak's "20:00 the day after the check-in" needs, across DST changes.
 */

const NO_QUIET = parsePolicyConfig({ quietHours: null, caps: [] });

/** Waits from the trigger (a check-in) to `localTime` `days` local dates later, then greets. */
function waitingJourney(waitUntil: Record<string, unknown>, extra: Partial<JourneyInput> = {}) {
  return compileJourney(
    journey({
      trigger: { type: "event", pattern: { "detail-type": ["user.checked_in"] } },
      start: "evening",
      steps: [
        { id: "evening", type: "wait-until", time: "trigger.time", ...waitUntil, next: "greet" } as never,
        { id: "greet", type: "send", channel: "push", template: "hello" },
      ],
      ...extra,
    }),
  );
}

/** The wake-up the run waits for after a check-in at `time` by a user of `profile`. */
function wakeAfterCheckIn(waitUntil: Record<string, unknown>, time: string, profile?: Partial<Profile>, tz?: string) {
  const event = shopEvent("user.checked_in", time, { userId: "u1" });
  const decision = decideEvent({
    current: waitingJourney(waitUntil),
    record: undefined,
    key: "u1",
    profile: { ...emptyProfile("u1"), ...profile },
    now: Date.parse(time),
    event,
    policy: { config: tz === undefined ? NO_QUIET : { ...NO_QUIET, defaultTimezone: tz } },
  });
  return decision?.record.run?.wake?.at;
}

const utc = (ms: number) => formatInstant(ms);

describe("atLocalTime", () => {
  it.each([
    ["Asia/Shanghai, the next day", "2026-11-02T02:00:00Z", 1, "20:00", "Asia/Shanghai", "2026-11-03T12:00:00Z"],
    [
      "Asia/Shanghai, a check-in at 23:30 local",
      "2026-11-02T15:30:00Z",
      1,
      "20:00",
      "Asia/Shanghai",
      "2026-11-03T12:00:00Z",
    ],
    ["Asia/Shanghai, the same day", "2026-11-02T02:00:00Z", 0, "20:00", "Asia/Shanghai", "2026-11-02T12:00:00Z"],
    [
      "New York, EDT to the first EST evening",
      "2026-10-31T14:00:00Z",
      1,
      "20:00",
      "America/New_York",
      "2026-11-02T01:00:00Z",
    ],
    [
      "New York, EST to the first EDT evening",
      "2026-03-07T15:00:00Z",
      1,
      "20:00",
      "America/New_York",
      "2026-03-09T00:00:00Z",
    ],
    [
      "New York, 02:30 skipped in spring: the jump",
      "2026-03-07T15:00:00Z",
      1,
      "02:30",
      "America/New_York",
      "2026-03-08T07:00:00Z",
    ],
    [
      "New York, 01:30 shown twice in autumn: the first",
      "2026-10-31T14:00:00Z",
      1,
      "01:30",
      "America/New_York",
      "2026-11-01T05:30:00Z",
    ],
    [
      "London, BST to the first GMT evening",
      "2026-10-24T09:00:00Z",
      1,
      "20:00",
      "Europe/London",
      "2026-10-25T20:00:00Z",
    ],
    ["London, a BST evening", "2026-10-23T09:00:00Z", 1, "20:00", "Europe/London", "2026-10-24T19:00:00Z"],
    ["London, across a month end", "2026-10-31T09:00:00Z", 2, "00:00", "Europe/London", "2026-11-02T00:00:00Z"],
  ])("%s", (_what, from, days, localTime, zone, expected) => {
    // Act
    const at = atLocalTime(Date.parse(from), { localTime, days }, zone);
    // Assess
    expect(utc(at)).toBe(expected);
  });
});

describe("wait-until with localTime", () => {
  it("waits for 20:00 the next day in the profile's zone, across the autumn DST change", () => {
    // Act: a New York check-in at 10:00 EDT on Saturday; Sunday's 20:00 is EST.
    const wake = wakeAfterCheckIn({ localTime: "20:00", days: 1 }, "2026-10-31T14:00:00Z", {
      timezone: "America/New_York",
    });
    // Assess: 24 hours on would have been 19:00 on Sunday's clocks.
    expect(wake).toBe("2026-11-02T01:00:00Z");
  });

  it("uses the policy's default zone for a profile with no zone, or one the runtime does not know", () => {
    // Act
    const none = wakeAfterCheckIn({ localTime: "20:00", days: 1 }, "2026-10-23T09:00:00Z", {}, "Europe/London");
    const unknown = wakeAfterCheckIn(
      { localTime: "20:00", days: 1 },
      "2026-10-23T09:00:00Z",
      { timezone: "Mars/Olympus" },
      "Europe/London",
    );
    // Assess
    expect(none).toBe("2026-10-24T19:00:00Z");
    expect(unknown).toBe("2026-10-24T19:00:00Z");
  });

  it("applies the offset before taking the local date", () => {
    // Act: 23:00 Shanghai on Nov 2, plus 2 hours, is Nov 3 local: 20:00 on Nov 4.
    const wake = wakeAfterCheckIn({ offset: "PT2H", localTime: "20:00", days: 1 }, "2026-11-02T15:00:00Z");
    // Assess
    expect(wake).toBe("2026-11-04T12:00:00Z");
  });

  it("keeps the plain wait-until: the time plus the offset, whatever the zone", () => {
    // Act
    const wake = wakeAfterCheckIn({ offset: "P1D" }, "2026-10-31T14:00:00Z", { timezone: "America/New_York" });
    // Assess
    expect(wake).toBe("2026-11-01T14:00:00Z");
  });

  it("continues at once when that local time has passed", () => {
    // Act: 21:00 Shanghai, waiting for 20:00 on the same day.
    const wake = wakeAfterCheckIn({ localTime: "20:00", days: 0 }, "2026-11-02T13:00:00Z");
    // Assess
    expect(wake).toBeUndefined();
  });
});

describe("validUntil with localTime", () => {
  it("drops a message due after the local time", () => {
    // Prepare: a message due at once, valid until 20:00 on the trigger's local day, which has passed.
    const late = compileJourney(
      journey({
        trigger: { type: "event", pattern: { "detail-type": ["user.checked_in"] } },
        start: "greet",
        steps: [
          {
            id: "greet",
            type: "send",
            channel: "push",
            template: "hello",
            validUntil: { time: "trigger.time", localTime: "20:00" },
          },
        ],
      }),
    );
    const event = shopEvent("user.checked_in", "2026-11-02T13:00:00Z", { userId: "u1" });
    // Act
    const decision = decideEvent({
      current: late,
      record: undefined,
      key: "u1",
      profile: emptyProfile("u1"),
      now: Date.parse(event.time),
      event,
      policy: { config: NO_QUIET },
    });
    // Assess
    expect(decision?.effects.find((effect) => effect.type === "message.suppressed")).toMatchObject({
      reason: "expired",
    });
  });
});

describe("validation of localTime and days", () => {
  const file = (step: Record<string, unknown>) =>
    JSON.stringify({
      id: "evening",
      version: 1,
      name: "Evening",
      trigger: { type: "event", pattern: { "detail-type": ["user.checked_in"] } },
      start: "evening",
      steps: [{ id: "evening", type: "wait-until", time: "trigger.time", ...step }],
    });

  it.each([
    [
      "a time of day past 23:59",
      { localTime: "24:00" },
      'steps[0].localTime: expected a time of day HH:MM such as "20:00", got "24:00"',
    ],
    [
      "a time without its leading zero",
      { localTime: "8:00" },
      'steps[0].localTime: expected a time of day HH:MM such as "20:00", got "8:00"',
    ],
    [
      "days without a localTime",
      { days: 1 },
      'steps[0].days: expected "localTime" with "days": days count local dates, to a time of day',
    ],
  ])("refuses %s, at its path", (_what, step, problem) => {
    // Act
    const parsed = parseJourney(file(step), "evening.json");
    // Assess
    expect(parsed.journey).toBeUndefined();
    expect(parsed.problems.map(formatProblem)).toEqual([`evening.json: ${problem}`]);
  });

  it("accepts a localTime with days", () => {
    // Act
    const parsed = parseJourney(file({ localTime: "20:00", days: 1 }), "evening.json");
    // Assess
    expect(parsed.problems).toEqual([]);
  });
});
