import { beforeAll, describe, expect, it } from "vitest";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import { unitInterval } from "../../functions/shared/hash.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { event, loadSeedJourneys, platformPolicies, platformTraits, run } from "./helpers.ts";

/**
 * The shipped campaign member-day (journeys/member-day.json): every Friday at 10:00 in each member's own
 * time zone, silver-and-above members get a coupon by tier and its message. October and November 2026
 * hold both autumn clock changes: London on Sunday 25 October, Los Angeles on Sunday 1 November.
 */
let traits: TraitsFile;
beforeAll(async () => {
  traits = await platformTraits();
});

const UNTIL = "2026-11-07T00:00:00Z";
const registered = (user: string, timezone: string) =>
  event("user.registered", "2026-10-15T01:00:00Z", { userId: user, locale: "zh-CN", timezone }, `reg-${user}`);
const order = (user: string, amount: number) =>
  event("order.placed", "2026-10-16T01:00:00Z", { userId: user, orderId: `o-${user}`, amount, currency: "CNY" });

/** The member-day lines of one user: when and what. */
const memberDay = (lines: readonly Record<string, unknown>[], user: string) =>
  lines
    .filter((line) => line.journey === "member-day" && line.user === user && line.type !== "journey.exited")
    .map((line) => [line.at, line.type]);

/** The first user id of the form `<prefix><n>` in (or out of) member-day's 5% holdout. */
function userId(prefix: string, heldOut: boolean): string {
  for (let n = 1; ; n++) {
    const id = `${prefix}${n}`;
    if (unitInterval(`holdout/member-day/${id}`) < 0.05 === heldOut) return id;
  }
}

describe("member-day", () => {
  it("sends at 10:00 on Fridays in each member's own zone, across both autumn clock changes", async () => {
    // Prepare: three silver members (600 spent), in Shanghai, London and Los Angeles
    const [sh, lon, la] = [userId("sh-", false), userId("lon-", false), userId("la-", false)];
    const lines = [
      registered(sh, "Asia/Shanghai"),
      registered(lon, "Europe/London"),
      registered(la, "America/Los_Angeles"),
      order(sh, 600),
      order(lon, 600),
      order(la, 600),
    ];

    // Act
    const outcome = await run(lines, { traits, until: UNTIL });

    // Assess: from the Friday after the orders (16 October's audience was listed before them): 10:00 local is
    // 02:00Z in Shanghai; 09:00Z in London until 25 October, 10:00Z after; 17:00Z in Los Angeles until
    // 1 November, 18:00Z after.
    const sent = (user: string) =>
      outcome
        .linesOf("message.sent", "member-day")
        .filter((line) => line.user === user)
        .map((line) => line.at);
    expect(sent(sh)).toEqual(["2026-10-23T02:00:00Z", "2026-10-30T02:00:00Z", "2026-11-06T02:00:00Z"]);
    expect(sent(lon)).toEqual(["2026-10-23T09:00:00Z", "2026-10-30T10:00:00Z", "2026-11-06T10:00:00Z"]);
    expect(sent(la)).toEqual(["2026-10-23T17:00:00Z", "2026-10-30T17:00:00Z", "2026-11-06T18:00:00Z"]);
  });

  it("keeps 10:00 local through the spring clock changes too (Los Angeles 14 March, London 28 March 2027)", async () => {
    // Prepare: a silver member in London and one in Los Angeles, from early March 2027
    const [lon, la] = [userId("lon-", false), userId("la-", false)];
    const at = "2027-03-01T01:00:00Z";
    const lines = [
      event("user.registered", at, { userId: lon, locale: "en", timezone: "Europe/London" }, `reg-${lon}`),
      event("user.registered", at, { userId: la, locale: "en", timezone: "America/Los_Angeles" }, `reg-${la}`),
      event("order.placed", at, { userId: lon, orderId: "o-lon", amount: 600, currency: "CNY" }, "o-lon"),
      event("order.placed", at, { userId: la, orderId: "o-la", amount: 600, currency: "CNY" }, "o-la"),
    ];

    // Act
    const outcome = await run(lines, { traits, until: "2027-04-03T00:00:00Z" });

    // Assess: London 10:00Z (GMT) until 28 March, 09:00Z (BST) after; Los Angeles 18:00Z (PST) until
    // 14 March, 17:00Z (PDT) after
    const sent = (user: string) =>
      outcome
        .linesOf("message.sent", "member-day")
        .filter((line) => line.user === user)
        .map((line) => line.at);
    expect(sent(lon)).toEqual([
      "2027-03-05T10:00:00Z",
      "2027-03-12T10:00:00Z",
      "2027-03-19T10:00:00Z",
      "2027-03-26T10:00:00Z",
      "2027-04-02T09:00:00Z",
    ]);
    expect(sent(la)).toEqual([
      "2027-03-05T18:00:00Z",
      "2027-03-12T18:00:00Z",
      "2027-03-19T17:00:00Z",
      "2027-03-26T17:00:00Z",
      "2027-04-02T17:00:00Z",
    ]);
  });

  it("gives each tier its coupon, valid until 23:59 that day in the member's zone, and no expiry nudge for it", async () => {
    // Prepare: silver (600), gold (2,500) and platinum (6,000) in Shanghai
    const [silver, gold, platinum] = [userId("s-", false), userId("g-", false), userId("p-", false)];
    const lines = [silver, gold, platinum].map((user) => registered(user, "Asia/Shanghai"));
    lines.push(order(silver, 600), order(gold, 2500), order(platinum, 6000));

    // Act: the first Friday after the orders, 2026-10-23 (16 October's came before them)
    const outcome = await run(lines, { traits, until: "2026-10-24T00:00:00Z" });

    // Assess
    const coupons = outcome.linesOf("coupon.issued", "member-day").map((line) => {
      const coupon = line.coupon as { amountOff: number; minSpend: number; expiresAt: string; code: string };
      return [line.user, coupon.amountOff, coupon.minSpend, coupon.expiresAt, coupon.code.slice(0, 3)];
    });
    expect(coupons).toEqual([
      [silver, 10, 100, "2026-10-23T15:59:00Z", "MDS"],
      [gold, 20, 150, "2026-10-23T15:59:00Z", "MDG"],
      [platinum, 30, 200, "2026-10-23T15:59:00Z", "MDP"],
    ]);
    const texts = outcome.linesOf("message.sent", "member-day").map((line) => line.text);
    expect(texts).toHaveLength(3);
    expect(texts[1]).toContain("满150减20");
    // Each member's welcome coupon is nudged; no member-day coupon is.
    const nudged = outcome.linesOf("journey.entered", "coupon-expiry-nudge").map((line) => String(line.run));
    expect(nudged).toHaveLength(3);
    expect(nudged.filter((run) => run.includes("member-day"))).toEqual([]);
    expect(nudged.filter((run) => run.includes("new-user-coupon"))).toHaveLength(3);
  });

  it("gives nothing to non-members, to unsubscribed members, and keeps its holdout without coupon or message", async () => {
    // Prepare: a normal-tier customer (100 spent), a silver member who unsubscribed, a silver member held out
    const [normal, unsubscribed, held] = [userId("n-", false), userId("u-", false), userId("h-", true)];
    const lines = [normal, unsubscribed, held].map((user) => registered(user, "Asia/Shanghai"));
    lines.push(order(normal, 100), order(unsubscribed, 600), order(held, 600));
    lines.push(event("user.unsubscribed", "2026-10-20T01:00:00Z", { userId: unsubscribed }, "unsub-1"));

    // Act
    const outcome = await run(lines, { traits, until: "2026-10-24T00:00:00Z" });

    // Assess
    expect(memberDay(outcome.lines, normal)).toEqual([]);
    expect(memberDay(outcome.lines, unsubscribed)).toEqual([]);
    expect(memberDay(outcome.lines, held)).toEqual([["2026-10-23T02:00:00Z", "holdout"]]);
    const finished = outcome.linesOf("campaign.finished", "member-day").at(-1);
    expect(finished).toMatchObject({ occurrence: "2026-10-23T10:00", entered: 0, holdout: 1 });
  });

  it("prints each occurrence's start with its audience and its end with who entered", async () => {
    // Prepare: two silver members, in Shanghai and Los Angeles
    const [sh, la] = [userId("sh-", false), userId("la-", false)];
    const lines = [
      registered(sh, "Asia/Shanghai"),
      registered(la, "America/Los_Angeles"),
      order(sh, 600),
      order(la, 600),
    ];

    // Act
    const outcome = await run(lines, { traits, until: "2026-10-24T00:00:00Z" });

    // Assess: the fan-out runs where 10:00 comes first (UTC+14, the day before at 20:00Z); the end comes with
    // the last member's 10:00, in Los Angeles
    expect(outcome.linesOf(["campaign.started", "campaign.finished"], "member-day")).toEqual([
      {
        at: "2026-10-15T20:00:00Z",
        journey: "member-day",
        version: 1,
        user: "",
        run: "",
        type: "campaign.started",
        occurrence: "2026-10-16T10:00",
        audience: 0,
      },
      {
        at: "2026-10-15T20:00:00Z",
        journey: "member-day",
        version: 1,
        user: "",
        run: "",
        type: "campaign.finished",
        occurrence: "2026-10-16T10:00",
        entered: 0,
        holdout: 0,
      },
      {
        at: "2026-10-22T20:00:00Z",
        journey: "member-day",
        version: 1,
        user: "",
        run: "",
        type: "campaign.started",
        occurrence: "2026-10-23T10:00",
        audience: 2,
      },
      {
        at: "2026-10-23T17:00:00Z",
        journey: "member-day",
        version: 1,
        user: "",
        run: "",
        type: "campaign.finished",
        occurrence: "2026-10-23T10:00",
        entered: 2,
        holdout: 0,
      },
    ]);
  });

  it("enters no one while paused, and sends again once resumed", async () => {
    // Prepare: a silver member; the campaign paused over the Friday of 23 October
    const user = userId("sh-", false);
    const lines = [registered(user, "Asia/Shanghai"), order(user, 600)];
    const controls = [
      { at: Date.parse("2026-10-22T00:00:00Z"), journeyId: "member-day", paused: true, reason: "stock" },
      { at: Date.parse("2026-10-24T00:00:00Z"), journeyId: "member-day", paused: false },
    ];

    // Act
    const result = await simulate({
      journeys: loadSeedJourneys(),
      lines,
      until: Date.parse(UNTIL),
      policies: platformPolicies(),
      traits,
      store: new MemoryStore(),
      controls,
    });

    // Assess
    const sent = result.lines.filter((line) => line.journey === "member-day" && line.type === "message.sent");
    expect(sent.map((line) => line.at)).toEqual(["2026-10-30T02:00:00Z", "2026-11-06T02:00:00Z"]);
  });
});
