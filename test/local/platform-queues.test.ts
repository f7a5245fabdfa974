import { describe, expect, it } from "vitest";
import { guardrailCheckSeconds } from "../../functions/local/platform-queues.ts";

describe("the local tick's guardrail checks", () => {
  it("checks every tick in real time, once a virtual hour at --speed, and never more than once a real second", () => {
    // Act / Assess: real time; 60x (a virtual hour a real minute); the demo's 43,200x (12 virtual hours a
    // real second); beyond a virtual day a second, once a virtual day.
    expect(guardrailCheckSeconds(1)).toBe(0);
    expect(guardrailCheckSeconds(60)).toBe(3_600);
    expect(guardrailCheckSeconds(43_200)).toBe(43_200);
    expect(guardrailCheckSeconds(200_000)).toBe(86_400);
  });
});
