import { describe, expect, it } from "vitest";
import { compileJourney } from "../../functions/engine/compile.ts";
import { decideEvent } from "../../functions/engine/decide.ts";
import { DEFAULT_POLICY_CONFIG } from "../../functions/engine/policy-state.ts";
import { simulate } from "../../functions/simulator/simulate.ts";
import { journey, shopEvent } from "./fixtures.ts";

const greeter = journey({
  templates: { hello: { "zh-CN": "生日 {{ profile.attributes.birthday | date: '%Y-%m-%d' }}" } },
  start: "greet",
  steps: [{ id: "greet", type: "send", channel: "sms", template: "hello" }],
});

const registered = (userId: string, attributes: Record<string, unknown>) =>
  JSON.stringify(shopEvent("user.registered", "2026-11-01T02:00:00Z", { userId, attributes }));

describe("send steps", () => {
  it("holds back a message whose template cannot render, records why, and carries on with the others", async () => {
    // Prepare: a number far outside any date makes the date filter fail for u1 only.
    const lines = [registered("u1", { birthday: 1e21 }), registered("u2", { birthday: "1990-05-17T00:00:00Z" })];
    // Act
    const result = await simulate({ journeys: [greeter], lines });
    // Assess
    const messages = result.lines.filter((l) => l.type.startsWith("message."));
    expect(messages.map((l) => [l.user, l.type, l.reason ?? l.text])).toEqual([
      ["u1", "message.suppressed", "template-error"],
      ["u2", "message.sent", "生日 1990-05-17"],
    ]);
  });

  it("decides as if the user had sent nothing when no send log is given, and says it wanted one", async () => {
    // Prepare: two messages in a row, a registration at 10:00 in Shanghai (outside the quiet hours).
    const twice = compileJourney(
      journey({
        templates: { hello: { "zh-CN": "你好" } },
        start: "first",
        steps: [
          { id: "first", type: "send", channel: "sms", template: "hello", next: "second" },
          { id: "second", type: "send", channel: "email", template: "hello" },
        ],
      }),
    );
    const event = shopEvent("user.registered", "2026-11-01T02:00:00Z", { userId: "u1" });
    const args = {
      current: twice,
      record: undefined,
      key: "u1",
      profile: undefined,
      now: Date.parse(event.time),
      event,
    };
    // Act
    const given = decideEvent({ ...args, policy: { config: DEFAULT_POLICY_CONFIG, sends: [] } });
    const unasked = decideEvent({ ...args, policy: { config: DEFAULT_POLICY_CONFIG } });
    // Assess
    expect(given?.policy.wantsSends).toBe(false);
    expect(given?.effects.map((effect) => effect.type)).toEqual([
      "journey.entered",
      "message.sent",
      "message.sent",
      "journey.exited",
    ]);
    expect(unasked?.policy.wantsSends).toBe(true);
    expect(unasked?.effects).toEqual(given?.effects);
  });
});
