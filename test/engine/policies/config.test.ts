import { describe, expect, it } from "vitest";
import {
  InvalidPolicyError,
  parseJourneyPolicy,
  parsePolicyConfig,
} from "../../../functions/engine/policies/config.ts";

describe("the platform policy configuration", () => {
  it("fills in the defaults: Asia/Shanghai, quiet 21:00-09:00, 3 marketing a day and 1 per channel per 4 hours, backfills 24 hours late", () => {
    // Act
    const config = parsePolicyConfig({});
    // Assess
    expect(config).toEqual({
      defaultTimezone: "Asia/Shanghai",
      quietHours: { start: "21:00", end: "09:00", appliesTo: "marketing" },
      caps: [
        { id: "marketing-per-day", max: 3, per: "PT24H", scope: "user", appliesTo: "marketing" },
        { id: "marketing-per-channel", max: 1, per: "PT4H", scope: "channel", appliesTo: "marketing" },
      ],
      backfillAfter: "PT24H",
    });
  });

  it("hands out defaults that a caller may change without changing the next caller's", () => {
    // Prepare
    const first = parsePolicyConfig({});
    // Act
    first.caps.pop();
    const second = parsePolicyConfig({});
    // Assess
    expect(second.caps).toHaveLength(2);
  });

  it("takes quiet hours off with null, and caps off with an empty list", () => {
    // Act
    const config = parsePolicyConfig({
      quietHours: null,
      caps: [],
      defaultTimezone: "Europe/Berlin",
      backfillAfter: "P7D",
    });
    // Assess
    expect(config).toEqual({ quietHours: null, caps: [], defaultTimezone: "Europe/Berlin", backfillAfter: "P7D" });
  });

  it.each([
    [{ defaultTimezone: "Mars/Olympus_Mons" }, "defaultTimezone: expected an IANA time zone"],
    [{ quietHours: { start: "9pm", end: "09:00" } }, "quietHours.start: expected a time of day HH:MM"],
    [{ quietHours: { start: "24:00", end: "09:00" } }, "quietHours.start"],
    [{ quietHours: { start: "09:00", end: "09:00" } }, "must not start and end at the same time"],
    [{ caps: [{ id: "month", max: 9, per: "P1M", scope: "user" }] }, "caps.0.per: expected a positive ISO-8601"],
    [{ caps: [{ id: "none", max: 0, per: "PT1H", scope: "user" }] }, "caps.0.max"],
    [{ backfillAfter: "a day" }, "backfillAfter: expected a positive ISO-8601"],
    [{ caps: [{ id: "x", max: 1, per: "PT1H", scope: "journey" }] }, "caps.0.scope"],
    [{ caps: [{ id: "Bad Id", max: 1, per: "PT1H", scope: "user" }] }, "caps.0.id: expected lower-case letters"],
    [
      {
        caps: [
          { id: "twice", max: 1, per: "PT1H", scope: "user" },
          { id: "twice", max: 2, per: "PT2H", scope: "channel" },
        ],
      },
      "caps: cap ids must be unique",
    ],
  ])("refuses %j, naming the field", (input, problem) => {
    // Act / Assess
    expect(() => parsePolicyConfig(input)).toThrow(InvalidPolicyError);
    expect(() => parsePolicyConfig(input)).toThrow(problem);
  });
});

describe("a journey's policy choices", () => {
  it("defaults to priority 0, deferring when capped or in quiet hours, and no caps of its own", () => {
    // Act / Assess
    expect(parseJourneyPolicy({})).toEqual({ priority: 0, whenCapped: "defer", inQuietHours: "defer", caps: [] });
  });

  it("takes its choices and caps", () => {
    // Prepare
    const input = {
      priority: 10,
      whenCapped: "drop",
      inQuietHours: "drop",
      caps: [{ id: "weekly", max: 1, per: "P7D" }],
    };
    // Act / Assess
    expect(parseJourneyPolicy(input)).toEqual(input);
  });

  it.each([
    [{ whenCapped: "later" }, "whenCapped"],
    [{ inQuietHours: "send" }, "inQuietHours"],
    [{ priority: 1.5 }, "priority"],
    [{ caps: [{ id: "weekly", max: 1, per: "one week" }] }, "caps.0.per"],
  ])("refuses %j", (input, field) => {
    // Act / Assess
    expect(() => parseJourneyPolicy(input)).toThrow(`journey policy: ${field}`);
  });
});
