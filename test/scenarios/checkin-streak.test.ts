import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { fireWakeUpsUntil, shopEvent } from "../engine/fixtures.ts";
import { brief, event, platformPolicies, platformTraitsFile, run, seedJourney } from "./helpers.ts";

/**
 * checkin-streak (断签提醒) over the shipped journeys, policies and traits. Users register weeks before
 * their check-ins, so the welcome and the guides are long sent: at 20:00 nothing else holds the push
 * channel's cap, and 20:00 is outside the quiet hours (21:00-09:00).
 */

const J = "checkin-streak";
const REGISTERED = "2026-10-10T02:00:00Z";
/** Shanghai days of the streak (UTC+8, no DST): a check-in at 10:00 local is 02:00Z. */
const DAY = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"] as const;
const SHANGHAI_10AM = (day: string) => `${day}T02:00:00Z`;
const SHANGHAI_8PM = (day: string) => `${day}T12:00:00Z`;
const UNTIL = "2026-11-08T00:00:00Z";

const registered = (userId: string, more: Record<string, unknown> = {}) =>
  event("user.registered", REGISTERED, { userId, locale: "zh-CN", ...more });
const checkIn = (time: string, userId = "u_1", id?: string) => event("user.checked_in", time, { userId }, id);
const runOf = (n: number, userId = "u_1") => `${J}:${userId}:${n}`;
const reminder = (n: number) => `你已连续签到 ${n} 天，今天还没签到，断签就要从头开始啦`;

/** The check-ins at 10:00 Shanghai on the first `days` days of DAY. */
const streakOf = (days: number) => DAY.slice(0, days).map((day) => checkIn(SHANGHAI_10AM(day)));

async function checkinLines(lines: string[], options: Parameters<typeof run>[1] = {}) {
  const outcome = await run(lines, { until: UNTIL, ...options });
  return { outcome, lines: outcome.journey(J), sent: outcome.linesOf("message.sent", J) };
}

describe("checkin-streak", () => {
  it("reminds at 20:00 local on the first day without a check-in after a 3-day streak, naming 3", async () => {
    // Prepare
    const lines = [registered("u_1"), ...streakOf(3)];

    // Act
    const { lines: out, sent } = await checkinLines(lines);

    // Assess
    expect(brief(out)).toEqual([
      { at: SHANGHAI_10AM(DAY[2]), journey: J, run: runOf(1), type: "journey.entered" },
      { at: SHANGHAI_8PM(DAY[3]), journey: J, run: runOf(1), type: "message.sent", template: "streak-reminder" },
      { at: SHANGHAI_8PM(DAY[3]), journey: J, run: runOf(1), type: "journey.exited", reason: "completed" },
    ]);
    expect(sent[0]).toMatchObject({ channel: "push", category: "marketing", text: reminder(3) });
  });

  it("names the streak in English for an English-speaking user", async () => {
    // Prepare
    const lines = [registered("u_1", { locale: "en" }), ...streakOf(3)];

    // Act
    const { sent } = await checkinLines(lines);

    // Assess
    expect(sent.map((line) => line.text)).toEqual([
      "You have checked in 3 days in a row and not yet today: miss today and your streak starts over.",
    ]);
  });

  it("sends nothing on a day checked in at 19:00, and reminds the next evening with the longer streak", async () => {
    // Prepare
    const lines = [registered("u_1"), ...streakOf(3), checkIn(`${DAY[3]}T11:00:00Z`)];

    // Act
    const { lines: out, sent } = await checkinLines(lines);

    // Assess
    expect(brief(out)).toEqual([
      { at: SHANGHAI_10AM(DAY[2]), journey: J, run: runOf(1), type: "journey.entered" },
      {
        at: `${DAY[3]}T11:00:00Z`,
        journey: J,
        run: runOf(1),
        type: "journey.exited",
        reason: "exit-event",
        event: "user.checked_in",
      },
      { at: `${DAY[3]}T11:00:00Z`, journey: J, run: runOf(2), type: "journey.entered" },
      { at: SHANGHAI_8PM(DAY[4]), journey: J, run: runOf(2), type: "message.sent", template: "streak-reminder" },
      { at: SHANGHAI_8PM(DAY[4]), journey: J, run: runOf(2), type: "journey.exited", reason: "completed" },
    ]);
    expect(sent.map((line) => line.text)).toEqual([reminder(4)]);
  });

  it("reminds at most once a day: a check-in at 20:30 after the reminder makes the next one the next evening", async () => {
    // Prepare: the reminder at 20:00 on day 4, a check-in at 20:30, a second one at 22:00, none on day 5.
    const lines = [registered("u_1"), ...streakOf(3), checkIn(`${DAY[3]}T12:30:00Z`), checkIn(`${DAY[3]}T14:00:00Z`)];

    // Act
    const { sent } = await checkinLines(lines);

    // Assess
    expect(sent.map((line) => [line.at, line.text])).toEqual([
      [SHANGHAI_8PM(DAY[3]), reminder(3)],
      [SHANGHAI_8PM(DAY[4]), reminder(4)],
    ]);
  });

  it("sends nothing for a streak of 2", async () => {
    // Prepare
    const lines = [registered("u_1"), ...streakOf(2)];

    // Act
    const { lines: out } = await checkinLines(lines);

    // Assess
    expect(out).toEqual([]);
  });

  it("sends nothing after a day without a check-in broke the streak", async () => {
    // Prepare: days 1 and 2, none on day 3, then day 4: a streak of 1.
    const lines = [registered("u_1"), ...streakOf(2), checkIn(SHANGHAI_10AM(DAY[3]))];

    // Act
    const { lines: out } = await checkinLines(lines);

    // Assess
    expect(out).toEqual([]);
  });

  it("reminds a New York user at 20:00 New York time, before and after the autumn DST change", async () => {
    // Prepare: check-ins at 10:00 EDT (14:00Z) on Oct 28-31; none on Nov 1, the day clocks go back to EST.
    const ny = (day: string) => checkIn(`${day}T14:00:00Z`, "u_ny");
    const lines = [
      registered("u_ny", { timezone: "America/New_York" }),
      ...["2026-10-28", "2026-10-29", "2026-10-30"].map(ny),
      // Oct 31 in the second run only: the first run's reminder is then the evening of Oct 31 (EDT).
    ];

    // Act
    const edt = await checkinLines(lines);
    const est = await checkinLines([...lines, ny("2026-10-31")]);

    // Assess: 20:00 EDT is 00:00Z the next day; 20:00 EST is 01:00Z.
    expect(edt.sent.map((line) => [line.at, line.text])).toEqual([["2026-11-01T00:00:00Z", reminder(3)]]);
    expect(est.sent.map((line) => [line.at, line.text])).toEqual([["2026-11-02T01:00:00Z", reminder(4)]]);
  });

  it("sends nothing to a user who unsubscribed (a marketing message)", async () => {
    // Prepare
    const lines = [
      registered("u_1"),
      ...streakOf(3),
      event("user.unsubscribed", `${DAY[3]}T04:00:00Z`, { userId: "u_1" }),
    ];

    // Act
    const { lines: out, sent } = await checkinLines(lines);

    // Assess
    expect(sent).toEqual([]);
    expect(out.filter((line) => line.type === "message.suppressed")).toMatchObject([
      { at: SHANGHAI_8PM(DAY[3]), template: "streak-reminder", reason: "unsubscribed" },
    ]);
  });

  it("changes nothing for a redelivered check-in (the same event id)", async () => {
    // Prepare
    const [day1, day2, day3] = streakOf(3);
    const once = [registered("u_1"), day1, day2, day3] as string[];
    const twice = [...once, checkIn(SHANGHAI_10AM(DAY[2]), "u_1", JSON.parse(day3 as string).id)];

    // Act
    const first = await run(once, { until: UNTIL });
    const again = await run(twice, { until: UNTIL });

    // Assess
    expect(again.text).toBe(first.text);
    expect(first.linesOf("message.sent", J)).toHaveLength(1);
  });

  it("drops a reminder held past the evening rather than send it the next morning", async () => {
    // Prepare: quiet hours from 19:30 on the platform, so 20:00 falls inside them.
    const policies = {
      ...platformPolicies(),
      quietHours: { start: "19:30", end: "09:00", appliesTo: "marketing" as const },
    };
    const lines = [registered("u_1"), ...streakOf(3)];

    // Act
    const { lines: out, sent } = await checkinLines(lines, { policies });

    // Assess
    expect(sent).toEqual([]);
    expect(out.filter((line) => line.type === "message.suppressed")).toMatchObject([
      { at: SHANGHAI_8PM(DAY[3]), template: "streak-reminder", reason: "quiet-hours" },
    ]);
  });
});

/**
 * A check-in delivered late (the shop's queue held it): the streak counts it on its own local day, and the
 * run it starts waits for 20:00 on the day after that day, as if it had come on time. One more than
 * backfillAfter (24 h) late starts no run: it still counts in the streak, for the next check-in to read.
 */
describe("checkin-streak, a check-in delivered late", () => {
  async function deliver(arrivals: { event: ShopEvent; at: string }[], until: string) {
    const store = new MemoryStore();
    const delivered: JourneyEffect[] = [];
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog([seedJourney(J)]),
      store,
      policies: platformPolicies(),
      traits: platformTraitsFile(),
      sink: { deliver: async (effect) => void delivered.push(effect) },
      publisher: { publish: async () => undefined },
    });
    for (const arrival of arrivals) {
      await fireWakeUpsUntil(store, runtime, arrival.at);
      await runtime.handleEvent(arrival.event, Date.parse(arrival.at));
    }
    await fireWakeUpsUntil(store, runtime, until);
    return delivered.filter((effect) => effect.type === "message.sent");
  }
  const onTime = (day: string) => ({
    event: shopEvent("user.checked_in", SHANGHAI_10AM(day), { userId: "u_1" }),
    at: SHANGHAI_10AM(day),
  });

  it("counts for its own day: yesterday's 23:50 check-in arriving at 00:10 starts the run for tonight", async () => {
    // Prepare: day 3's check-in at 23:50 Shanghai arrives 20 minutes late, on day 4.
    const late = {
      event: shopEvent("user.checked_in", `${DAY[2]}T15:50:00Z`, { userId: "u_1" }),
      at: `${DAY[2]}T16:10:00Z`,
    };

    // Act
    const sent = await deliver([onTime(DAY[0]), onTime(DAY[1]), late], UNTIL);

    // Assess
    expect(sent.map((effect) => [effect.at, effect.type === "message.sent" && effect.text])).toEqual([
      [SHANGHAI_8PM(DAY[3]), reminder(3)],
    ]);
  });

  it("starts no run when it arrives more than a day late (a backfill), yet counts in the streak", async () => {
    // Prepare: day 3's 10:00 check-in arrives at 11:00 on day 4, past backfillAfter (PT24H); day 4's own
    // check-in comes on time at 12:00.
    const late = {
      event: shopEvent("user.checked_in", SHANGHAI_10AM(DAY[2]), { userId: "u_1" }),
      at: `${DAY[3]}T03:00:00Z`,
    };
    const day4 = {
      event: shopEvent("user.checked_in", `${DAY[3]}T04:00:00Z`, { userId: "u_1" }),
      at: `${DAY[3]}T04:00:00Z`,
    };

    // Act
    const alone = await deliver([onTime(DAY[0]), onTime(DAY[1]), late], UNTIL);
    const followed = await deliver([onTime(DAY[0]), onTime(DAY[1]), late, day4], UNTIL);

    // Assess: no reminder on day 4 for the late one alone; day 4's check-in reads a streak of 4.
    expect(alone).toEqual([]);
    expect(followed.map((effect) => [effect.at, effect.type === "message.sent" && effect.text])).toEqual([
      [SHANGHAI_8PM(DAY[4]), reminder(4)],
    ]);
  });
});
