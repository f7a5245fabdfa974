import { Readable } from "node:stream";
import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { RunRecord } from "../../../functions/engine/model.ts";
import { ConcurrencyError, NudgeError } from "../../../functions/shared/errors.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { StoreError } from "../../../functions/store/dynamodb/errors.ts";
import { createDocumentClient } from "../../../functions/store/dynamodb/table.ts";
import { LOCAL } from "../../setup/dynalite.ts";

const $metadata = { httpStatusCode: 400, attempts: 3 };
const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: "The level of configured provisioned throughput was exceeded",
    $metadata,
  });
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: { attempts: 1 } });
const connectionRefused = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8000"), { code: "ECONNREFUSED", $metadata: { attempts: 3 } });

const record: RunRecord = { journeyId: "welcome", key: "u1", entries: 1, recentEventIds: [] };

describe("DynamoDbStore faults (aws-sdk-client-mock: what send yields once the SDK's retries are spent)", () => {
  // The mock replaces `send` of this one client: the other tests' clients are real.
  const client = createDocumentClient(LOCAL);
  const mock = mockClient(client);
  const store = () => new DynamoDbStore(client, { tableName: "nudge" });
  afterEach(() => mock.reset());
  afterAll(() => mock.restore());

  it("surfaces throttling as a NudgeError naming the operation and the key, with the SDK error as cause", async () => {
    // Prepare
    mock.on(GetCommand).rejects(throttled());
    // Act
    const read = store().getRecord("welcome", "u1");
    // Assess
    await expect(read).rejects.toBeInstanceOf(StoreError);
    await expect(read).rejects.toBeInstanceOf(NudgeError);
    await expect(read).rejects.toThrow(
      /getRecord RUN#welcome#u1\/RUN failed: ProvisionedThroughputExceededException: .* \(after 3 attempts\)/,
    );
    await expect(read).rejects.toHaveProperty("cause.name", "ProvisionedThroughputExceededException");
  });

  it("maps a lost conditional-write race to ConcurrencyError, a repeated effect or redemption to false", async () => {
    // Prepare
    mock.on(PutCommand).rejects(conditionFailed());
    mock.on(UpdateCommand).rejects(conditionFailed());
    const s = store();
    const effect = { id: "e1", at: "2026-11-01T00:00:00Z", journey: "j", version: 1, user: "u1", run: "r1" } as const;
    const redemption = { couponId: "cpn.j.1.s.x", userId: "u1", orderId: "SO-1", redeemedAt: effect.at };
    // Act
    const put = s.putRecord(record, 3);
    const claimed = await s.claimEffect({ ...effect, type: "journey.entered" });
    const redeemed = await s.recordRedemption(redemption);
    // Assess
    await expect(put).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(put).rejects.toThrow("RUN#welcome#u1: expected revision 3");
    await expect(put).rejects.toHaveProperty("cause.name", "ConditionalCheckFailedException");
    expect(claimed).toBe(false);
    expect(redeemed).toBe(false);
    expect(s.capacity.putRecord?.conditionFailures).toBe(1);
  });

  it("surfaces a network error as a NudgeError naming the operation", async () => {
    // Prepare
    const cursor = { pk: "TICK", sk: "CURSOR", bucket: "2026-11-01T00:00", after: {}, rev: 3 };
    mock.on(GetCommand).resolves({ Item: cursor });
    mock.on(QueryCommand).rejects(connectionRefused());
    const now = Date.parse("2026-11-01T00:00:00Z");
    // Act
    const take = new DynamoDbStore(client, { tableName: "nudge", clock: () => now }).takeDueWakeUps(now, 10);
    // Assess
    await expect(take).rejects.toBeInstanceOf(StoreError);
    await expect(take).rejects.toThrow(/takeDueWakeUps TIMER#2026-11-01T00:00#\d+ failed: ECONNREFUSED: connect/);
    await expect(take).rejects.toHaveProperty("cause.code", "ECONNREFUSED");
  });
});

/** An HTTP handler that answers like DynamoDB: throttled `failures` times, then an empty GetItem. */
function throttlingHandler(failures: number) {
  const calls = { count: 0 };
  const respond = (statusCode: number, body: unknown) => ({
    response: {
      statusCode,
      reason: statusCode === 200 ? "OK" : "Bad Request",
      headers: { "content-type": "application/x-amz-json-1.0" },
      body: Readable.from([Buffer.from(JSON.stringify(body))]),
    },
  });
  const handler = {
    handle: async () => {
      calls.count++;
      return calls.count <= failures
        ? respond(400, {
            __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            message: "The level of configured provisioned throughput was exceeded",
          })
        : respond(200, { ConsumedCapacity: { TableName: "nudge", CapacityUnits: 1 } });
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { handler, calls };
}

describe("DynamoDbStore retries (the SDK's standard retry strategy, through a fake HTTP handler)", () => {
  it("retries throttling and succeeds within maxAttempts", async () => {
    // Prepare
    const { handler, calls } = throttlingHandler(1);
    const client = createDocumentClient({
      ...LOCAL,
      endpoint: "http://127.0.0.1:9",
      maxAttempts: 3,
      requestHandler: handler,
    });
    const store = new DynamoDbStore(client, { tableName: "nudge" });
    // Act
    const read = await store.getRecord("welcome", "u1");
    // Assess
    expect(read).toBeUndefined();
    expect(calls.count).toBe(2);
    expect(store.capacity.getRecord).toMatchObject({ requests: 1, read: 1 });
  });

  it("gives up after maxAttempts and surfaces the throttling with its attempt count", async () => {
    // Prepare
    const { handler, calls } = throttlingHandler(Number.POSITIVE_INFINITY);
    const client = createDocumentClient({
      ...LOCAL,
      endpoint: "http://127.0.0.1:9",
      maxAttempts: 2,
      requestHandler: handler,
    });
    const store = new DynamoDbStore(client, { tableName: "nudge" });
    // Act
    const read = store.getRecord("welcome", "u1");
    // Assess
    await expect(read).rejects.toThrow(/ProvisionedThroughputExceededException: .* \(after 2 attempts\)/);
    await expect(read).rejects.toHaveProperty("cause.$metadata.attempts", 2);
    expect(calls.count).toBe(2);
  });

  it("retries a refused connection, then surfaces it", async () => {
    // Prepare: nothing listens on port 9 of the loopback.
    const store = new DynamoDbStore(
      createDocumentClient({ ...LOCAL, endpoint: "http://127.0.0.1:9", maxAttempts: 2 }),
      {
        tableName: "nudge",
      },
    );
    // Act
    const put = store.putUser(
      "u1",
      { profile: { userId: "u1", attributes: {}, consent: {}, orderCount: 0, totalSpent: 0, recentEventIds: [] } },
      undefined,
    );
    // Assess
    await expect(put).rejects.toBeInstanceOf(StoreError);
    await expect(put).rejects.toThrow(/putUser USER#u1\/PROFILE failed: .*ECONNREFUSED.*\(after 2 attempts\)/);
  });
});
