import { beforeAll, describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import type { Journey } from "../../functions/language/schema.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { platformPolicies, platformTraits, seedJourney } from "../scenarios/helpers.ts";
import { forecastThenSend, shopEventAt } from "./campaign-occurrence.ts";

/**
 * A campaign's forecast (issue 12) counts the WeChat messages the grants will not cover: member day sent as a
 * subscribe message to twelve silver members, four of whom granted it. The forecast, made first, says what
 * the send then does.
 */

const JOINED = "2026-11-18T02:00:00Z";
const TEMPLATE_ID = "vX1MxRmoPiYcPcmQSrmCMePMvVAFhTaDL-nZNQCELDQ";
const policies = platformPolicies();
let traits: TraitsFile;
beforeAll(async () => {
  traits = await platformTraits();
});

const shopEvent = shopEventAt(JOINED);

/** Member day on wechat, its template with a wechat block (no coupon budget: the grants alone hold messages back). */
function memberDayOnWechat(): Journey {
  const journey = seedJourney("member-day");
  const { couponBudget: _budget, ...policy } = journey.policy;
  return {
    ...journey,
    policy,
    steps: journey.steps.map((step) => (step.type === "send" ? { ...step, channel: "wechat" } : step)),
    templateParams: { "member-day": { wechat: { "@templateId": TEMPLATE_ID, thing1: "会员日专享券已到账" } } },
  };
}

describe("a campaign's forecast of WeChat subscribe messages", () => {
  it("counts the members without a grant as no-subscription-grant (wechat), as the send then suppresses them", async () => {
    // Prepare: twelve silver members (a 600-yuan order each), the first four with a grant of member day's template.
    const journey = memberDayOnWechat();
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
    for (let i = 0; i < 12; i++) {
      const userId = `m-${String(i).padStart(2, "0")}`;
      await runtime.handleEvent(shopEvent("user.registered", `reg-${i}`, { userId, timezone: "Asia/Shanghai" }), at);
      await runtime.handleEvent(
        shopEvent("order.placed", `o-${i}`, { userId, orderId: `o-${i}`, amount: 600, currency: "CNY" }),
        at,
      );
      if (i < 4)
        await runtime.handleEvent(
          shopEvent("wechat.subscription_granted", `g-${i}`, { userId, templateId: TEMPLATE_ID, count: 1 }),
          at,
        );
    }
    await runtime.flush();
    // Act: the forecast, then the send.
    const forecast = await forecastThenSend({ journey, at, store, runtime, policies, traits, effects });

    // Assess
    const suppressed = effects.filter((e) => e.type === "message.suppressed" && e.reason === "no-subscription-grant");
    expect(forecast.audience).toBe(12);
    expect(forecast.sent).toEqual({ wechat: 4 });
    expect(forecast.suppressed).toEqual({ "no-subscription-grant (wechat)": 8 });
    expect(suppressed).toHaveLength(8);
    expect(effects.filter((e) => e.type === "message.sent")).toHaveLength(4);
  });
});
