import { describe, expect, it } from "vitest";
import { parsePolicyConfig } from "../../functions/engine/policies/config.ts";
import { journeyReport, stepsInGraphOrder } from "../../functions/reports/journey-report.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { journey } from "../engine/fixtures.ts";
import { event } from "../scenarios/helpers.ts";
import { REPORTED, simulateShop } from "./known-shop.ts";

const FROM = "2026-11-01";
const TO = "2026-11-12";

async function reportOf(plan: Parameters<typeof simulateShop>[0]) {
  const store = new MemoryStore();
  await simulateShop(plan, store);
  const counters = await store.readStats(REPORTED.id, FROM, TO);
  return journeyReport({ journeyId: REPORTED.id, journey: REPORTED, counters, from: FROM, to: TO });
}

describe("journeyReport over a known simulation", () => {
  it("counts the funnel, messages, coupons, exits and conversions, and the uplift, as worked out by hand", async () => {
    // Prepare: 40 treated and 40 held out; 14 treated users order (10 with their coupon), 6 held out do.
    // By hand: all 40 treated reach coupon, welcome and wait; the 26 who did not order reach the reminder;
    // messages 40 + 26 = 66; coupons 40 × 10 = 400 issued, 10 × 10 = 100 redeemed; order values 100, 110...:
    // treatment 14 × 100 + 10 × (0 + ... + 13) = 2310, holdout 6 × 100 + 10 × 15 = 750; exits on the order
    // 14 + 6 = 20, completed 26 + 34 = 60. Rates 14/40 = 0.35 and 6/40 = 0.15: difference 0.2, SE =
    // √(0.35·0.65/40 + 0.15·0.85/40) = √0.008875 = 0.094207, interval 0.2 ± 0.184644; incremental
    // 0.2 × 40 = 8; cost 100 / 8 = 12.5 per incremental conversion.
    const plan = { treatment: 40, holdout: 40, treatmentOrders: 14, holdoutOrders: 6, redemptions: 10 };

    // Act
    const report = await reportOf(plan);

    // Assess
    expect(report.entered).toEqual({ treatment: 40, holdout: 40 });
    expect(report.funnel).toEqual([
      { label: "entered", count: 40 },
      { label: "step coupon", stepId: "coupon", count: 40 },
      { label: "step welcome", stepId: "welcome", count: 40 },
      { label: "step wait", stepId: "wait", count: 40 },
      { label: "step reminder", stepId: "reminder", count: 26 },
      { label: "messages sent", count: 66 },
      { label: "goal converted", count: 14 },
    ]);
    expect(report.messages).toEqual({ sent: 66, suppressed: {}, deferred: {} });
    expect(report.coupons).toEqual({ issued: 40, valueIssued: 400, redeemed: 10, valueRedeemed: 100, withheld: {} });
    expect(report.exits).toEqual({ completed: 60, "exit-event": 20 });
    expect(report.goal).toEqual({ converted: 14, value: 2310, holdoutConverted: 6, holdoutValue: 750 });
    const uplift = report.uplift;
    expect(uplift?.difference).toBeCloseTo(0.2, 10);
    expect(uplift?.interval?.low).toBeCloseTo(0.015356, 5);
    expect(uplift?.interval?.high).toBeCloseTo(0.384644, 5);
    expect(uplift?.incrementalConversions).toBeCloseTo(8, 8);
    expect(uplift?.costPerIncrementalConversion).toBeCloseTo(12.5, 8);
    expect(uplift?.verdict).toBe("uplift");
    expect(report.days.map((d) => [d.day, d.entered, d.holdout, d.converted, d.holdoutConverted])).toEqual([
      ["2026-11-02", 40, 40, 14, 6],
      ["2026-11-03", 0, 0, 0, 0],
    ]);
    expect(report.days[0]?.rateToDate).toBeCloseTo(0.35, 10);
    expect(report.days[1]?.holdoutRateToDate).toBeCloseTo(0.15, 10);
  });

  it("says a holdout of 10 is too small to conclude", async () => {
    // Prepare: 40 treated (14 order), 10 held out (2 order).
    const plan = { treatment: 40, holdout: 10, treatmentOrders: 14, holdoutOrders: 2, redemptions: 0 };

    // Act
    const report = await reportOf(plan);

    // Assess
    expect(report.entered).toEqual({ treatment: 40, holdout: 10 });
    expect(report.uplift?.difference).toBeCloseTo(14 / 40 - 2 / 10, 10);
    expect(report.uplift?.verdict).toBe("too-small");
    expect(report.uplift?.explanation).toMatch(/^Too small to conclude: the holdout group has 10 entrants; /);
  });
});

describe("stepsInGraphOrder", () => {
  it("lists steps breadth first from the start, then steps not reached from it", () => {
    // Prepare
    const journey = {
      ...REPORTED,
      start: "welcome",
      steps: [REPORTED.steps[3], REPORTED.steps[0], REPORTED.steps[2], REPORTED.steps[1]].filter(
        (s) => s !== undefined,
      ),
    };
    // Act
    const order = stepsInGraphOrder(journey);
    // Assess
    expect(order).toEqual(["welcome", "wait", "reminder", "coupon"]);
  });
});

describe("step counters", () => {
  it("count a step once for a run whose message was deferred and tried again", async () => {
    // Prepare: a registration at 23:00 in Shanghai, in the quiet hours (21:00-09:00): the greeting waits.
    const greeter = journey({
      id: "greeter",
      start: "greet",
      steps: [{ id: "greet", type: "send", channel: "push", template: "hello" }],
    });
    const store = new MemoryStore();
    const policies = parsePolicyConfig({ quietHours: { start: "21:00", end: "09:00" }, caps: [] });
    const registered = event("user.registered", "2026-11-02T15:00:00Z", { userId: "u1", timezone: "Asia/Shanghai" });
    // Act
    await simulate({ journeys: [greeter], lines: [registered], policies, store });
    // Assess
    const counters = await store.readStats("greeter", FROM, TO);
    const byName = Object.fromEntries(counters.map((c) => [c.name, c.amount]));
    expect(byName).toMatchObject({ "step.greet": 1, "message.deferred.quiet-hours": 1, "message.sent": 1 });
  });
});
