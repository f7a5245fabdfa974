import { describe, expect, it } from "vitest";
import { type CapRule, capAllowsAt, capsFor, type SentMessage } from "../../../functions/engine/policies/caps.ts";
import { parsePolicyConfig } from "../../../functions/engine/policies/config.ts";

const HOUR = 3_600_000;
const T = Date.parse("2026-11-25T04:00:00Z");
const sentAt = (ms: number, overrides: Partial<SentMessage> = {}): SentMessage => ({
  at: new Date(ms).toISOString(),
  journeyId: "other",
  channel: "push",
  category: "marketing",
  ...overrides,
});
const everySend = (max: number, hours: number): CapRule => ({
  rule: "cap:test",
  max,
  windowMs: hours * HOUR,
  counts: () => true,
});

describe("capAllowsAt", () => {
  it("counts a deferred message's held place only once its time has come", () => {
    // Prepare: a place held an hour ahead, and one held an hour ago (its message went then).
    const ahead = sentAt(T + HOUR, { held: true });
    const past = sentAt(T - HOUR, { held: true });
    // Act / Assess: a send ahead that is not held counts (a clock running behind another); a place does not
    expect(capAllowsAt(everySend(1, 4), [ahead], T)).toBe(T);
    expect(capAllowsAt(everySend(1, 4), [sentAt(T + HOUR)], T)).toBe(T + 5 * HOUR);
    expect(capAllowsAt(everySend(1, 4), [past], T)).toBe(T + 3 * HOUR);
  });

  it("allows now while fewer than max sends are inside the window", () => {
    // Prepare
    const sends = [sentAt(T - 3 * HOUR), sentAt(T - 5 * HOUR)];
    // Act / Assess
    expect(capAllowsAt(everySend(2, 4), sends, T)).toBe(T);
  });

  it("no longer counts a send exactly one window old", () => {
    // Act / Assess
    expect(capAllowsAt(everySend(1, 4), [sentAt(T - 4 * HOUR)], T)).toBe(T);
  });

  it("allows again once enough of the oldest sends have aged out of the window", () => {
    // Prepare: 3 sends in the last 4 hours, at most 2: the oldest but one must age out, at T+2h.
    const sends = [sentAt(T - 1 * HOUR), sentAt(T - 3 * HOUR), sentAt(T - 2 * HOUR)];
    // Act / Assess
    expect(capAllowsAt(everySend(2, 4), sends, T)).toBe(T + 2 * HOUR);
  });

  it("counts a send stamped after the decision time (another clock slightly ahead)", () => {
    // Act / Assess
    expect(capAllowsAt(everySend(1, 4), [sentAt(T + 1000)], T)).toBe(T + 1000 + 4 * HOUR);
  });
});

describe("capsFor", () => {
  const config = parsePolicyConfig({
    caps: [
      { id: "daily", max: 3, per: "PT24H", scope: "user" },
      { id: "push-hourly", max: 1, per: "PT1H", scope: "channel" },
      { id: "everything", max: 10, per: "PT24H", scope: "user", appliesTo: "all" },
    ],
  });

  it("applies marketing caps to marketing messages, counting marketing sends on the scope's channels", () => {
    // Act
    const rules = capsFor({ journeyId: "j", channel: "push", category: "marketing" }, config.caps, []);
    const [daily, channel, everything] = rules;
    // Assess
    expect(rules.map((r) => r.rule)).toEqual(["cap:daily", "cap:push-hourly", "cap:everything"]);
    expect(daily?.counts(sentAt(T, { channel: "email" }))).toBe(true);
    expect(daily?.counts(sentAt(T, { category: "service" }))).toBe(false);
    expect(channel?.counts(sentAt(T, { channel: "email" }))).toBe(false);
    expect(channel?.counts(sentAt(T, { channel: "push" }))).toBe(true);
    expect(everything?.counts(sentAt(T, { category: "service" }))).toBe(true);
  });

  it("applies only caps for all messages to a service message", () => {
    // Act
    const rules = capsFor({ journeyId: "j", channel: "push", category: "service" }, config.caps, []);
    // Assess
    expect(rules.map((r) => r.rule)).toEqual(["cap:everything"]);
  });

  it("adds the journey's own caps, counting only that journey's sends", () => {
    // Act
    const [weekly] = capsFor(
      { journeyId: "welcome", channel: "push", category: "service" },
      [],
      [{ id: "weekly", max: 1, per: "P7D" }],
    );
    // Assess
    expect(weekly).toMatchObject({ rule: "journey-cap:weekly", max: 1, windowMs: 7 * 24 * HOUR });
    expect(weekly?.counts(sentAt(T, { journeyId: "welcome", channel: "sms" }))).toBe(true);
    expect(weekly?.counts(sentAt(T, { journeyId: "guide" }))).toBe(false);
  });
});
