import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { readOutbox } from "../../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../../functions/local/platform.ts";
import { capture } from "../cli/capture-io.ts";
import { journey } from "../engine/fixtures.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { NO_POLICIES } from "../support/policies.ts";
import { until } from "../support/until.ts";

/**
 * Pause and resume on the running local platform through the CLI, as an operator does it: `nudge pause`
 * while it runs, a registration not admitted, the run's next message held, `nudge status` showing it all,
 * `nudge resume`, and the held message goes.
 */

const T0 = Date.parse("2026-11-18T02:00:00Z");
const DAY = 86_400_000;

const sent = (platform: LocalPlatform) =>
  readOutbox(platform.outboxPath).map((l) => `${l.journey}/${l.template}/${l.user}`);

describe("pause and resume on the local platform", () => {
  it("pauses onboarding-guide from the CLI while running: no one admitted, guide 2 held, shown by status, sent on resume", async () => {
    // Prepare: the platform with the controls read at every input (a test cannot wait 30 s).
    const dir = mkdtempSync(join(tmpdir(), "nudge-controls-"));
    const clock = { now: T0 };
    const platform = await startLocalPlatform({
      dir,
      journeys: loadSeedJourneys(),
      policies: NO_POLICIES,
      port: 0,
      clock: () => clock.now,
      tickEveryMs: 20,
      controlTtlSeconds: 0,
    });
    const bus = new EventBridgeClient({
      endpoint: platform.url,
      region: "local",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const register = (userId: string) =>
      bus.send(
        new PutEventsCommand({
          Entries: [{ Source: "shop", DetailType: "user.registered", Detail: JSON.stringify({ userId }) }],
        }),
      );
    try {
      await register("u1");
      expect(await until(() => sent(platform).includes("onboarding-guide/guide-1/u1"))).toBe(true);
      // Act: pause; u2 registers; a day passes (u1's guide 2 falls due); status; resume.
      const paused = capture();
      const pauseCode = await main(["pause", "onboarding-guide", "--dir", dir, "--reason", "wrong link"], paused);
      await register("u2");
      const welcomed = await until(() => sent(platform).includes("new-user-coupon/welcome/u2"));
      clock.now = T0 + DAY + 60_000;
      const heldUp = await until(
        async () => (await platform.store.listHeldWakeUps("onboarding-guide", 10)).length === 1,
      );
      const status = capture();
      const statusCode = await main(["status", "--dir", dir], status);
      const whilePaused = sent(platform);
      const resumed = capture();
      const resumeCode = await main(["resume", "onboarding-guide", "--dir", dir], resumed);
      // The tick hands held wake-ups back to the timer wheel, which takes them once its lookahead and settle
      // time (5 + 1 s here) passed: the clock moves on as the test waits.
      const guide2 = await until(() => {
        clock.now += 1_000;
        return sent(platform).includes("onboarding-guide/guide-2/u1");
      });
      // Assess
      expect([pauseCode, statusCode, resumeCode]).toEqual([0, 0, 0]);
      expect(paused.out.join("\n")).toContain("onboarding-guide: paused");
      expect(welcomed).toBe(true);
      expect(whilePaused.filter((line) => line.startsWith("onboarding-guide/"))).toEqual([
        "onboarding-guide/guide-1/u1",
      ]);
      expect(heldUp).toBe(true);
      const row = status.out.find((line) => line.startsWith("onboarding-guide"));
      expect(row).toMatch(
        /^onboarding-guide\s+yes\s+yes: wrong link \(by cli:\S+ since \S+\)\s+1\s+1\s+2026-11-19T02:00:00Z\s+1$/,
      );
      expect(status.out.at(-1)).toBe("Dead letters: 0 (local dead-letter queue)");
      expect(resumed.out.join("\n")).toContain("onboarding-guide: running");
      expect(guide2).toBe(true);
      expect(sent(platform).filter((line) => line.endsWith("/u2") && line.startsWith("onboarding-guide"))).toEqual([]);
    } finally {
      bus.destroy();
      await platform.stop();
    }
  });

  it("pauses a journey whose converted orders are refunded above 5% in its tick, publishes journey.paused, admits no one after", async () => {
    // Prepare: 10 users register and order (converted); 1 refund is 10%.
    const guarded = journey({
      id: "welcome-coupon",
      goal: { pattern: { "detail-type": ["order.placed"] }, within: "P7D" },
      guardrails: { maxRefundRate: 0.05, minSample: 10 },
      start: "greet",
      steps: [{ id: "greet", type: "send", channel: "push", template: "hello" }],
    });
    const dir = mkdtempSync(join(tmpdir(), "nudge-guardrail-"));
    const clock = { now: T0 };
    const platform = await startLocalPlatform({
      dir,
      journeys: [guarded],
      policies: NO_POLICIES,
      port: 0,
      clock: () => clock.now,
      tickEveryMs: 20,
      controlTtlSeconds: 0,
    });
    const bus = new EventBridgeClient({
      endpoint: platform.url,
      region: "local",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const put = (type: string, detail: Record<string, unknown>) =>
      bus.send(
        new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: type, Detail: JSON.stringify(detail) }] }),
      );
    try {
      for (let i = 1; i <= 10; i++) await put("user.registered", { userId: `u${i}` });
      await until(() => sent(platform).length === 10);
      for (let i = 1; i <= 10; i++)
        await put("order.placed", { userId: `u${i}`, orderId: `o${i}`, amount: 9, currency: "CNY" });
      await platform.settled();
      // Act: one refund, then the tick's check (at most once a second in real time: guardrailCheckSeconds).
      await put("order.refunded", { userId: "u1", orderId: "o1", amount: 9 });
      await platform.settled();
      clock.now += 1_000;
      const pausedByGuardrail = await until(async () =>
        (await platform.store.getControls()).some((c) => c.value.paused && c.value.by === "guardrail"),
      );
      await put("user.registered", { userId: "after-pause" });
      await platform.settled();
      // What went to the ingest queue (its journal on disk): the tick's journey.paused among the events.
      const ingested = readFileSync(join(dir, "queues", "ingest.ndjson"), "utf8");
      // Assess
      expect(pausedByGuardrail).toBe(true);
      const [control] = await platform.store.getControls();
      expect(control?.value).toMatchObject({
        journeyId: "welcome-coupon",
        reason: "guardrail:maxRefundRate 0.1 > 0.05",
      });
      expect(sent(platform)).not.toContain("welcome-coupon/hello/after-pause");
      expect(ingested).toContain('\\"detail-type\\":\\"journey.paused\\"');
      expect(ingested).toContain("guardrail:maxRefundRate 0.1 > 0.05");
    } finally {
      bus.destroy();
      await platform.stop();
    }
  });
});
