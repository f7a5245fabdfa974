import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import { readOutbox } from "../../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../../functions/local/platform.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { NO_POLICIES } from "../support/policies.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");

const running: LocalPlatform[] = [];
afterEach(async () => {
  for (const platform of running.splice(0)) await platform.stop();
});

const registered = (userId: string) => ({
  Source: "shop",
  DetailType: "user.registered",
  Detail: JSON.stringify({ userId, locale: "zh-CN", timezone: "Asia/Shanghai" }),
});

describe("the local platform and bad input", () => {
  it("delivers every good entry of a batch with bad ones exactly once, refusing the bad ones with their reason", async () => {
    // Prepare: the platform (its accept writes each event's JSON to the ingest queue) and the SDK with its
    // default retries, which would send the whole request again on an HTTP 500.
    const platform = await startLocalPlatform({
      dir: mkdtempSync(join(tmpdir(), "nudge-bad-input-")),
      journeys: loadSeedJourneys(),
      policies: NO_POLICIES,
      port: 0,
      clock: () => T0,
      tickEveryMs: 20,
    });
    running.push(platform);
    const client = new EventBridgeClient({
      endpoint: platform.url,
      region: "local",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const deep = `${'{"a":'.repeat(4_999)}{}${"}".repeat(4_999)}`;
    const entries = [
      registered("u-1"),
      registered("u-2"),
      { ...registered("u-deep"), Detail: `{"userId":"u-deep","basket":${deep}}` },
      registered("u".repeat(1_500)),
      { ...registered("u-big"), Detail: JSON.stringify({ userId: "u-big", note: "x".repeat(40_000) }) },
      registered("u-3"),
    ];
    // Act
    const output = await client.send(new PutEventsCommand({ Entries: entries }));
    const settled = await platform.settled();
    // Assess
    expect(settled).toBe(true);
    expect(output.Entries?.map((result) => result.ErrorCode ?? "ok")).toEqual([
      "ok",
      "ok",
      "InvalidArgument",
      "InvalidArgument",
      "InvalidArgument",
      "ok",
    ]);
    const welcomed = readOutbox(platform.outboxPath)
      .filter((line) => line.template === "welcome")
      .map((line) => line.user)
      .sort();
    expect(welcomed).toEqual(["u-1", "u-2", "u-3"]);
    expect(platform.health().events).toMatchObject({ received: 6, accepted: 3, refused: 3 });
    expect(platform.health().deadLetters).toBe(0);
    client.destroy();
  });
});
