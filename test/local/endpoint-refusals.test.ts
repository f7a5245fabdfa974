import type { Server } from "node:http";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { EVENTBRIDGE_MAX_ENTRY_BYTES, MAX_ID_BYTES, NUDGE_MAX_EVENT_BYTES } from "../../events/limits.ts";
import { type EndpointOptions, startEndpoint } from "../../functions/local/endpoint.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/**
 * The endpoint on a random port and a real EventBridge client with the SDK's default retries (3 attempts):
 * a request answered with an HTTP 500 would be sent again, and its accepted entries with it.
 */
async function endpoint(accept?: EndpointOptions["accept"]) {
  const accepted: ShopEvent[] = [];
  const requests = { count: 0 };
  const { server, url } = await startEndpoint(0, {
    accept: accept ?? ((event) => accepted.push(event)),
    clock: () => T0,
  });
  server.on("request", () => {
    requests.count += 1;
  });
  servers.push(server);
  const client = new EventBridgeClient({
    endpoint: url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  return { client, accepted, requests };
}

const order = (orderId: string, extra: Record<string, unknown> = {}) => ({
  Source: "shop",
  DetailType: "order.placed",
  Detail: JSON.stringify({ userId: "u-1", orderId, amount: 129.5, currency: "CNY", ...extra }),
});

/**
 * An order whose `basket` nests objects `depth` levels deep (the detail one more), written as text: the
 * JSON.stringify of 5,000 levels overflows the stack, which is the failure the endpoint must not have.
 */
function deepOrder(orderId: string, depth: number) {
  const basket = `${'{"item":'.repeat(depth - 1)}{"sku":"A1"}${"}".repeat(depth - 1)}`;
  return {
    ...order(orderId),
    Detail: `{"userId":"u-1","orderId":"${orderId}","amount":1,"currency":"CNY","basket":${basket}}`,
  };
}

describe("local EventBridge endpoint: what it refuses, per entry, with the reason", () => {
  it("refuses each entry it would drop with ErrorCode and ErrorMessage and no EventId, and accepts the rest", async () => {
    // Prepare: one entry per refusal, between two good ones.
    const { client, accepted } = await endpoint();
    const entries: PutEventsRequestEntry[] = [
      order("o-good-1"),
      order("o-40kb", { note: "x".repeat(40_000) }),
      order("o-300kb", { note: "x".repeat(300_000) }),
      {
        ...order("o-long-user"),
        Detail: JSON.stringify({ userId: "u".repeat(1_500), orderId: "o", amount: 1, currency: "CNY" }),
      },
      deepOrder("o-deep", 5_000),
      { ...order("o-other-bus"), EventBusName: "shop-events-typo" },
      { ...order("o-not-json"), Detail: '{"userId": "u-1",' },
      { ...order("o-array"), Detail: "[1, 2]" },
      order("o-good-2"),
    ];
    // Act
    const output = await client.send(new PutEventsCommand({ Entries: entries }));
    // Assess
    const results = output.Entries ?? [];
    expect(output.FailedEntryCount).toBe(7);
    expect(results).toHaveLength(9);
    expect(results[0]?.EventId).toBeDefined();
    expect(results[8]?.EventId).toBeDefined();
    expect(results.slice(1, 8).every((result) => result.EventId === undefined)).toBe(true);
    expect(results[1]).toMatchObject({ ErrorCode: "InvalidArgument" });
    expect(results[1]?.ErrorMessage).toMatch(
      new RegExp(`^Event is \\d+ bytes as JSON, more than the ${NUDGE_MAX_EVENT_BYTES} Nudge takes`),
    );
    expect(results[2]?.ErrorMessage).toMatch(
      new RegExp(
        `^Entry is 300\\d{3} bytes \\(as EventBridge counts them\\), more than the ${EVENTBRIDGE_MAX_ENTRY_BYTES}`,
      ),
    );
    expect(results[3]?.ErrorMessage).toContain(
      `detail.userId: is 1500 bytes long, more than the ${MAX_ID_BYTES} an id may have`,
    );
    expect(results[4]?.ErrorMessage).toContain("detail: nests objects or arrays more than 32 levels deep");
    expect(results[5]).toMatchObject({ ErrorCode: "InvalidArgument" });
    expect(results[5]?.ErrorMessage).toContain('Event bus "shop-events-typo" does not exist');
    expect(results[6]).toEqual({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    expect(results[7]).toMatchObject({ ErrorCode: "MalformedDetail" });
    expect(accepted.map((event) => event.detail.orderId)).toEqual(["o-good-1", "o-good-2"]);
  });

  it("delivers every good entry of a batch with a 5,000-deep entry exactly once, in one request", async () => {
    // Prepare: the deep entry after good ones, as in the incident (the request failed with an HTTP 500
    // after the good entries were accepted, and the SDK's retry accepted them again).
    const { client, accepted, requests } = await endpoint();
    const entries = [order("o-1"), order("o-2"), deepOrder("o-deep", 5_000), order("o-3")];
    // Act
    const output = await client.send(new PutEventsCommand({ Entries: entries }));
    // Assess
    expect(requests.count).toBe(1);
    expect(output.FailedEntryCount).toBe(1);
    expect(accepted.map((event) => event.detail.orderId)).toEqual(["o-1", "o-2", "o-3"]);
  });

  it("accepts the named buses and their ARNs, and ids and nesting right at the limits", async () => {
    // Prepare
    const { client, accepted } = await endpoint();
    const entries: PutEventsRequestEntry[] = [
      { ...order("o-default"), EventBusName: "default" },
      { ...order("o-local"), EventBusName: "nudge-local" },
      { ...order("o-arn"), EventBusName: "arn:aws:events:local:000000000000:event-bus/nudge-local" },
      {
        ...order("o-max-id"),
        Detail: JSON.stringify({
          userId: "é".repeat(MAX_ID_BYTES / 2),
          orderId: "o-max-id",
          amount: 1,
          currency: "CNY",
        }),
      },
      deepOrder("o-32-deep", 31),
    ];
    // Act
    const output = await client.send(new PutEventsCommand({ Entries: entries }));
    // Assess
    expect(output.Entries?.map((result) => result.ErrorMessage)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(accepted).toHaveLength(5);
  });

  it("fails an entry whose acceptance throws alone, as a retryable InternalFailure, never the request", async () => {
    // Prepare: the queue's disk refuses one event.
    const taken: string[] = [];
    const { client, requests } = await endpoint((event) => {
      if (event.detail.orderId === "o-disk-full") throw new Error("ENOSPC: no space left on device");
      taken.push(String(event.detail.orderId));
    });
    // Act
    const output = await client.send(
      new PutEventsCommand({ Entries: [order("o-1"), order("o-disk-full"), order("o-2")] }),
    );
    // Assess
    expect(requests.count).toBe(1);
    expect(output.Entries?.[1]).toEqual({
      ErrorCode: "InternalFailure",
      ErrorMessage: "The entry could not be processed; it may be retried.",
    });
    expect(taken).toEqual(["o-1", "o-2"]);
  });
});
