import { describe, expect, it } from "vitest";
import { brief, event, plus, run } from "./helpers.ts";

const J = "onboarding-guide";
const RUN = `${J}:u_1:1`;
const T0 = "2026-11-18T02:00:00Z";
/**
 * Guide 1 falls due with new-user-coupon's welcome push, which outranks it (priority 90 over 40): the
 * platform's cap of one marketing push per 4 hours defers guide 1 until the cap frees, plus (100 - 40) s.
 */
const GUIDE_1 = plus(T0, { h: 4, s: 60 });
const DAY_1 = plus(GUIDE_1, { d: 1 });
const DAY_2 = plus(GUIDE_1, { d: 2 });

const registered = event("user.registered", T0, { userId: "u_1" });
const unsubscribed = (time: string, channel?: string) =>
  event("user.unsubscribed", time, { userId: "u_1", ...(channel === undefined ? {} : { channel }) });
const subscribed = (time: string, channel?: string) =>
  event("user.subscribed", time, { userId: "u_1", ...(channel === undefined ? {} : { channel }) });

const entered = { at: T0, journey: J, run: RUN, type: "journey.entered" };
const deferred = { at: T0, journey: J, run: RUN, type: "message.deferred", template: "guide-1", reason: "capped" };
const sent = (at: string, template: string) => ({ at, journey: J, run: RUN, type: "message.sent", template });
const suppressed = (at: string, template: string) => ({
  at,
  journey: J,
  run: RUN,
  type: "message.suppressed",
  template,
  reason: "unsubscribed",
});
const completed = { at: DAY_2, journey: J, run: RUN, type: "journey.exited", reason: "completed" };

describe("onboarding-guide", () => {
  it("sends guide 1 at registration, guide 2 a day later and guide 3 two days after registration", async () => {
    // Prepare
    const lines = [registered];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      entered,
      deferred,
      sent(GUIDE_1, "guide-1"),
      sent(DAY_1, "guide-2"),
      sent(DAY_2, "guide-3"),
      completed,
    ]);
    expect(outcome.linesOf("message.sent", J).map((line) => line.channel)).toEqual(["push", "push", "push"]);
    expect(outcome.linesOf("message.deferred", J)[0]).toMatchObject({
      rule: "cap:marketing-per-channel",
      until: GUIDE_1,
    });
    const welcome = outcome.linesOf("message.sent", "new-user-coupon").find((line) => line.channel === "push");
    expect(welcome).toMatchObject({ at: T0, channel: "push" });
    expect(outcome.linesOf("message.sent", J)[1]?.text).toContain("新手指南第 2 课");
  });

  it.each([
    ["every channel (no channel given)", undefined],
    ["push", "push"],
  ])("suppresses guides 2 and 3 after an unsubscribe from %s between guide 1 and 2", async (_what, channel) => {
    // Prepare
    const lines = [registered, unsubscribed(plus(T0, { h: 6 }), channel)];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      entered,
      deferred,
      sent(GUIDE_1, "guide-1"),
      suppressed(DAY_1, "guide-2"),
      suppressed(DAY_2, "guide-3"),
      completed,
    ]);
    expect(outcome.linesOf("message.sent", J).map((line) => line.template)).toEqual(["guide-1"]);
  });

  it.each([
    ["every channel", undefined],
    ["push", "push"],
  ])("sends the guides again after a later user.subscribed to %s", async (_what, channel) => {
    // Prepare: unsubscribed from everything after guide 1, subscribed again after guide 2 was due.
    const lines = [registered, unsubscribed(plus(T0, { h: 6 })), subscribed(plus(DAY_1, { h: 6 }), channel)];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      entered,
      deferred,
      sent(GUIDE_1, "guide-1"),
      suppressed(DAY_1, "guide-2"),
      sent(DAY_2, "guide-3"),
      completed,
    ]);
  });

  it("keeps sending push guides after an unsubscribe from sms", async () => {
    // Prepare
    const lines = [registered, unsubscribed(plus(T0, { h: 6 }), "sms")];

    // Act
    const outcome = await run(lines);

    // Assess
    expect(brief(outcome.journey(J))).toEqual([
      entered,
      deferred,
      sent(GUIDE_1, "guide-1"),
      sent(DAY_1, "guide-2"),
      sent(DAY_2, "guide-3"),
      completed,
    ]);
    expect(outcome.linesOf("message.suppressed", J)).toEqual([]);
  });
});
