import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import { compileJourney } from "../../functions/engine/compile.ts";
import { formatProblem, journeyFilesIn } from "../../functions/journey/load.ts";
import { journeyRuleSpecs } from "../../functions/journey/rules.ts";
import { validateJourneyFiles } from "../../functions/journey/validate.ts";
import type { Journey } from "../../functions/language/schema.ts";
import { event, loadSeedJourneys } from "./helpers.ts";

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
  it("compiles to a trigger no event matches, and listens to no detail-type", async () => {
    // Prepare
    const campaigns = await loadCampaigns();
    const catalog = new JourneyCatalog([...loadSeedJourneys(), ...campaigns]);
    const promotion = JSON.parse(SHOP_LIFE[4] ?? "{}");

    // Act
    const compiled = campaigns.map(compileJourney);
    const routed = ["user.registered", "order.placed", "cart.item_added", "promotion.scheduled"].flatMap((type) =>
      catalog.listeningTo(type).map((journey) => journey.id),
    );

    // Assess
    expect(compiled.map((journey) => [journey.id, [...(journey.detailTypes as Set<string>)]])).toEqual([
      ["member-day", []],
      ["presale-warmup", []],
    ]);
    expect(compiled.map((journey) => journey.trigger.matches(promotion))).toEqual([false, false]);
    expect(routed.filter((id) => CAMPAIGNS.includes(id))).toEqual([]);
    expect(routed).toContain("new-user-coupon");
  });

  it("needs no EventBridge rule to be entered", async () => {
    // Prepare
    const campaigns = await loadCampaigns();

    // Act
    const rules = journeyRuleSpecs(campaigns);

    // Assess
    expect(rules).toEqual([]);
  });
});
