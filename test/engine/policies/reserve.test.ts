import { describe, expect, it } from "vitest";
import { emptyProfile } from "../../../functions/engine/context.ts";
import { ConcurrencyError } from "../../../functions/engine/errors.ts";
import { MemoryStore } from "../../../functions/engine/memory-store.ts";
import type { SendLog } from "../../../functions/engine/model.ts";
import { parseJourneyPolicy, parsePolicyConfig } from "../../../functions/engine/policies/config.ts";
import type { DueMessage } from "../../../functions/engine/policies/decide.ts";
import { reserveDelivery, sendLogRetentionMs } from "../../../functions/engine/policies/reserve.ts";
import type { SendLogStore } from "../../../functions/engine/store.ts";
import { raceNextTwoSendLogReads } from "../../support/race.ts";

const HOUR = 3_600_000;
const config = parsePolicyConfig({});
const profile = { ...emptyProfile("u1"), timezone: "Asia/Shanghai" };
// Noon in Shanghai: outside quiet hours.
const message = (journeyId: string, overrides: Partial<DueMessage> = {}): DueMessage => ({
  journeyId,
  channel: "push",
  category: "marketing",
  dueAt: "2026-11-25T04:00:00Z",
  ...overrides,
});
const input = (journeyId: string, overrides: Partial<DueMessage> = {}) => ({
  message: message(journeyId, overrides),
  journey: parseJourneyPolicy({}),
  profile,
  config,
});

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

describe("reserveDelivery", () => {
  it("records a message that goes now in the user's send log", async () => {
    // Prepare
    const store = new MemoryStore();
    // Act
    const decision = await reserveDelivery(store, input("welcome"), 24 * HOUR);
    // Assess
    expect(decision).toEqual({ action: "send", at: "2026-11-25T04:00:00Z" });
    expect(store.sendLogs.get("u1")).toEqual({
      revision: 1,
      value: {
        userId: "u1",
        sends: [{ at: "2026-11-25T04:00:00Z", journeyId: "welcome", channel: "push", category: "marketing" }],
      },
    });
  });

  it("writes nothing for a message it defers or drops", async () => {
    // Prepare
    const store = new MemoryStore();
    // Act
    const deferred = await reserveDelivery(store, input("welcome", { dueAt: "2026-11-25T14:00:00Z" }), 24 * HOUR);
    const dropped = await reserveDelivery(store, input("welcome", { validUntil: "2026-11-25T04:00:00Z" }), 24 * HOUR);
    // Assess
    expect(deferred.action).toBe("defer");
    expect(dropped.action).toBe("drop");
    expect(store.sendLogs.size).toBe(0);
  });

  it("counts earlier sends and prunes those older than the retention as it records", async () => {
    // Prepare
    const store = new MemoryStore();
    const old: SendLog = {
      userId: "u1",
      sends: [
        { at: "2026-11-23T04:00:00Z", journeyId: "guide", channel: "sms", category: "marketing" },
        { at: "2026-11-25T01:00:00Z", journeyId: "guide", channel: "sms", category: "marketing" },
      ],
    };
    await store.putSendLog(old, undefined);
    // Act
    const push = await reserveDelivery(store, input("welcome"), 24 * HOUR);
    const sms = await reserveDelivery(store, input("welcome", { channel: "sms" }), 24 * HOUR);
    // Assess
    expect(push.action).toBe("send");
    expect(sms).toMatchObject({ action: "defer", until: "2026-11-25T05:00:00Z", rule: "cap:marketing-per-channel" });
    expect(store.sendLogs.get("u1")?.value.sends.map((sent) => sent.at)).toEqual([
      "2026-11-25T01:00:00Z",
      "2026-11-25T04:00:00Z",
    ]);
  });

  it("lets only one of two journeys firing at once through a cap of one; the other decides again", async () => {
    // Prepare
    const store = new MemoryStore();
    raceNextTwoSendLogReads(store);
    // Act
    const decisions = await Promise.all([
      reserveDelivery(store, input("welcome"), 24 * HOUR),
      reserveDelivery(store, input("guide"), 24 * HOUR),
    ]);
    // Assess
    expect(decisions.map((d) => d.action).sort()).toEqual(["defer", "send"]);
    expect(decisions.find((d) => d.action === "defer")).toMatchObject({ rule: "cap:marketing-per-channel" });
    expect(store.sendLogs.get("u1")?.value.sends).toHaveLength(1);
  });

  it("gives up with a ConcurrencyError after losing the write five times, and passes other errors on at once", async () => {
    // Prepare
    let writes = 0;
    const alwaysLoses: SendLogStore = {
      getSendLog: async () => undefined,
      putSendLog: async () => {
        writes += 1;
        throw new ConcurrencyError("another write came first");
      },
    };
    const broken: SendLogStore = {
      getSendLog: async () => undefined,
      putSendLog: async () => {
        throw new Error("network down");
      },
    };
    // Act / Assess
    await expect(reserveDelivery(alwaysLoses, input("welcome"), HOUR)).rejects.toThrow(ConcurrencyError);
    expect(writes).toBe(5);
    await expect(reserveDelivery(broken, input("welcome"), HOUR)).rejects.toThrow("network down");
  });
});
