import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import { parsePolicyConfig } from "../../functions/engine/policies/config.ts";
import { startLocalPlatform } from "../../functions/local/platform.ts";
import { setPaused } from "../../functions/runtime/control-cache.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { at, journey, shopEvent } from "../engine/fixtures.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { freshTable } from "../setup/dynalite.ts";
import { until } from "../support/until.ts";
import { capture } from "./capture-io.ts";

const greeter = (id: string, priority: number, detailType: string) =>
  journey({
    id,
    priority,
    trigger: { type: "event", pattern: { "detail-type": [detailType] } },
    start: "greet",
    steps: [{ id: "greet", type: "send", channel: "push", template: "hello" }],
  });

/** A journeys folder of the given journeys and the seed policy, as an operator's project holds them. */
function journeysFolder(journeys: ReturnType<typeof journey>[]) {
  const dir = mkdtempSync(join(tmpdir(), "nudge-why-journeys-"));
  copyFileSync(join(import.meta.dirname, "../../journeys/policy.json"), join(dir, "policy.json"));
  for (const j of journeys) writeFileSync(join(dir, `${j.id}.json`), JSON.stringify(j));
  return dir;
}

describe("nudge why", () => {
  it("says what was decided and not handed to a channel yet, apart from what was sent", async () => {
    // Prepare: new-user-coupon decides the welcome and the coupon; the delivery queue refuses the send, so
    // the decision is saved and not handed on (its input waits for its redelivery).
    const { endpoint, tableName, client } = await freshTable();
    const store = new DynamoDbStore(client, { tableName });
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog(loadSeedJourneys().filter((j) => j.id === "new-user-coupon")),
      store,
      sink: {
        deliver: () => undefined,
        deliverAll: async () => {
          throw new Error("SendMessageBatch: service unavailable");
        },
      },
      publisher: { publish: () => undefined },
      policies: parsePolicyConfig({ quietHours: null }),
    });
    const registered = shopEvent("user.registered", "2026-11-25T02:00:00Z", {
      userId: "u9",
      timezone: "Asia/Shanghai",
    });
    await expect(runtime.handleEvent(registered, at(registered.time))).rejects.toThrow("service unavailable");
    const io = capture();
    // Act
    const code = await main(["why", "u9", "--table", tableName, "--dynamodb-endpoint", endpoint], io);
    const json = capture();
    await main(["why", "u9", "--table", tableName, "--dynamodb-endpoint", endpoint, "--format", "json"], json);
    // Assess: nothing is said to be sent; the welcome and the coupon are listed as not handed on yet.
    expect(code).toBe(0);
    const text = io.out.join("\n");
    expect(text).toContain("Decided, NOT handed to a channel yet (goes out when its input is delivered again):");
    expect(text).toMatch(/new-user-coupon \(v\d+\) {2}push "welcome" to be sent/);
    expect(text).toMatch(/coupon \S+ to be issued/);
    expect(text).toContain("Messages sent: 0;");
    const report = JSON.parse(json.out.join("")) as { notHandedOn: { type: string }[]; journal: unknown[] };
    expect(report.journal).toEqual([]);
    expect(report.notHandedOn.map((entry) => entry.type)).toContain("message.sent");
  });

  it("lists what each journey did for a user and what was held back and why, from a table", async () => {
    // Prepare: at 10:00 in Shanghai a welcome goes; the thanks for an order an hour later meets the cap of
    // one push per 4 hours; at 22:00 a second order's thanks meets the quiet hours too.
    const { endpoint, tableName, client } = await freshTable();
    const store = new DynamoDbStore(client, { tableName });
    const journeys = [greeter("welcome", 90, "user.registered"), greeter("thanks", 40, "order.placed")];
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog(journeys),
      store,
      sink: { deliver: () => undefined },
      publisher: { publish: () => undefined },
      policies: parsePolicyConfig({}),
    });
    const order = (id: string, time: string) =>
      shopEvent("order.placed", time, { userId: "u1", orderId: id, amount: 9, currency: "CNY" });
    for (const event of [
      shopEvent("user.registered", "2026-11-25T02:00:00Z", { userId: "u1", timezone: "Asia/Shanghai" }),
      order("o1", "2026-11-25T03:00:00Z"),
    ])
      await runtime.handleEvent(event, at(event.time));
    const io = capture();
    // Act
    const code = await main(
      ["why", "u1", "--table", tableName, "--dynamodb-endpoint", endpoint, "--journeys", journeysFolder(journeys)],
      io,
    );
    // Assess
    expect(code).toBe(0);
    expect(io.out).toEqual([
      `From table ${tableName} at ${endpoint}.`,
      "u1: locale (default), 1 orders; consent: every channel (none withdrawn)",
      "Times in Asia/Shanghai (the user's time zone).",
      "",
      "welcome (v1)",
      "  2026-11-25 10:00:00  entered",
      '  2026-11-25 10:00:00  push "hello" sent (marketing, zh-CN)',
      "  2026-11-25 10:00:00  exited: completed",
      "",
      "thanks (v1)",
      "  2026-11-25 11:00:00  entered",
      '  2026-11-25 11:00:00  push "hello" HELD until 2026-11-25 14:01:00: capped (rule cap:marketing-per-channel)',
      "",
      "Messages sent: 1; held until later: 1 (capped 1); not sent: 0; coupons withheld: 0.",
    ]);
  });

  it("names every rule that held a message back, in order, and a journey that skipped the user because it was paused, in one time zone", async () => {
    // Prepare: a welcome at 19:00 in Shanghai; the thanks for an order at 20:00 meets the cap of one push per
    // 4 hours, which moves it to 23:00, in the quiet hours (21:00-09:00), which move it to the morning. A
    // third journey on order.placed is paused when the order comes.
    const { endpoint, tableName, client } = await freshTable();
    const store = new DynamoDbStore(client, { tableName });
    const journeys = [
      greeter("welcome", 90, "user.registered"),
      greeter("thanks", 40, "order.placed"),
      greeter("order-survey", 10, "order.placed"),
    ];
    const runtime = new JourneyRuntime({
      catalog: new JourneyCatalog(journeys),
      store,
      controls: store,
      sink: { deliver: () => undefined },
      publisher: { publish: () => undefined },
      policies: parsePolicyConfig(
        JSON.parse(readFileSync(join(import.meta.dirname, "../../journeys/policy.json"), "utf8")),
      ),
    });
    await setPaused(store, "order-survey", {
      paused: true,
      reason: "copy review",
      by: "ops",
      now: at("2026-11-25T10:00:00Z"),
    });
    for (const event of [
      shopEvent("user.registered", "2026-11-25T11:00:00Z", { userId: "u3", timezone: "Asia/Shanghai" }),
      shopEvent("order.placed", "2026-11-25T12:00:00Z", { userId: "u3", orderId: "o1", amount: 9, currency: "CNY" }),
    ])
      await runtime.handleEvent(event, at(event.time));
    const args = [
      "why",
      "u3",
      "--table",
      tableName,
      "--dynamodb-endpoint",
      endpoint,
      "--journeys",
      journeysFolder(journeys),
    ];
    const text = capture();
    const json = capture();

    // Act
    const code = await main(args, text);
    await main([...args, "--format", "json"], json);

    // Assess: both rules, the cap first; the paused journey named; the JSON's zone is the text's.
    expect(code).toBe(0);
    expect(text.out).toContain("Times in Asia/Shanghai (the user's time zone).");
    expect(text.out).toContainEqual(
      expect.stringMatching(
        /^ {2}2026-11-25 20:00:00 {2}push "hello" HELD until 2026-11-26 09:\d\d:\d\d: capped \(rule cap:marketing-per-channel\), then quiet-hours \(rule quiet-hours\)$/,
      ),
    );
    const survey = text.out.indexOf("order-survey (v1)");
    expect(text.out.slice(survey, survey + 2)).toEqual([
      "order-survey (v1)",
      "  2026-11-25 20:00:00  NOT entered: the journey was paused when order.placed came",
    ]);
    const report = JSON.parse(json.out.join(""));
    expect({ timeZone: report.timeZone, timeZoneOf: report.timeZoneOf }).toEqual({
      timeZone: "Asia/Shanghai",
      timeZoneOf: "user",
    });
    expect(report.journal.find((entry: { type: string }) => entry.type === "message.deferred").heldBy).toEqual([
      "cap:marketing-per-channel",
      "quiet-hours",
    ]);
    expect(report.skippedWhilePaused).toEqual([
      { at: "2026-11-25T12:00:00Z", journey: "order-survey", version: 1, event: "order.placed" },
    ]);
  });

  it("reads the running local platform's state with --dir, and says so when there is none", async () => {
    // Prepare: the platform on a folder of its own; a registration at 23:00 in Shanghai.
    const dir = mkdtempSync(join(tmpdir(), "nudge-why-"));
    const now = Date.parse("2026-11-25T15:00:00Z");
    const platform = await startLocalPlatform({
      dir,
      journeys: loadSeedJourneys(),
      port: 0,
      clock: () => now,
      tickEveryMs: 20,
    });
    const bus = new EventBridgeClient({
      endpoint: platform.url,
      region: "local",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    try {
      await bus.send(
        new PutEventsCommand({
          Entries: [{ Source: "shop", DetailType: "user.registered", Detail: JSON.stringify({ userId: "u-night" }) }],
        }),
      );
      const io = capture();
      // Act: until both journeys' decisions are in the journal, proven handed on.
      await until(async () => {
        io.out.length = 0;
        await main(["why", "u-night", "--dir", dir], io);
        const handingOn = io.out.some((line) => line.startsWith("Decided, NOT handed"));
        return !handingOn && io.out.filter((line) => line.includes("HELD until")).length >= 2;
      });
      const missing = capture();
      const refused = await main(["why", "u1", "--dir", join(dir, "nothing-here")], missing);
      // Assess
      expect(io.out[0]).toBe(`From ${dir} (the running platform).`);
      expect(io.out).toContain("new-user-coupon (v2)");
      expect(io.out.find((line) => line.includes('"welcome" HELD'))).toMatch(
        /2026-11-25 23:00:\d\d {2}push "welcome" HELD until 2026-11-26 09:00:10: quiet-hours \(rule quiet-hours\)$/,
      );
      expect(io.out.find((line) => line.includes('"guide-1" HELD'))).toContain("quiet-hours");
      expect(refused).toBe(2);
      expect(missing.err[0]).toContain("no local platform state in");
    } finally {
      bus.destroy();
      await platform.stop();
    }
    // Act: the platform stopped, the state on disk.
    const stopped = capture();
    await main(["why", "u-night", "--dir", dir], stopped);
    // Assess
    expect(stopped.out[0]).toBe(`From ${dir}.`);
    expect(stopped.out).toContain("new-user-coupon (v2)");
  });
});
