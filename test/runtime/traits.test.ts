import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { parseTraitsFile } from "../../functions/engine/traits/config.ts";
import { profileRule } from "../../functions/journey/rules.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { journey, shopEvent } from "../engine/fixtures.ts";

const traits = parseTraitsFile(
  JSON.parse(readFileSync(new URL("../../journeys/traits.json", import.meta.url), "utf8")),
);

// A note on the third check-in in a row, naming the streak.
const streakNote = journey({
  id: "streak-note",
  trigger: { type: "event", pattern: { "detail-type": ["user.checked_in"] } },
  reentry: { type: "after-exit" },
  audience: { profile: { traits: { checkinStreak: [{ numeric: ["=", 3] }] } } },
  templates: { hello: { "zh-CN": "已连续签到 {{ profile.traits.checkinStreak }} 天" } },
  start: "note",
  steps: [{ id: "note", type: "send", channel: "push", template: "hello" }],
});

describe("JourneyRuntime with the platform's traits", () => {
  it("keeps the user's traits from their events, once each, and admits by them", async () => {
    // Prepare: check-ins at 10:30 in Shanghai on three days in a row, the second delivered twice.
    const store = new MemoryStore();
    const delivered: JourneyEffect[] = [];
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog([streakNote]),
      store,
      traits,
      sink: { deliver: async (effect) => void delivered.push(effect) },
      publisher: { publish: async () => undefined },
    });
    const days = ["2026-11-20", "2026-11-21", "2026-11-21", "2026-11-22"];
    const events = days.map((day, i) =>
      shopEvent("user.checked_in", `${day}T02:30:00Z`, { userId: "u1" }, `c-${day}-${i}`),
    );
    // Act
    for (const event of events) await runtime.handleEvent(event, Date.parse(event.time));
    // Assess: one note, on the third day; the days kept on the profile.
    const sent = delivered.filter((effect) => effect.type === "message.sent");
    expect(sent.map((effect) => effect.type === "message.sent" && [effect.at, effect.text])).toEqual([
      ["2026-11-22T02:30:00Z", "已连续签到 3 天"],
    ]);
    expect(store.users.get("u1")?.value.profile?.traitStates?.checkinDays?.days).toHaveLength(1);
  });

  it("routes the events the traits learn from to the profile, beside the profile's own", () => {
    // Act
    const rule = profileRule(traits);
    // Assess
    expect(rule.pattern["detail-type"]).toEqual(
      expect.arrayContaining([
        "user.registered",
        "order.placed",
        "order.refunded",
        "user.checked_in",
        "cart.item_added",
        "product.favorited",
        "review.posted",
      ]),
    );
    expect(profileRule().pattern["detail-type"]).not.toContain("user.checked_in");
  });
});
