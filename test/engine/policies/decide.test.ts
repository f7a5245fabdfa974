import { describe, expect, it } from "vitest";
import { emptyProfile } from "../../../functions/engine/context.ts";
import type { Profile } from "../../../functions/engine/model.ts";
import type { SentMessage } from "../../../functions/engine/policies/caps.ts";
import { parseJourneyPolicy, parsePolicyConfig } from "../../../functions/engine/policies/config.ts";
import {
  type DueMessage,
  decideDelivery,
  decideTogether,
  type PolicyInput,
} from "../../../functions/engine/policies/decide.ts";

// Times are in Asia/Shanghai (UTC+8) unless a test says otherwise: 04:00Z is noon there, 14:00Z is 22:00.
const config = parsePolicyConfig({});
const profile = (overrides: Partial<Profile> = {}): Profile => ({
  ...emptyProfile("u1"),
  timezone: "Asia/Shanghai",
  ...overrides,
});
const message = (overrides: Partial<DueMessage> = {}): DueMessage => ({
  journeyId: "welcome",
  channel: "push",
  category: "marketing",
  dueAt: "2026-11-25T04:00:00Z",
  ...overrides,
});
const sent = (at: string, overrides: Partial<SentMessage> = {}): SentMessage => ({
  at,
  journeyId: "other",
  channel: "email",
  category: "marketing",
  ...overrides,
});
const decide = (input: Partial<PolicyInput>) =>
  decideDelivery({
    message: message(),
    journey: parseJourneyPolicy({}),
    profile: profile(),
    recentSends: [],
    config,
    ...input,
  });
const unsubscribed = (channel: string, at = "2026-11-20T00:00:00Z") => ({ [channel]: { subscribed: false, at } });

describe("a message no rule holds back", () => {
  it("goes at its due time", () => {
    // Act / Assess
    expect(decide({})).toEqual({ action: "send", at: "2026-11-25T04:00:00Z" });
  });

  it("is refused with an error when its due time is not an instant", () => {
    // Act / Assess
    expect(() => decide({ message: message({ dueAt: "soon" }) })).toThrow(RangeError);
  });
});

describe("validity", () => {
  it("drops a message due at or after its validUntil", () => {
    // Act / Assess
    expect(decide({ message: message({ validUntil: "2026-11-25T04:00:00Z" }) })).toEqual({
      action: "drop",
      reason: "expired",
      rule: "valid-until",
    });
  });
});

describe("consent", () => {
  it("drops marketing on a channel the user left, and lets other channels through", () => {
    // Prepare
    const user = profile({ consent: unsubscribed("push") });
    // Act
    const onPush = decide({ profile: user });
    const onEmail = decide({ profile: user, message: message({ channel: "email" }) });
    // Assess
    expect(onPush).toEqual({ action: "drop", reason: "unsubscribed", rule: "consent" });
    expect(onEmail.action).toBe("send");
  });

  it("drops marketing on every channel after an all-channel unsubscribe, until a later subscribe", () => {
    // Prepare
    const left = profile({ consent: unsubscribed("*") });
    const back = profile({
      consent: { ...unsubscribed("*"), push: { subscribed: true, at: "2026-11-21T00:00:00Z" } },
    });
    // Act / Assess
    expect(decide({ profile: left, message: message({ channel: "sms" }) }).action).toBe("drop");
    expect(decide({ profile: back }).action).toBe("send");
  });

  it("stops a service message that requires consent, judged as a marketing one's (the later decision wins)", () => {
    // Prepare
    const required = message({ category: "service", consentRequired: true });
    const back = profile({
      consent: { ...unsubscribed("push"), "*": { subscribed: true, at: "2026-11-21T00:00:00Z" } },
    });

    // Act / Assess
    expect(decide({ profile: profile({ consent: unsubscribed("push") }), message: required })).toEqual({
      action: "drop",
      reason: "unsubscribed",
      rule: "consent",
    });
    expect(decide({ profile: back, message: required }).action).toBe("send");
  });

  it("lets a service message through an unsubscribe", () => {
    // Act / Assess
    expect(
      decide({ profile: profile({ consent: unsubscribed("*") }), message: message({ category: "service" }) }),
    ).toEqual({
      action: "send",
      at: "2026-11-25T04:00:00Z",
    });
  });

  it("drops rather than defers a message to an unsubscribed user in quiet hours: waiting would not help", () => {
    // Act
    const decision = decide({
      profile: profile({ consent: unsubscribed("push") }),
      message: message({ dueAt: "2026-11-25T14:00:00Z" }),
    });
    // Assess
    expect(decision).toEqual({ action: "drop", reason: "unsubscribed", rule: "consent" });
  });
});

describe("quiet hours", () => {
  const lateEvening = message({ dueAt: "2026-11-25T14:00:00Z" });

  it("defers a marketing message due at 22:00 to 09:00 the next morning", () => {
    // Act / Assess
    expect(decide({ message: lateEvening })).toEqual({
      action: "defer",
      until: "2026-11-26T01:00:00Z",
      reason: "quiet-hours",
      rule: "quiet-hours",
    });
  });

  it("drops it instead when the journey says so", () => {
    // Act / Assess
    expect(decide({ message: lateEvening, journey: parseJourneyPolicy({ inQuietHours: "drop" }) })).toEqual({
      action: "drop",
      reason: "quiet-hours",
      rule: "quiet-hours",
    });
  });

  it("lets service messages through unless the quiet hours apply to all messages", () => {
    // Prepare
    const notice = message({ dueAt: "2026-11-25T14:00:00Z", category: "service" });
    const strict = parsePolicyConfig({ quietHours: { start: "21:00", end: "09:00", appliesTo: "all" } });
    // Act / Assess
    expect(decide({ message: notice }).action).toBe("send");
    expect(decide({ message: notice, config: strict }).action).toBe("defer");
  });

  it("holds nothing when the platform has none", () => {
    // Act / Assess
    expect(decide({ message: lateEvening, config: parsePolicyConfig({ quietHours: null }) }).action).toBe("send");
  });

  it.each([
    ["Europe/Berlin", "2026-11-25T20:30:00Z", "2026-11-26T08:00:00Z"],
    [undefined, "2026-11-25T14:00:00Z", "2026-11-26T01:00:00Z"],
    ["Nowhere/Atlantis", "2026-11-25T14:00:00Z", "2026-11-26T01:00:00Z"],
  ])("keeps them in the user's zone (%s; none or unknown: Asia/Shanghai)", (timezone, dueAt, until) => {
    // Act
    const decision = decide({ profile: profile({ timezone }), message: message({ dueAt }) });
    // Assess
    expect(decision).toMatchObject({ action: "defer", until });
  });

  it("falls back to the platform's default zone when it is another", () => {
    // Prepare: 20:30Z is 21:30 in Berlin (quiet) and 04:30 in Shanghai (quiet too, but ending at 01:00Z).
    const berlinByDefault = parsePolicyConfig({ defaultTimezone: "Europe/Berlin" });
    // Act
    const decision = decide({
      profile: profile({ timezone: undefined }),
      message: message({ dueAt: "2026-11-25T20:30:00Z" }),
      config: berlinByDefault,
    });
    // Assess
    expect(decision).toMatchObject({ action: "defer", until: "2026-11-26T08:00:00Z" });
  });

  it.each([
    ["America/New_York", "2026-03-08T03:00:00Z", "2026-03-08T13:00:00Z"],
    ["America/New_York", "2026-11-01T02:00:00Z", "2026-11-01T14:00:00Z"],
    ["Europe/Berlin", "2026-03-28T21:30:00Z", "2026-03-29T07:00:00Z"],
    ["Europe/Berlin", "2026-10-24T20:00:00Z", "2026-10-25T08:00:00Z"],
    ["Asia/Shanghai", "2026-03-28T13:30:00Z", "2026-03-29T01:00:00Z"],
  ])("in %s, defers a message due at %s across a daylight-saving night to 09:00 local (%s)", (zone, dueAt, until) => {
    // Act
    const decision = decide({ profile: profile({ timezone: zone }), message: message({ dueAt }) });
    // Assess
    expect(decision).toEqual({ action: "defer", until, reason: "quiet-hours", rule: "quiet-hours" });
  });
});

describe("frequency caps", () => {
  // Three marketing sends in the 24 hours before noon on 25 November, each on another channel than push.
  const threeToday = [
    sent("2026-11-24T06:00:00Z", { channel: "email" }),
    sent("2026-11-24T08:00:00Z", { channel: "sms" }),
    sent("2026-11-24T10:00:00Z", { channel: "wechat" }),
  ];

  it("defers the fourth marketing message of 24 hours until the oldest of the three is a day old", () => {
    // Act / Assess
    expect(decide({ recentSends: threeToday })).toEqual({
      action: "defer",
      until: "2026-11-25T06:00:00Z",
      reason: "capped",
      rule: "cap:marketing-per-day",
    });
  });

  it("drops it instead when the journey says so", () => {
    // Act / Assess
    expect(decide({ recentSends: threeToday, journey: parseJourneyPolicy({ whenCapped: "drop" }) })).toEqual({
      action: "drop",
      reason: "capped",
      rule: "cap:marketing-per-day",
    });
  });

  it("neither counts service sends against marketing caps nor holds service messages by them", () => {
    // Prepare
    const services = threeToday.map((s) => ({ ...s, category: "service" }));
    // Act / Assess
    expect(decide({ recentSends: services }).action).toBe("send");
    expect(decide({ recentSends: threeToday, message: message({ category: "service" }) }).action).toBe("send");
  });

  it("counts service sends under a cap for all messages", () => {
    // Prepare
    const strict = parsePolicyConfig({
      caps: [{ id: "any-2h", max: 1, per: "PT2H", scope: "user", appliesTo: "all" }],
    });
    // Act
    const decision = decide({ config: strict, recentSends: [sent("2026-11-25T03:00:00Z", { category: "service" })] });
    // Assess
    expect(decision).toMatchObject({ action: "defer", until: "2026-11-25T05:00:00Z", rule: "cap:any-2h" });
  });

  it("holds a second push within 4 hours, and lets an email through", () => {
    // Prepare
    const pushAnHourAgo = [sent("2026-11-25T03:00:00Z", { channel: "push" })];
    // Act
    const push = decide({ recentSends: pushAnHourAgo });
    const email = decide({ recentSends: pushAnHourAgo, message: message({ channel: "email" }) });
    // Assess
    expect(push).toEqual({
      action: "defer",
      until: "2026-11-25T07:00:00Z",
      reason: "capped",
      rule: "cap:marketing-per-channel",
    });
    expect(email.action).toBe("send");
  });

  it("applies a journey's own cap to its sends only", () => {
    // Prepare
    const weekly = parseJourneyPolicy({ caps: [{ id: "weekly", max: 1, per: "P7D" }] });
    const ownSend = sent("2026-11-23T04:00:00Z", { journeyId: "welcome" });
    const otherSend = sent("2026-11-23T04:00:00Z", { journeyId: "guide" });
    // Act / Assess
    expect(decide({ journey: weekly, recentSends: [ownSend] })).toEqual({
      action: "defer",
      until: "2026-11-30T04:00:00Z",
      reason: "capped",
      rule: "journey-cap:weekly",
    });
    expect(decide({ journey: weekly, recentSends: [otherSend] }).action).toBe("send");
  });

  it("of several caps in the way, defers to the one that frees last", () => {
    // Prepare: the daily cap frees at 06:00Z, the push cap (push at 03:00Z) at 07:00Z.
    const sends = [
      sent("2026-11-24T06:00:00Z", { channel: "email" }),
      sent("2026-11-24T08:00:00Z", { channel: "sms" }),
      sent("2026-11-25T03:00:00Z", { channel: "push" }),
    ];
    // Act / Assess
    expect(decide({ recentSends: sends })).toMatchObject({
      action: "defer",
      until: "2026-11-25T07:00:00Z",
      rule: "cap:marketing-per-channel",
    });
  });
});

describe("rules meeting each other", () => {
  it("defers a capped message whose cap frees inside quiet hours to their end, naming both rules in order", () => {
    // Prepare: a push at 19:00 local; the next is due at 20:00, the cap frees at 23:00, quiet until 09:00.
    const input = {
      recentSends: [sent("2026-11-25T11:00:00Z", { channel: "push" })],
      message: message({ dueAt: "2026-11-25T12:00:00Z" }),
    };
    // Act / Assess
    expect(decide(input)).toEqual({
      action: "defer",
      until: "2026-11-26T01:00:00Z",
      reason: "quiet-hours",
      rule: "quiet-hours",
      heldBy: ["cap:marketing-per-channel", "quiet-hours"],
    });
  });

  it("defers a message past quiet hours again when a cap still holds at their end", () => {
    // Prepare: due 22:00 local; three sends at 10:00, 11:00 and 13:00 local that day: the cap frees at 10:00.
    const input = {
      message: message({ dueAt: "2026-11-25T14:00:00Z" }),
      recentSends: [
        sent("2026-11-25T02:00:00Z", { channel: "email" }),
        sent("2026-11-25T03:00:00Z", { channel: "sms" }),
        sent("2026-11-25T05:00:00Z", { channel: "wechat" }),
      ],
    };
    // Act
    const deferred = decide(input);
    const dropped = decide({ ...input, journey: parseJourneyPolicy({ whenCapped: "drop" }) });
    // Assess
    expect(deferred).toEqual({
      action: "defer",
      until: "2026-11-26T02:00:00Z",
      reason: "capped",
      rule: "cap:marketing-per-day",
      heldBy: ["quiet-hours", "cap:marketing-per-day"],
    });
    expect(dropped).toEqual({ action: "drop", reason: "capped", rule: "cap:marketing-per-day" });
  });

  it.each([
    ["before the end of quiet hours", "2026-11-26T00:00:00Z", "drop"],
    ["at the end of quiet hours", "2026-11-26T01:00:00Z", "drop"],
    ["after the end of quiet hours", "2026-11-26T01:00:01Z", "defer"],
  ])("drops a message valid until %s rather than defer it past that", (_, validUntil, action) => {
    // Act
    const decision = decide({ message: message({ dueAt: "2026-11-25T14:00:00Z", validUntil }) });
    // Assess
    expect(decision.action).toBe(action);
    if (action === "drop") expect(decision).toMatchObject({ reason: "expired-while-deferred", rule: "quiet-hours" });
  });

  it("drops a message a cap would defer past its validUntil, naming the cap", () => {
    // Act
    const decision = decide({
      message: message({ validUntil: "2026-11-25T06:00:00Z" }),
      recentSends: [sent("2026-11-25T03:00:00Z", { channel: "push" })],
    });
    // Assess
    expect(decision).toEqual({ action: "drop", reason: "expired-while-deferred", rule: "cap:marketing-per-channel" });
  });
});

describe("messages due together", () => {
  const welcomeCoupon = { message: message({ journeyId: "welcome" }), journey: parseJourneyPolicy({ priority: 10 }) };
  const usageGuide = { message: message({ journeyId: "guide" }), journey: parseJourneyPolicy({ priority: 1 }) };
  const context = { profile: profile(), recentSends: [], config };

  it("sends the higher-priority journey's message when a cap lets one through, in whatever order they come", () => {
    // Act
    const [guide, welcome] = decideTogether([usageGuide, welcomeCoupon], context);
    const [welcomeFirst, guideSecond] = decideTogether([welcomeCoupon, usageGuide], context);
    // Assess
    expect(welcome).toEqual({ action: "send", at: "2026-11-25T04:00:00Z" });
    expect(guide).toMatchObject({ action: "defer", until: "2026-11-25T08:00:00Z", rule: "cap:marketing-per-channel" });
    expect(welcomeFirst).toEqual(welcome);
    expect(guideSecond).toEqual(guide);
  });

  it("takes messages of equal priority in the order given", () => {
    // Prepare
    const first = { message: message({ journeyId: "a" }), journey: parseJourneyPolicy({}) };
    const second = { message: message({ journeyId: "b" }), journey: parseJourneyPolicy({}) };
    // Act
    const decisions = decideTogether([first, second], context);
    // Assess
    expect(decisions.map((d) => d.action)).toEqual(["send", "defer"]);
  });

  it("counts only the messages it sends: a service notice takes no marketing slot, a deferred one none", () => {
    // Prepare
    const notice = {
      message: message({ journeyId: "order", category: "service" }),
      journey: parseJourneyPolicy({ priority: 100 }),
    };
    const emailGuide = { message: message({ journeyId: "guide", channel: "email" }), journey: parseJourneyPolicy({}) };
    // Act
    const decisions = decideTogether([notice, welcomeCoupon, usageGuide, emailGuide], context);
    // Assess
    expect(decisions.map((d) => d.action)).toEqual(["send", "send", "defer", "send"]);
  });
});
