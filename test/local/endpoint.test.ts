import type { Server } from "node:http";
import {
  EventBridgeClient,
  InvalidEventPatternException,
  PutEventsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { compilePattern } from "../../functions/language/pattern/index.ts";
import { startEndpoint } from "../../functions/local/endpoint.ts";
import { InvalidPatternError } from "../../functions/shared/errors.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** The endpoint on a random port, what it accepted, and a real EventBridge client pointed at it. */
async function endpoint() {
  const accepted: ShopEvent[] = [];
  const counters = { received: 0, accepted: 0, refused: 0 };
  const { server, url } = await startEndpoint(0, {
    accept: (event) => accepted.push(event),
    clock: () => T0,
    counters,
  });
  servers.push(server);
  const client = new EventBridgeClient({
    endpoint: url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
  });
  return { url, client, accepted, counters };
}

/** What `nudge test-pattern` answers: true, false, or "error" for a pattern EventBridge rejects. */
function nudgeAnswer(pattern: unknown, event: unknown): boolean | "error" {
  try {
    return compilePattern(pattern).matches(event);
  } catch (error) {
    if (error instanceof InvalidPatternError) return "error";
    throw error;
  }
}

const EVENT = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "order.placed",
  source: "shop",
  account: "123456789012",
  time: "2026-11-18T02:00:00Z",
  region: "cn-north-1",
  resources: [],
  detail: { userId: "u-1", orderId: "o-1", amount: 129.5, items: [{ sku: "A1" }, { sku: "B2" }], channel: "app" },
};

describe("local EventBridge endpoint: TestEventPattern", () => {
  it("answers TestEventPatternCommand of the AWS SDK as nudge test-pattern does, rejecting invalid patterns", async () => {
    // Prepare: matches, mismatches and patterns EventBridge rejects, across the operators.
    const { client } = await endpoint();
    const patterns: unknown[] = [
      { "detail-type": ["order.placed"] },
      { "detail-type": ["order.delivered"] },
      { detail: { amount: [{ numeric: [">", 100, "<=", 200] }] } },
      { detail: { amount: [{ numeric: [">", 200] }] } },
      { detail: { items: { sku: ["B2"] } } },
      { detail: { channel: [{ "anything-but": ["web"] }] } },
      { detail: { channel: [{ prefix: "ap" }], promotionId: [{ exists: false }] } },
      { detail: { userId: [{ wildcard: "u-*" }] } },
      { $or: [{ detail: { channel: ["web"] } }, { source: ["shop"] }] },
      { detail: { amount: [{ numeric: [">", "x"] }] } },
      { "detail-type": "order.placed" },
      { detail: { channel: [{ prefix: 1 }] } },
      [],
    ];
    // Act
    const answers = await Promise.all(
      patterns.map(async (pattern) => {
        try {
          const output = await client.send(
            new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(EVENT) }),
          );
          return output.Result;
        } catch (error) {
          if (error instanceof InvalidEventPatternException) return "error";
          throw error;
        }
      }),
    );
    // Assess
    expect(answers).toEqual(patterns.map((pattern) => nudgeAnswer(pattern, EVENT)));
    expect(answers).toEqual([
      true,
      false,
      true,
      false,
      true,
      true,
      true,
      true,
      true,
      "error",
      "error",
      "error",
      "error",
    ]);
  });
});

describe("local EventBridge endpoint: PutEvents", () => {
  it("accepts valid entries, refuses an entry whose detail fails the catalog naming the field, and accepts an unknown detail-type", async () => {
    // Prepare
    const { client, accepted, counters } = await endpoint();
    const entries = [
      { Source: "shop", DetailType: "user.registered", Detail: JSON.stringify({ userId: "u-1", locale: "zh-CN" }) },
      { Source: "shop", DetailType: "order.placed", Detail: JSON.stringify({ userId: "u-1", amount: "a lot" }) },
      { Source: "shop", DetailType: "wishlist.updated", Detail: JSON.stringify({ userId: "u-1" }) },
      { Source: "shop", DetailType: "user.registered", Detail: "{not json" },
      {
        Source: "shop",
        DetailType: "user.registered",
        Detail: JSON.stringify({ userId: "u-2" }),
        Time: new Date("2026-10-01T00:00:00Z"),
      },
    ];
    // Act
    const output = await client.send(new PutEventsCommand({ Entries: entries }));
    // Assess
    expect(output.FailedEntryCount).toBe(2);
    const results = output.Entries ?? [];
    expect(results[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[1]).toMatchObject({ ErrorCode: "InvalidArgument" });
    expect(results[1]?.ErrorMessage).toContain("detail.orderId: required");
    expect(results[1]?.ErrorMessage).toContain("detail.amount");
    expect(results[2]?.EventId).toBeDefined();
    expect(results[3]).toEqual({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    expect(accepted.map((e) => [e.id, e["detail-type"], e.time])).toEqual([
      [results[0]?.EventId, "user.registered", "2026-11-18T02:00:00.000Z"],
      [results[2]?.EventId, "wishlist.updated", "2026-11-18T02:00:00.000Z"],
      [results[4]?.EventId, "user.registered", "2026-10-01T00:00:00.000Z"],
    ]);
    expect(accepted[0]).toMatchObject({ source: "shop", account: "000000000000", region: "local", version: "0" });
    expect(counters).toEqual({ received: 5, accepted: 3, refused: 2 });
  });

  it("answers a request with more than 10 entries with a ValidationException, as EventBridge does", async () => {
    // Prepare
    const { client, accepted } = await endpoint();
    const entry = { Source: "shop", DetailType: "user.registered", Detail: JSON.stringify({ userId: "u-1" }) };
    // Act
    const error = await client.send(new PutEventsCommand({ Entries: Array(11).fill(entry) })).catch((e) => e);
    // Assess
    expect(error.name).toBe("ValidationException");
    expect(error.message).toContain("between 1 and 10");
    expect(accepted).toEqual([]);
  });

  it("answers a malformed body or an unknown action with an HTTP 400 error response, and goes on serving", async () => {
    // Prepare
    const { url, client } = await endpoint();
    const post = (target: string, body: string) =>
      fetch(url, { method: "POST", headers: { "x-amz-target": target }, body }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { __type?: string; message?: string },
      }));
    // Act
    const malformed = await post("AWSEvents.PutEvents", '{"Entries": [');
    const unknown = await post("AWSEvents.DeleteRule", "{}");
    const after = await client.send(
      new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "x.y", Detail: "{}" }] }),
    );
    // Assess
    expect(malformed).toEqual({
      status: 400,
      body: { __type: "SerializationException", message: "Request body is not valid JSON." },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.__type).toBe("UnknownOperationException");
    expect(after.FailedEntryCount).toBe(0);
  });

  it("names the port when it is in use", async () => {
    // Prepare
    const { url } = await endpoint();
    const port = Number(new URL(url).port);
    // Act
    const error = await startEndpoint(port, { accept: () => undefined, clock: () => T0 }).catch((e: Error) => e);
    // Assess
    expect((error as Error).message).toBe(
      `port ${port} on 127.0.0.1 is in use (another nudge start?): choose another with --port`,
    );
  });
});
