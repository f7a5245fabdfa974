import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import { compileJourney } from "../../functions/engine/compile.ts";
import { formatProblem, journeyFilesIn } from "../../functions/journey/load.ts";
import { journeyRuleSpecs } from "../../functions/journey/rules.ts";
import { validateJourneyFiles } from "../../functions/journey/validate.ts";
import type { Journey } from "../../functions/language/schema.ts";
import {
  cartAddedNov28,
  event,
  journeyFrom,
  loadSeedJourneys,
  platformTraits,
  registeredNov20,
  run,
} from "./helpers.ts";

/**
 * Campaigns (journeys with a schedule trigger, issue 16) load, validate and compile; no event enters anyone
 * into one (their occurrences do: member-day.test.ts), and nothing that handles events stumbles on them.
 * test/fixtures/journeys/campaigns: member-day (Fridays 10:00) and presale-warmup (7 days before a
 * promotion.scheduled's startsAt).
 */

const CAMPAIGNS = ["member-day", "presale-warmup"];

async function loadCampaigns(): Promise<Journey[]> {
  const cwd = new URL("../fixtures/journeys/campaigns/", import.meta.url).pathname;
  const { journeys, problems } = await validateJourneyFiles(await journeyFilesIn(`${cwd}journeys`), cwd);
  if (problems.length > 0) throw new Error(problems.map(formatProblem).join("\n"));
  return journeys.map((entry) => entry.journey);
}

/** A silver member in Shanghai who registers, favours, adds to cart and orders, and a promotion a week out. */
const SHOP_LIFE = [
  event("user.registered", "2026-11-02T02:00:00Z", { userId: "u_1", locale: "zh-CN", timezone: "Asia/Shanghai" }),
  event("product.favorited", "2026-11-03T02:00:00Z", { userId: "u_1", productId: "p_1" }),
  event("cart.item_added", "2026-11-03T03:00:00Z", { userId: "u_1", productId: "p_1", quantity: 1, price: 199 }),
  event("order.placed", "2026-11-04T02:00:00Z", { userId: "u_1", orderId: "o_1", amount: 3000, currency: "CNY" }),
  event("promotion.scheduled", "2026-11-04T04:00:00Z", {
    promotionId: "promo_1212",
    name: "Double 12",
    startsAt: "2026-12-12T00:00:00+08:00",
    endsAt: "2026-12-13T00:00:00+08:00",
  }),
];

describe("a campaign's trigger", () => {
  it("compiles to a trigger no shop event enters anyone by; one relative to an event listens to that event", async () => {
    // Prepare
    const campaigns = await loadCampaigns();
    const catalog = new JourneyCatalog([...loadSeedJourneys(), ...campaigns]);
    const promotion = JSON.parse(SHOP_LIFE[4] ?? "{}");

    // Act
    const compiled = campaigns.map(compileJourney);
    const routed = ["user.registered", "order.placed", "cart.item_added", "promotion.scheduled"].flatMap((type) =>
      catalog.listeningTo(type).map((journey) => journey.id),
    );

    // Assess: member day listens to nothing; the warm-up to the promotion that sets its occurrence.
    expect(compiled.map((journey) => [journey.id, [...(journey.detailTypes as Set<string>)]])).toEqual([
      ["member-day", []],
      ["presale-warmup", ["promotion.scheduled"]],
    ]);
    expect(compiled.map((journey) => journey.trigger.matches(promotion))).toEqual([false, true]);
    expect(routed.filter((id) => CAMPAIGNS.includes(id))).toEqual(["presale-warmup"]);
    expect(routed).toContain("new-user-coupon");
  });

  it("needs an EventBridge rule only for the event a relative campaign's occurrences come from", async () => {
    // Prepare
    const campaigns = await loadCampaigns();

    // Act
    const rules = journeyRuleSpecs(campaigns);

    // Assess
    expect(rules.map((rule) => [rule.pattern, rule.uses])).toEqual([
      [{ "detail-type": ["promotion.scheduled"] }, ["presale-warmup v1 trigger.relativeTo"]],
    ]);
  });

  it("runs the pre-sale warm-up 7 days before a promotion starts, at 10:00 in each member's zone, once per promotion, and none for one announced too late", async () => {
    // Prepare: members with a cart in Shanghai and London; a promotion starting 12 December (Shanghai time)
    // announced on 29 November, and announced again (a redelivery); a user without a cart.
    const warmUp = (await loadCampaigns()).filter((journey) => journey.id === "presale-warmup");
    const registered = registeredNov20;
    const cart = cartAddedNov28;
    const promotion = event(
      "promotion.scheduled",
      "2026-11-29T04:00:00Z",
      {
        promotionId: "promo_1212",
        name: "Double 12",
        startsAt: "2026-12-12T00:00:00+08:00",
        endsAt: "2026-12-13T00:00:00+08:00",
      },
      "promo_1212",
    );
    // A promotion announced less than 7 days before it starts: its warm-up time has passed everywhere.
    const late = event(
      "promotion.scheduled",
      "2026-12-01T04:00:00Z",
      {
        promotionId: "promo_late",
        name: "Flash",
        startsAt: "2026-12-06T00:00:00+08:00",
        endsAt: "2026-12-07T00:00:00+08:00",
      },
      "promo_late",
    );
    const lines = [
      registered("u_sh", "Asia/Shanghai"),
      registered("u_ld", "Europe/London"),
      registered("u_none", "Asia/Shanghai"),
      cart("u_sh"),
      cart("u_ld"),
      promotion,
      promotion,
      late,
    ];

    // Act
    const outcome = await run(lines, {
      journeys: warmUp,
      traits: await platformTraits(),
      until: "2026-12-07T00:00:00Z",
    });

    // Assess: 5 December 10:00 is 02:00Z in Shanghai and 10:00Z in London; the listing ran at 4 December 20:00Z.
    const sent = outcome.linesOf("message.sent", "presale-warmup").map((line) => `${line.user} ${line.at}`);
    expect(sent).toEqual(["u_sh 2026-12-05T02:00:00Z", "u_ld 2026-12-05T10:00:00Z"]);
    // The promotion's detail comes with the occurrence: the template names it.
    expect(outcome.linesOf("message.sent", "presale-warmup")[0]?.text).toBe(
      "Double 12 即将开始，你收藏的商品都在活动中！",
    );
    const started = outcome.lines.filter((line) => line.type === "campaign.started");
    expect(started).toMatchObject([
      { journey: "presale-warmup", occurrence: "2026-12-05T10:00", at: "2026-12-04T20:00:00Z", audience: 2 },
    ]);
  });

  it("runs a campaign to every user, its audience condition alone picking who enters", async () => {
    // Prepare: an announcement at 10:00 on 25 November in each user's zone, to users in Hangzhou, no segment.
    const announcement = journeyFrom({
      id: "hangzhou-opening",
      version: 1,
      name: "杭州新店开业",
      trigger: { type: "schedule", schedule: "at(2026-11-25T10:00:00)", timezone: "user" },
      audience: { profile: { attributes: { city: ["Hangzhou"] } } },
      start: "announce",
      steps: [{ id: "announce", type: "send", channel: "push", template: "opening" }],
      templates: { opening: { "zh-CN": "杭州新店今天开业！" } },
    });
    const registered = (userId: string, city: string, timezone: string) =>
      event(
        "user.registered",
        "2026-11-20T02:00:00Z",
        { userId, locale: "zh-CN", timezone, attributes: { city } },
        `reg-${userId}`,
      );
    const lines = [
      registered("u_hz", "Hangzhou", "Asia/Shanghai"),
      registered("u_sh", "Shanghai", "Asia/Shanghai"),
      registered("u_hz_ld", "Hangzhou", "Europe/London"),
    ];

    // Act
    const outcome = await run(lines, { journeys: [announcement], until: "2026-11-27T00:00:00Z" });

    // Assess
    const sent = outcome.linesOf("message.sent", "hangzhou-opening").map((line) => `${line.user} ${line.at}`);
    expect(sent).toEqual(["u_hz 2026-11-25T02:00:00Z", "u_hz_ld 2026-11-25T10:00:00Z"]);
    const started = outcome.lines.filter((line) => line.type === "campaign.started");
    expect(started).toMatchObject([{ journey: "hangzhou-opening", occurrence: "2026-11-25T10:00", audience: 3 }]);
  });
});
