import { describe, expect, it } from "vitest";
import {
  entriesUntil,
  FURTHEST_AHEAD_ZONE,
  lastCampaignOccurrence,
  memberEntryAt,
  nextCampaignOccurrence,
  occurrenceRaisedAt,
} from "../../../functions/engine/campaigns.ts";
import { compileJourney } from "../../../functions/engine/compile.ts";
import { decideWakeUp } from "../../../functions/engine/decide.ts";
import type { Profile, WakeUp } from "../../../functions/engine/model.ts";
import type { ScheduleTrigger } from "../../../functions/language/schedule-trigger.ts";
import { at, journey, shopEvent } from "../fixtures.ts";

const FRIDAYS: ScheduleTrigger = {
  type: "schedule",
  schedule: "cron(0 10 ? * FRI *)",
  timezone: "user",
  segment: "silver-and-above",
};

const occurrenceOf = (trigger: ScheduleTrigger, now: string) => lastCampaignOccurrence(trigger, at(now));

const memberDay = compileJourney(
  journey({
    id: "member-day",
    trigger: FRIDAYS,
    reentry: { type: "after-exit" },
    start: "hello",
    steps: [{ id: "hello", type: "send", channel: "push", template: "hello" }],
    templates: { hello: { "zh-CN": "会员日快乐" } },
  }),
);

const member = (segments: string[]): Profile => ({
  userId: "u1",
  attributes: {},
  consent: {},
  orderCount: 1,
  totalSpent: 600,
  timezone: "Asia/Shanghai",
  segments,
});

const entryAt = (occurrence: string, when: string): WakeUp => ({
  kind: "campaign",
  journeyId: "member-day",
  key: "u1",
  at: when,
  occurrence,
});

describe("a campaign's occurrences", () => {
  it("are wall times in each user's own zone, listed when UTC+14 first shows them", () => {
    // Act: from Thursday 3 December 2026, 13:00 UTC
    const next = nextCampaignOccurrence(FRIDAYS, at("2026-12-03T13:00:00Z"));
    const after = nextCampaignOccurrence(FRIDAYS, at("2026-12-03T20:00:00Z"));
    // Assess: Friday 10:00 at UTC+14 is Thursday 20:00 UTC; once that is past, the next Friday's
    expect(next).toEqual({ occurrence: "2026-12-04T10:00", fanOutAt: at("2026-12-03T20:00:00Z") });
    expect(after?.occurrence).toBe("2026-12-11T10:00");
  });

  it("are one instant for everyone in a fixed zone", () => {
    // Act
    const next = nextCampaignOccurrence({ ...FRIDAYS, timezone: "Europe/London" }, at("2026-12-03T13:00:00Z"));
    // Assess
    expect(next).toEqual({ occurrence: "2026-12-04T10:00:00Z", fanOutAt: at("2026-12-04T10:00:00Z") });
  });

  it("reach each member at their own clocks' time, and skip a time the spring gap takes", () => {
    // Act / Assess
    expect(memberEntryAt("2026-12-04T10:00", "Asia/Shanghai")).toBe(at("2026-12-04T02:00:00Z"));
    expect(memberEntryAt("2026-12-04T10:00", "America/Los_Angeles")).toBe(at("2026-12-04T18:00:00Z"));
    expect(memberEntryAt("2027-03-28T01:30", "Europe/London")).toBeUndefined();
    expect(memberEntryAt("2026-12-04T10:00:00Z", "America/Los_Angeles")).toBe(at("2026-12-04T10:00:00Z"));
  });
});

describe("an occurrence EventBridge Scheduler raised (a schedule per campaign on AWS)", () => {
  it("in each user's zone: the schedule runs in UTC+14, and its scheduled time is the occurrence's fan-out", () => {
    // Prepare: Friday 10:00 where the clocks run furthest ahead is Thursday 20:00 UTC.
    const offset = new Intl.DateTimeFormat("en", { timeZone: FURTHEST_AHEAD_ZONE, timeZoneName: "shortOffset" })
      .formatToParts(at("2026-12-03T20:00:00Z"))
      .find((part) => part.type === "timeZoneName")?.value;
    // Act
    const raised = occurrenceRaisedAt(FRIDAYS, at("2026-12-03T20:00:00Z"));
    // Assess
    expect(offset).toBe("GMT+14");
    expect(raised).toEqual({ occurrence: "2026-12-04T10:00", fanOutAt: at("2026-12-03T20:00:00Z") });
    expect(raised).toEqual(nextCampaignOccurrence(FRIDAYS, at("2026-12-01T00:00:00Z")));
    expect(occurrenceRaisedAt(FRIDAYS, at("2026-12-03T20:00:30Z"))).toBeUndefined();
  });

  it("in a fixed zone: the instant itself, across a clock change; a rate(): whatever instant Scheduler began it at", () => {
    // Prepare
    const london: ScheduleTrigger = { ...FRIDAYS, schedule: "cron(30 9 * * ? *)", timezone: "Europe/London" };
    const hourly: ScheduleTrigger = { ...FRIDAYS, schedule: "rate(1 hour)", timezone: "Asia/Shanghai" };
    // Act / Assess: 09:30 London is 08:30Z in summer time (until 25 October 2026) and 09:30Z after.
    expect(occurrenceRaisedAt(london, at("2026-10-24T08:30:00Z"))?.occurrence).toBe("2026-10-24T08:30:00Z");
    expect(occurrenceRaisedAt(london, at("2026-10-26T09:30:00Z"))?.occurrence).toBe("2026-10-26T09:30:00Z");
    expect(occurrenceRaisedAt(london, at("2026-10-26T08:30:00Z"))).toBeUndefined();
    expect(occurrenceRaisedAt(hourly, at("2026-12-03T07:17:00Z"))).toEqual({
      occurrence: "2026-12-03T07:17:00Z",
      fanOutAt: at("2026-12-03T07:17:00Z"),
    });
  });
});

describe("a campaign's latest occurrence (nudge status)", () => {
  it("is the last whose fan-out came by now, its entries going on until the last zone's clocks show it; none for a rate()", () => {
    // Prepare / Act
    const last = occurrenceOf(FRIDAYS, "2026-12-04T12:00:00Z");
    // Assess: Friday 10:00 came first at UTC+14 (Thursday 20:00 UTC) and comes last at UTC-12 (Friday 22:00 UTC).
    expect(last).toEqual({ occurrence: "2026-12-04T10:00", fanOutAt: at("2026-12-03T20:00:00Z") });
    expect(last && entriesUntil(last)).toBe(at("2026-12-04T22:00:00Z"));
    expect(occurrenceOf(FRIDAYS, "2026-12-03T19:59:00Z")?.occurrence).toBe("2026-11-27T10:00");
    expect(occurrenceOf({ ...FRIDAYS, schedule: "rate(1 hour)" }, "2026-12-04T12:00:00Z")).toBeUndefined();
  });
});

/** A Friday campaign whose runs wait for an item in the cart and convert on an order of 100 or more, ending on `exitOn`. */
const warmUpEndingOn = (exitOn: Record<string, unknown>[]) =>
  compileJourney(
    journey({
      id: "warm-up",
      trigger: FRIDAYS,
      start: "wait-order",
      exitOn,
      goal: {
        pattern: { "detail-type": ["order.placed"], detail: { amount: [{ numeric: [">=", 100] }] } },
        within: "P7D",
      },
      steps: [
        { id: "wait-order", type: "wait-for-event", pattern: { "detail-type": ["cart.item_added"] }, timeout: "P1D" },
      ],
    }),
  );

describe("the events a campaign listens to", () => {
  it("its runs' goal, exits and waits (none enters it), and no event of those types that their patterns refuse", () => {
    // Prepare: a campaign whose runs wait for an item in the cart, convert on a large order, and end on an unsubscribe.
    const warmUp = warmUpEndingOn([{ "detail-type": ["user.unsubscribed"] }]);
    const order = (amount: number) => shopEvent("order.placed", "2026-12-04T02:00:00Z", { userId: "u1", amount });
    // Act / Assess
    expect(warmUp.detailTypes).toEqual(new Set(["user.unsubscribed", "order.placed", "cart.item_added"]));
    expect(warmUp.matters(order(150))).toBe(true);
    expect(warmUp.matters(order(50))).toBe(false);
  });

  it("an event of a type a pattern tests alone, whatever its detail; of a type a pattern also tests otherwise, only if it matches", () => {
    // Prepare: orders end the runs whatever they hold, and only a large one converts; refunds only one of 100.
    const warmUp = warmUpEndingOn([
      { "detail-type": ["order.placed"] },
      { "detail-type": ["order.refunded"], detail: { amount: [100] } },
    ]);
    const at = "2026-12-04T02:00:00Z";
    // Act / Assess
    expect(warmUp.matters(shopEvent("order.placed", at, { userId: "u1", amount: 5 }))).toBe(true);
    expect(warmUp.matters(shopEvent("cart.item_added", at, { userId: "u1" }))).toBe(true);
    expect(warmUp.matters(shopEvent("order.refunded", at, { userId: "u1", amount: 100 }))).toBe(true);
    expect(warmUp.matters(shopEvent("order.refunded", at, { userId: "u1", amount: 99 }))).toBe(false);
    expect(warmUp.matters(shopEvent("user.checked_in", at, { userId: "u1" }))).toBe(false);
  });
});

describe("a member's entry at an occurrence", () => {
  it("starts a run for a member, once per occurrence, and none for one who left the segment", () => {
    // Prepare
    const now = at("2026-12-04T02:00:00Z");
    const wakeUp = entryAt("2026-12-04T10:00", "2026-12-04T02:00:00Z");
    const args = { current: memberDay, key: "u1", now, wakeUp };
    // Act
    const first = decideWakeUp({ ...args, record: undefined, profile: member(["silver-and-above"]) });
    const again = decideWakeUp({ ...args, record: first?.record, profile: member(["silver-and-above"]) });
    const left = decideWakeUp({ ...args, record: undefined, profile: member([]) });
    // Assess
    expect(first?.effects.map((effect) => effect.type)).toEqual(["journey.entered", "message.sent", "journey.exited"]);
    expect(first?.record.lastOccurrence).toBe("2026-12-04T10:00");
    expect(first?.record.run?.runId).toBe("member-day:u1:1");
    expect(again).toBeUndefined();
    expect(left).toBeUndefined();
  });

  it("starts the next occurrence's run after the last ended, and none while the campaign is paused", () => {
    // Prepare
    const profile = member(["silver-and-above"]);
    const first = decideWakeUp({
      current: memberDay,
      key: "u1",
      now: at("2026-12-04T02:00:00Z"),
      wakeUp: entryAt("2026-12-04T10:00", "2026-12-04T02:00:00Z"),
      record: undefined,
      profile,
    });
    const nextWeek = { current: memberDay, key: "u1", now: at("2026-12-11T02:00:00Z"), record: first?.record, profile };
    const wakeUp = entryAt("2026-12-11T10:00", "2026-12-11T02:00:00Z");
    // Act
    const next = decideWakeUp({ ...nextWeek, wakeUp });
    const paused = decideWakeUp({ ...nextWeek, wakeUp, paused: true });
    // Assess
    expect(next?.record.run?.runId).toBe("member-day:u1:2");
    expect(paused).toBeUndefined();
  });
});
