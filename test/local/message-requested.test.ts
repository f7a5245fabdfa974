import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import { readOutbox } from "../../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../../functions/local/platform.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { until } from "../support/until.ts";

const T0 = Date.parse("2026-11-12T06:30:00Z");

const running: { platform: LocalPlatform; client: EventBridgeClient }[] = [];
afterEach(async () => {
  for (const { platform, client } of running.splice(0)) {
    client.destroy();
    await platform.stop();
  }
});

/** The local platform with the shipped journeys (their default policies), and the AWS SDK pointed at it. */
async function start() {
  const platform = await startLocalPlatform({
    dir: mkdtempSync(join(tmpdir(), "nudge-requested-")),
    journeys: loadSeedJourneys(),
    port: 0,
    clock: () => T0,
    tickEveryMs: 20,
  });
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  running.push({ platform, client });
  return { platform, client };
}

const request = (detail: Record<string, unknown>) => ({
  Source: "shop",
  DetailType: "message.requested",
  Detail: JSON.stringify(detail),
});

describe("message.requested on the local platform", () => {
  it("sends the requested template, rendered from the request's data, and refuses each bad entry with what and where", async () => {
    // Prepare
    const { platform, client } = await start();
    const data = { orderId: "SO-1", carrier: "顺丰速运", trackingNumber: "SF1234567890" };
    // Act: one good request among three that cannot be taken.
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          request({ userId: "u-1", template: "order-shipped", channel: "sms", data }),
          request({ userId: "u-1", template: "welcome", channel: "push" }),
          request({ userId: "u-1", template: "pickup-code", channel: "push", data: { code: "8-2-1107" } }),
          request({ template: "order-shipped", channel: "push", data }),
        ],
      }),
    );
    const delivered = await until(() => readOutbox(platform.outboxPath).length > 0);
    // Assess
    expect(output.FailedEntryCount).toBe(3);
    expect(output.Entries?.map((entry) => entry.ErrorMessage)).toEqual([
      undefined,
      'Event cannot be taken: detail.template: unknown template "welcome" (may be requested: "order-shipped", "pickup-code")',
      'Event cannot be taken: detail.channel: template "pickup-code" cannot go on "push" (it goes on "sms")',
      "Event does not fit the event catalog: detail.userId: required field is missing",
    ]);
    expect(delivered).toBe(true);
    expect(readOutbox(platform.outboxPath)).toEqual([
      expect.objectContaining({
        journey: "message-requested",
        user: "u-1",
        channel: "sms",
        template: "order-shipped",
        text: "订单 SO-1 已由顺丰速运发出，运单号 SF1234567890。",
      }),
    ]);
  });
});
