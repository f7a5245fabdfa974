import type { LambdaFunctionURLEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { signInboxToken } from "../../functions/channels/inbox-token.ts";
import { createInboxApiHandler, inboxApiDependencies } from "../../functions/handlers/inbox-api.ts";
import { DynamoDbInbox } from "../../functions/store/dynamodb/inbox.ts";
import { captureOutput, lambdaContext } from "../handlers/lambda.ts";
import { freshTable } from "../setup/dynalite.ts";
import { loopbackBus } from "./support.ts";

const SECRET = "inbox_5c1e9a7d3b2f4e6a8c0d1b3f5e7a9c2d";
const NOW = Date.parse("2026-11-18T02:14:20Z");
const SHOP = "https://shop.example.cn";

const buses: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of buses.splice(0)) await close();
});

/**
 * The inbox API function's handler as on AWS: its messages in a real table (dynalite), publishing with the real
 * EventBridge client to a bus on loopback (the local platform's endpoint, which takes PutEvents as AWS does).
 */
async function inboxFunction() {
  const { published, eventBridge, close } = await loopbackBus(NOW);
  buses.push(close);
  const { client, tableName } = await freshTable();
  const handler = createInboxApiHandler(
    inboxApiDependencies(
      {
        TABLE_NAME: tableName,
        EVENT_BUS_NAME: "nudge-dev",
        NUDGE_INBOX_SECRET: SECRET,
        INBOX_ORIGINS: `${SHOP}, https://m.shop.example.cn`,
      },
      { eventBridge, dynamodb: client, clock: () => NOW },
    ),
  );
  const call = (request: { method: string; path: string; query?: Record<string, string>; userId?: string }) =>
    captureOutput(async () => {
      const result = await handler(functionUrlEvent(request), lambdaContext);
      return result as { statusCode: number; headers: Record<string, string>; body: string };
    });
  return { published, call, inbox: new DynamoDbInbox(client, { tableName }) };
}

/** A Lambda function URL request (payload format 2.0) as the shop's page sends it. */
function functionUrlEvent(request: { method: string; path: string; query?: Record<string, string>; userId?: string }) {
  const token =
    request.userId === undefined
      ? undefined
      : signInboxToken(SECRET, { userId: request.userId, expiresAt: Math.floor(NOW / 1000) + 900 });
  const query = new URLSearchParams(request.query ?? {}).toString();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: request.path,
    rawQueryString: query,
    headers: {
      host: "abcdefghij.lambda-url.cn-north-1.on.aws",
      origin: SHOP,
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(request.query === undefined ? {} : { queryStringParameters: request.query }),
    requestContext: {
      accountId: "anonymous",
      apiId: "abcdefghij",
      domainName: "abcdefghij.lambda-url.cn-north-1.on.aws",
      domainPrefix: "abcdefghij",
      http: {
        method: request.method,
        path: request.path,
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.7",
        userAgent: "Mozilla/5.0",
      },
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      routeKey: "$default",
      stage: "$default",
      time: "18/Nov/2026:02:14:20 +0000",
      timeEpoch: NOW,
    },
    isBase64Encoded: false,
  } as LambdaFunctionURLEvent;
}

describe("the inbox API function", () => {
  it("serves a user's pop-ups with the CORS headers and puts a click on the bus as inbox.message_clicked, source nudge.inbox", async () => {
    // Prepare
    const { call, inbox, published } = await inboxFunction();
    await inbox.putInboxMessage({
      id: "m-1",
      userId: "u_1",
      journeyId: "payment-failed",
      journeyVersion: 2,
      template: "instalment-offer-popup",
      locale: "zh-CN",
      title: "可以分期付款",
      text: "订单 SO-1 支付未成功：3299 CNY 可分期支付。",
      placement: "popup:order-page",
      priority: 90,
      sentAt: "2026-11-18T02:00:00Z",
      expiresAt: "2026-11-19T02:00:00Z",
    });

    // Act
    const listed = await call({
      method: "GET",
      path: "/inbox/messages",
      query: { placement: "popup:order-page" },
      userId: "u_1",
    });
    const clicked = await call({ method: "POST", path: "/inbox/messages/m-1/clicked", userId: "u_1" });
    const refused = await call({ method: "GET", path: "/inbox/messages", query: { placement: "popup:order-page" } });

    // Assess
    expect(listed.result.statusCode).toBe(200);
    expect(listed.result.headers["access-control-allow-origin"]).toBe(SHOP);
    expect(JSON.parse(listed.result.body).messages.map((m: { id: string }) => m.id)).toEqual(["m-1"]);
    expect(clicked.result.statusCode).toBe(202);
    expect(published).toEqual([
      expect.objectContaining({
        source: "nudge.inbox",
        "detail-type": "inbox.message_clicked",
        detail: {
          userId: "u_1",
          messageId: "m-1",
          placement: "popup:order-page",
          journeyId: "payment-failed",
          journeyVersion: 2,
        },
      }),
    ]);
    expect(refused.result.statusCode).toBe(401);
  });

  it("answers 503 with Retry-After when the bus does not take the event, and keeps the message showing", async () => {
    // Prepare: an endpoint that serves another bus than the function's: it refuses the entry
    const { client, tableName } = await freshTable();
    const { published, eventBridge, close } = await loopbackBus(NOW, { busName: "other" });
    buses.push(close);
    const handler = createInboxApiHandler(
      inboxApiDependencies(
        { TABLE_NAME: tableName, EVENT_BUS_NAME: "nudge-dev", NUDGE_INBOX_SECRET: SECRET, INBOX_ORIGINS: SHOP },
        { eventBridge, dynamodb: client, clock: () => NOW },
      ),
    );
    const inbox = new DynamoDbInbox(client, { tableName });
    await inbox.putInboxMessage({
      id: "m-2",
      userId: "u_1",
      journeyId: "new-user-coupon",
      journeyVersion: 2,
      template: "welcome-coupon-popup",
      locale: "zh-CN",
      text: "新人券",
      placement: "popup:order-page",
      priority: 80,
      sentAt: "2026-11-18T02:00:00Z",
      expiresAt: "2026-11-25T02:00:00Z",
    });

    // Act
    const { result } = await captureOutput(
      async () =>
        (await handler(
          functionUrlEvent({ method: "POST", path: "/inbox/messages/m-2/dismissed", userId: "u_1" }),
          lambdaContext,
        )) as {
          statusCode: number;
          headers: Record<string, string>;
        },
    );

    // Assess
    expect(result.statusCode).toBe(503);
    expect(result.headers["retry-after"]).toBe("30");
    expect(published).toEqual([]);
    expect(await inbox.getInboxMessage("u_1", "m-2")).not.toHaveProperty("dismissedAt");
  });
});
