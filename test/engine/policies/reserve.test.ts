import { describe, expect, it } from "vitest";
import { parseJourneyPolicy, parsePolicyConfig } from "../../../functions/engine/policies/config.ts";
import { sendLogRetentionMs } from "../../../functions/engine/policies/reserve.ts";

const HOUR = 3_600_000;
const config = parsePolicyConfig({});

describe("sendLogRetentionMs", () => {
  it("keeps sends as long as the longest cap window, the platform's or any journey's", () => {
    // Prepare
    const weekly = parseJourneyPolicy({ caps: [{ id: "weekly", max: 1, per: "P7D" }] });
    // Act / Assess
    expect(sendLogRetentionMs(config, [])).toBe(24 * HOUR);
    expect(sendLogRetentionMs(config, [parseJourneyPolicy({}), weekly])).toBe(7 * 24 * HOUR);
    expect(sendLogRetentionMs(parsePolicyConfig({ caps: [] }), [])).toBe(0);
  });
});
