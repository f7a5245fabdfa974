import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { PROFILE_DETAIL_TYPES } from "../../functions/engine/profile.ts";
import { platformRoute } from "../../functions/journey/rules.ts";
import type { Journey } from "../../functions/language/schema.ts";
import { canonicalJson, journeyRuleSpecs, PROFILE_RULE, platformRuleSpecs } from "../../lib/journey-rules.ts";
import { journeyFrom, loadSeedJourneys, seedJourney } from "../scenarios/helpers.ts";

const send = { id: "hello", type: "send", channel: "push", template: "hello" };
const templates = { hello: { "zh-CN": "你好" } };

describe("journeyRuleSpecs", () => {
  it("makes one rule per distinct pattern, listing every journey part that needs it", () => {
    // Prepare: new-user-coupon and onboarding-guide both start on user.registered; dormancy-reactivation
    // counts from it, and ends on order.placed, which is also new-user-coupon's goal; the refund guardrails of
    // two of them need order.refunded.
    const welcome = seedJourney("new-user-coupon");
    const guide = seedJourney("onboarding-guide");
    const dormancy = seedJourney("dormancy-reactivation");
    /** A journey part as the rules name it: with the version of the journey's file. */
    const use = (journey: Journey, part: string) => `${journey.id} v${journey.version} ${part}`;
    // Act
    const specs = journeyRuleSpecs([welcome, guide, dormancy]);
    // Assess
    expect(specs.map((s) => [canonicalJson(s.pattern), s.uses])).toEqual([
      [
        '{"detail-type":["user.registered"]}',
        [use(welcome, "trigger"), use(guide, "trigger"), use(dormancy, "countFrom")],
      ],
      [
        '{"detail-type":["order.placed"]}',
        [
          use(welcome, "goal"),
          use(guide, "goal"),
          use(dormancy, "trigger"),
          use(dormancy, "exitOn[0]"),
          use(dormancy, "goal"),
        ],
      ],
      [
        '{"detail-type":["order.refunded"]}',
        [use(welcome, "guardrails.maxRefundRate"), use(dormancy, "guardrails.maxRefundRate")],
      ],
    ]);
  });

  it("names a rule after its pattern alone, so that other journeys never rename it", () => {
    // Prepare
    const review = seedJourney("post-promotion-review");
    // Act
    const alone = journeyRuleSpecs([review]);
    const withOthers = journeyRuleSpecs([seedJourney("coupon-expiry-nudge"), review]);
    // Assess
    expect(alone.map((s) => s.id)).toEqual([
      expect.stringMatching(/^order-delivered-[0-9a-f]{8}$/),
      expect.stringMatching(/^order-refunded-[0-9a-f]{8}$/),
      expect.stringMatching(/^review-posted-[0-9a-f]{8}$/),
    ]);
    expect(withOthers.map((s) => s.id)).toEqual(expect.arrayContaining(alone.map((s) => s.id)));
  });

  it("routes what wait-for-event steps wait for, keeps patterns as written ($or, detail filters), and no entries to a disabled journey", () => {
    // Prepare
    const vip = {
      $or: [{ "detail-type": ["order.placed"], detail: { amount: [{ numeric: [">=", 1000] }] } }, { source: ["crm"] }],
    };
    const waiting = journeyFrom({
      id: "waiting",
      version: 2,
      name: "Waiting",
      trigger: { type: "event", pattern: vip },
      start: "wait",
      steps: [
        {
          id: "wait",
          type: "wait-for-event",
          pattern: { "detail-type": ["review.posted"] },
          timeout: "P1D",
          onEvent: "hello",
          onTimeout: "hello",
        },
        send,
      ],
      templates,
    });
    const disabled = journeyFrom({
      id: "off",
      version: 1,
      name: "Off",
      enabled: false,
      trigger: { type: "event", pattern: { "detail-type": ["promotion.ended"] } },
      exitOn: [{ "detail-type": ["user.unsubscribed"] }],
      start: "hello",
      steps: [send],
      templates,
    });
    // Act
    const specs = journeyRuleSpecs([waiting, disabled]);
    // Assess
    expect(specs.map((s) => [s.pattern, s.uses])).toEqual([
      [vip, ["waiting v2 trigger"]],
      [{ "detail-type": ["review.posted"] }, ["waiting v2 step wait"]],
      // Its runs in flight still end on their exit event.
      [{ "detail-type": ["user.unsubscribed"] }, ["off v1 exitOn[0]"]],
    ]);
    expect(specs[0]?.id).toMatch(/^any-[0-9a-f]{8}$/);
  });

  it("adds the profile events' rule to the journeys' rules, once, even when a journey has the same pattern", () => {
    // Prepare: one journey whose trigger is the profile pattern itself, and the seeds, which have none.
    const sameAsProfile = journeyFrom({
      id: "every-profile-event",
      version: 1,
      name: "Every profile event",
      trigger: { type: "event", pattern: PROFILE_RULE.pattern },
      start: "hello",
      steps: [send],
      templates,
    });
    // Act
    const merged = platformRuleSpecs([sameAsProfile]);
    const added = platformRuleSpecs([seedJourney("new-user-coupon")]);
    // Assess
    expect(merged.map((s) => [s.id, s.uses])).toEqual([
      [
        expect.stringMatching(/^user-registered-user-updated-/),
        ["every-profile-event v1 trigger", "profile: every user's profile"],
      ],
    ]);
    expect(added.at(-1)).toEqual({
      id: "profile-events",
      pattern: {
        "detail-type": [...PROFILE_DETAIL_TYPES],
      },
      uses: ["profile: every user's profile"],
    });
    expect(PROFILE_RULE.uses).toEqual(["profile: every user's profile"]);
  });
});

describe("platformRoute", () => {
  it("takes what a rule takes: a new-user coupon (the expiry nudge's), a profile update; not member day's coupons", () => {
    // Prepare: the shipped journeys, whose coupon-expiry nudge leaves member day's coupons alone.
    const routed = platformRoute(loadSeedJourneys());
    const event = (type: string, detail: Record<string, unknown>): ShopEvent => ({
      id: `${type}-1`,
      source: "nudge",
      "detail-type": type,
      time: "2026-12-04T02:00:00Z",
      detail: { userId: "u1", ...detail },
    });
    const coupon = (journeyId: string) =>
      event("coupon.issued", {
        couponId: "c1",
        code: "C1",
        amountOff: 10,
        expiresAt: "2026-12-04T15:59:00Z",
        journeyId,
      });
    // Act / Assess
    expect(routed(coupon("new-user-coupon"))).toBe(true);
    expect(routed(event("user.updated", { attributes: { city: "Hangzhou" } }))).toBe(true);
    expect(routed(coupon("member-day"))).toBe(false);
  });
});
