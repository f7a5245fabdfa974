import { describe, expect, it } from "vitest";
import { emptyProfile } from "../../../functions/engine/context.ts";
import type { SentMessage } from "../../../functions/engine/model.ts";
import { parseJourneyPolicy, parsePolicyConfig } from "../../../functions/engine/policies/config.ts";
import { decideDelivery } from "../../../functions/engine/policies/decide.ts";
import { wallTimeAt } from "../../../functions/shared/local-time.ts";
import { mulberry32 } from "../../../functions/simulator/synthetic/random.ts";

const HOUR = 3_600_000;
const config = parsePolicyConfig({
  caps: [
    { id: "marketing-per-day", max: 3, per: "PT24H", scope: "user" },
    { id: "marketing-per-channel", max: 1, per: "PT4H", scope: "channel" },
  ],
});
const journey = parseJourneyPolicy({ caps: [{ id: "twice-a-day", max: 2, per: "PT24H" }] });
const channels = ["push", "sms", "email"];

/**
 * Random cases around both 2026 daylight-saving changes of New York and Berlin, and the same days in
 * Shanghai: a message due at a random time, with up to 8 random sends in the day before.
 */
function* cases(count: number) {
  const random = mulberry32(6);
  const around = ["2026-03-08T00:00:00Z", "2026-03-29T00:00:00Z", "2026-10-25T00:00:00Z", "2026-11-01T00:00:00Z"];
  for (let i = 0; i < count; i++) {
    const zone = ["America/New_York", "Europe/Berlin", "Asia/Shanghai"][i % 3] ?? "Asia/Shanghai";
    const base = Date.parse(around[Math.floor(random() * around.length)] ?? "");
    const dueAt = base + Math.floor(random() * 48 * HOUR);
    const sends: SentMessage[] = [];
    for (let n = Math.floor(random() * 9); n > 0; n--) {
      sends.push({
        at: new Date(dueAt - Math.floor(random() * 24 * HOUR)).toISOString(),
        journeyId: random() < 0.5 ? "welcome" : "guide",
        channel: channels[Math.floor(random() * channels.length)] ?? "push",
        category: random() < 0.8 ? "marketing" : "service",
      });
    }
    const channel = channels[Math.floor(random() * channels.length)] ?? "push";
    yield { zone, dueAt, sends, channel };
  }
}

describe("every deferral", () => {
  it("lands on a time that passes every rule: deciding again then sends, outside quiet hours", () => {
    let deferred = 0;
    for (const { zone, dueAt, sends, channel } of cases(600)) {
      // Prepare
      const input = {
        message: {
          journeyId: "welcome",
          channel,
          category: "marketing" as const,
          dueAt: new Date(dueAt).toISOString(),
        },
        journey,
        profile: { ...emptyProfile("u1"), timezone: zone },
        recentSends: sends,
        config,
      };
      // Act
      const decision = decideDelivery(input);
      if (decision.action !== "defer") continue;
      deferred += 1;
      const again = decideDelivery({ ...input, message: { ...input.message, dueAt: decision.until } });
      const local = wallTimeAt(Date.parse(decision.until), zone);
      // Assess
      expect(Date.parse(decision.until)).toBeGreaterThan(dueAt);
      expect(again).toEqual({ action: "send", at: decision.until });
      expect(local.hour >= 9 && local.hour < 21, `${decision.until} in ${zone}`).toBe(true);
    }
    // The cases must exercise deferrals, not pass vacuously.
    expect(deferred).toBeGreaterThan(200);
  });
});
