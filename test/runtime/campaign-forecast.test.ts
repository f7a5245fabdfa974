import { beforeAll, describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import type { Journey } from "../../functions/language/schema.ts";
import type { CampaignForecast } from "../../functions/runtime/campaign-forecast.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { platformPolicies, platformTraits, seedJourney } from "../scenarios/helpers.ts";
import { forecastThenSend, shopEventAt } from "./campaign-occurrence.ts";

/**
 * `nudge campaign preview`'s forecast (functions/runtime/campaign-forecast.ts) against the send that follows it:
 * member day to thirty silver members in three zones, five of them unsubscribed from push, with a budget
 * for fifteen coupons. The forecast, made first with nothing written, says what the send then does.
 */

const JOINED = "2026-11-18T02:00:00Z";
const ZONES = ["Asia/Shanghai", "Europe/London", "America/Los_Angeles"];
const policies = platformPolicies();
let traits: TraitsFile;
beforeAll(async () => {
  traits = await platformTraits();
});

const shopEvent = shopEventAt(JOINED);

/** Member day with a budget of 150 CNY a day: fifteen silver coupons of 10. */
function memberDay(): Journey {
  const journey = seedJourney("member-day");
  const budget = journey.policy.couponBudget;
  if (budget === undefined) throw new Error("member-day has no coupon budget");
  // One item: the forecast spends a day as one pool, which 150 over member-day's shards would not be exactly.
  return { ...journey, policy: { ...journey.policy, couponBudget: { ...budget, perDay: 150, shards: 1 } } };
}

/** The counts a forecast gives, from the effects a send made. */
function countsOf(effects: readonly JourneyEffect[]) {
  const counts = { entered: 0, holdout: 0, sent: 0, suppressed: 0, deferred: 0, coupons: 0, withheld: 0 };
  for (const effect of effects) {
    if (effect.type === "journey.entered") counts.entered++;
    if (effect.type === "holdout") counts.holdout++;
    if (effect.type === "message.sent") counts.sent++;
    if (effect.type === "message.suppressed") counts.suppressed++;
    if (effect.type === "message.deferred") counts.deferred++;
    if (effect.type === "coupon.issued") counts.coupons++;
    if (effect.type === "coupon.withheld") counts.withheld++;
  }
  return counts;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const forecastCounts = (f: CampaignForecast) => ({
  entered: f.entered,
  holdout: f.holdout,
  sent: sum(f.sent),
  suppressed: sum(f.suppressed),
  deferred: Object.values(f.deferred).reduce((a, d) => a + d.count, 0),
  coupons: f.coupons.issued,
  withheld: f.coupons.withheld,
});

describe("a campaign's forecast", () => {
  it("says what the send then does: entries, holdout, messages sent and suppressed, coupons and the budget running out", async () => {
    // Prepare: thirty members set up through the runtime (registration, a 600-yuan order), five unsubscribed
    // from push.
    const journey = memberDay();
    const store = new MemoryStore();
    const effects: JourneyEffect[] = [];
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog([journey]),
      store,
      policies,
      traits,
      sink: { deliver: (effect) => void effects.push(effect) },
      publisher: { publish: () => undefined },
    });
    const at = Date.parse(JOINED);
    for (let i = 0; i < 30; i++) {
      const userId = `m-${String(i).padStart(2, "0")}`;
      const timezone = ZONES[i % ZONES.length];
      await runtime.handleEvent(shopEvent("user.registered", `reg-${i}`, { userId, locale: "zh-CN", timezone }), at);
      const order = { userId, orderId: `o-${i}`, amount: 600, currency: "CNY" };
      await runtime.handleEvent(shopEvent("order.placed", `o-${i}`, order), at);
      if (i < 5)
        await runtime.handleEvent(shopEvent("user.unsubscribed", `unsub-${i}`, { userId, channel: "push" }), at);
    }
    await runtime.flush();
    // Act: the forecast, then the send (the occurrence's fan-out and every member's entry).
    const forecast = await forecastThenSend({ journey, at, store, runtime, policies, traits, effects });

    // Assess: the same figures. The budget is a day's in the platform's zone (Shanghai): fifteen coupons on
    // Friday, when Shanghai and London enter, then it runs out; Los Angeles enters on Shanghai's Saturday.
    expect(forecast.audience).toBe(30);
    expect(forecastCounts(forecast)).toEqual(countsOf(effects));
    expect(forecast.coupons.withheld).toBeGreaterThan(0);
    expect(forecast.coupons.issued + forecast.coupons.withheld).toBe(forecast.entered);
    expect(forecast.coupons.runsOutAt).toBe(effects.find((effect) => effect.type === "coupon.withheld")?.at);
    // The budget days as the send leaves them: Friday's spent to the last coupon that fitted.
    for (const { day, spentAfter } of forecast.budgets)
      expect(spentAfter, day).toBe((await store.getCouponBudget("member-day", day)).spent);
    expect(forecast.budgets.map((b) => [b.day, b.perDay, b.spentBefore])).toEqual([
      ["2026-11-20", 150, 0],
      ["2026-11-21", 150, 0],
    ]);
    expect(sum(forecast.suppressed)).toBe(5);
    expect(forecast.samples).toHaveLength(5);
    expect(forecast.samples[0]).toMatchObject({ channel: "push", at: "2026-11-20T02:00:00Z" });
    expect(forecast.samples[0]?.text).toContain("会员日");
  });
});
