import { beforeAll, describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { platformPolicies, platformTraits, seedJourney } from "../scenarios/helpers.ts";
import { type CrashPlan, type HarnessResult, runWithCrashes } from "../support/crash-harness.ts";

/**
 * The crash-point suite over a campaign (issue 12's guarantee, issue 16's fan-out): six silver members in three
 * zones and member day's occurrence of Friday 20 November, the process dying at each await point of the
 * fan-out, of the members' entries and of the tick (every store and queue call, before and after it), then
 * the input delivered again to a new process. Whatever dies where: each member's coupon and message reach
 * the channel once, as in the clean run, and the budget holds exactly the coupons issued.
 */

const JOINED = "2026-11-18T02:00:00Z";
const ZONES = ["Asia/Shanghai", "Europe/London", "America/Los_Angeles"];
const event = (type: string, id: string, detail: Record<string, unknown>): ShopEvent => ({
  id,
  source: "shop",
  "detail-type": type,
  time: JOINED,
  detail,
});
const events = Array.from({ length: 6 }, (_, i) => {
  const userId = `m-${i}`;
  return [
    event("user.registered", `reg-${i}`, { userId, locale: "zh-CN", timezone: ZONES[i % ZONES.length] }),
    event("order.placed", `o-${i}`, { userId, orderId: `o-${i}`, amount: 600, currency: "CNY" }),
  ];
}).flat();

let traits: TraitsFile;
beforeAll(async () => {
  traits = await platformTraits();
});

async function run(plan?: CrashPlan): Promise<{ result: HarnessResult; spent: number }> {
  const store = new MemoryStore();
  const result = await runWithCrashes({
    journeys: [seedJourney("member-day")],
    policies: platformPolicies(),
    store,
    events,
    traits,
    armCampaignsAfter: Date.parse(JOINED),
    until: Date.parse("2026-11-22T00:00:00Z"),
    ...(plan ? { plan } : {}),
  });
  let spent = 0;
  const shards = seedJourney("member-day").policy.couponBudget?.shards;
  for (const day of ["2026-11-20", "2026-11-21"])
    spent += (await store.getCouponBudget("member-day", day, { ...(shards && { shards }) })).spent;
  return { result, spent };
}

const sent = (delivered: Map<string, JourneyEffect>) =>
  [...delivered.values()]
    .filter((e) => e.type === "message.sent" || e.type === "coupon.issued")
    .map((e) => e.id)
    .sort();
const couponValue = (delivered: Map<string, JourneyEffect>) =>
  [...delivered.values()].reduce((sum, e) => sum + (e.type === "coupon.issued" ? (e.coupon.amountOff ?? 0) : 0), 0);

describe("crash points of a campaign: dying anywhere in its fan-out or its entries loses nothing and repeats nothing", () => {
  let clean: { result: HarnessResult; spent: number };
  beforeAll(async () => {
    clean = await run();
  });

  it("runs clean: every member not held out gets a coupon and a message once, the budget charged with them", () => {
    const effects = [...clean.result.delivered.values()];
    const messages = effects.filter((e) => e.type === "message.sent");
    const heldOut = effects.filter((e) => e.type === "holdout");
    expect(new Set(messages.map((e) => e.user)).size).toBe(messages.length);
    expect(messages.length + heldOut.length).toBe(6);
    expect(clean.spent).toBe(couponValue(clean.result.delivered));
    expect(clean.result.points.get("store.segmentMembers:before")).toBeGreaterThan(0);
  });

  it("dies once at each await point, each time it is reached in turn, and comes out the same", async () => {
    const plans = [...clean.result.points].flatMap(([point, times]) =>
      Array.from({ length: times }, (_, index) => ({ point, reached: index + 1 })),
    );
    expect(plans.length).toBeGreaterThan(100);
    for (const { point, reached: at } of plans) {
      const crashed = await run((name, reached) => name === point && reached === at);
      expect(crashed.result.crashes, point).toBe(1);
      expect(crashed.result.conflicts, point).toEqual([]);
      expect(sent(crashed.result.delivered), point).toEqual(sent(clean.result.delivered));
      expect(crashed.spent, point).toBe(clean.spent);
    }
  });

  it("dies at every point in turn (each attempt one step further) and comes out the same", async () => {
    const crashed = await run((_point, _reached, { attempt, step }) => step === attempt);
    expect(crashed.result.crashes).toBeGreaterThan(10);
    expect(crashed.result.conflicts).toEqual([]);
    expect(sent(crashed.result.delivered)).toEqual(sent(clean.result.delivered));
    expect(crashed.spent).toBe(clean.spent);
  });
});
