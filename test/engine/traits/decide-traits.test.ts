import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileJourney } from "../../../functions/engine/compile.ts";
import { decideEvent } from "../../../functions/engine/decide.ts";
import type { Profile } from "../../../functions/engine/model.ts";
import { applyEventToProfile } from "../../../functions/engine/profile.ts";
import { parseTraitsFile } from "../../../functions/engine/traits/config.ts";
import { journey, shopEvent } from "../fixtures.ts";

const traits = {
  file: parseTraitsFile(JSON.parse(readFileSync(new URL("../../../journeys/traits.json", import.meta.url), "utf8"))),
  defaultZone: "Asia/Shanghai",
};

// Enters on a check-in when the streak, counted with it, reaches 3; the message names it.
const streakNote = compileJourney(
  journey({
    trigger: { type: "event", pattern: { "detail-type": ["user.checked_in"] } },
    audience: { profile: { traits: { checkinStreak: [{ numeric: [">=", 3] }] } } },
    templates: { hello: { "zh-CN": "已连续签到 {{ profile.traits.checkinStreak }} 天" } },
    start: "note",
    steps: [{ id: "note", type: "send", channel: "push", template: "hello" }],
  }),
);

/** The profile after check-ins at 10:30 on these Shanghai mornings (outside quiet hours), and the decision on the last one. */
function decideAfter(days: string[]) {
  const events = days.map((day) => shopEvent("user.checked_in", `${day}T02:30:00Z`, { userId: "u1" }));
  let profile: Profile | undefined;
  for (const event of events) profile = applyEventToProfile(profile, event, traits) ?? profile;
  const last = events.at(-1);
  if (last === undefined) throw new Error("no events");
  const args = { current: streakNote, record: undefined, key: "u1", profile, now: Date.parse(last.time), event: last };
  return { withTraits: decideEvent({ ...args, traits }), without: decideEvent(args) };
}

describe("journeys that read traits", () => {
  it("admit by a trait's value at the decision's moment, and render it", () => {
    // Act
    const { withTraits, without } = decideAfter(["2026-11-20", "2026-11-21", "2026-11-22"]);
    // Assess
    const sent = withTraits?.effects.find((effect) => effect.type === "message.sent");
    expect(sent?.type === "message.sent" && sent.text).toBe("已连续签到 3 天");
    expect(without?.effects.some((effect) => effect.type === "message.sent") ?? false).toBe(false);
  });

  it("do not admit a user whose streak a missed day broke", () => {
    // Act
    const { withTraits } = decideAfter(["2026-11-19", "2026-11-20", "2026-11-22"]);
    // Assess
    expect(withTraits?.effects.some((effect) => effect.type === "message.sent") ?? false).toBe(false);
  });
});
