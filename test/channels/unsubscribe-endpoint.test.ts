import type { LambdaFunctionURLEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { signUnsubscribeToken } from "../../functions/channels/unsubscribe-token.ts";
import { createUnsubscribeHandler, unsubscribeDependencies } from "../../functions/handlers/unsubscribe.ts";
import { captureOutput, lambdaContext } from "../handlers/lambda.ts";
import { loopbackBus } from "./support.ts";

const SECRET = "unsub_2b7c9d4e1f0a3b6c8d5e2f9a1b4c7d0e";
const NOW = Date.parse("2026-11-18T02:14:20Z");
const inDays = (days: number) => Math.floor(NOW / 1000) + days * 86_400;

const buses: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of buses.splice(0)) await close();
});

/**
 * The unsubscribe function's handler as on AWS, publishing with the real EventBridge client to a bus on
 * loopback (the local platform's EventBridge endpoint, which takes PutEvents as AWS does).
 */
async function unsubscribeFunction() {
  // The endpoint serves the stack's bus, as EventBridge would: it refuses a bus it does not have.
  const { published, eventBridge, close } = await loopbackBus(NOW);
  buses.push(close);
  const handler = createUnsubscribeHandler(
    unsubscribeDependencies(
      { EVENT_BUS_NAME: "nudge-dev", NUDGE_UNSUBSCRIBE_SECRET: SECRET },
      { eventBridge, clock: () => NOW },
    ),
  );
  const call = (request: { method: string; token?: string; body?: string; base64?: boolean }) =>
    captureOutput(async () => {
      const result = await handler(functionUrlEvent(request), lambdaContext);
      return result as { statusCode: number; headers: Record<string, string>; body: string };
    });
  return { published, call };
}

/** A Lambda function URL request (payload format 2.0) as a mail client's one-click POST or a browser's GET. */
function functionUrlEvent(request: { method: string; token?: string; body?: string; base64?: boolean }) {
  const body = request.body ?? "";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/",
    rawQueryString: request.token === undefined ? "" : `token=${request.token}`,
    headers: {
      host: "abcdefghij.lambda-url.cn-north-1.on.aws",
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "Mozilla/5.0",
    },
    ...(request.token === undefined ? {} : { queryStringParameters: { token: request.token } }),
    requestContext: {
      accountId: "anonymous",
      apiId: "abcdefghij",
      domainName: "abcdefghij.lambda-url.cn-north-1.on.aws",
      domainPrefix: "abcdefghij",
      http: {
        method: request.method,
        path: "/",
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
    body: request.base64 ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: request.base64 ?? false,
  } as LambdaFunctionURLEvent;
}

describe("unsubscribe endpoint (Lambda function URL)", () => {
  it("records a one-click POST by publishing user.unsubscribed for the token's user and channel", async () => {
    // Prepare
    const f = await unsubscribeFunction();
    const token = signUnsubscribeToken(SECRET, { userId: "u_102938", channel: "email", expiresAt: inDays(60) });
    // Act: a mail client's RFC 8058 request (Lambda hands a form body base64-encoded).
    const { result } = await f.call({ method: "POST", token, body: "List-Unsubscribe=One-Click", base64: true });
    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain("You will receive no more email messages");
    expect(f.published).toHaveLength(1);
    expect(f.published[0]).toMatchObject({
      source: "nudge.unsubscribe",
      "detail-type": "user.unsubscribed",
      time: new Date(NOW).toISOString(),
      detail: { userId: "u_102938", channel: "email" },
    });
  });

  it("unsubscribes from every channel for a `*` token: the event has no channel", async () => {
    // Prepare
    const f = await unsubscribeFunction();
    const token = signUnsubscribeToken(SECRET, { userId: "u-2", channel: "*", expiresAt: inDays(1) });
    // Act
    await f.call({ method: "POST", token, body: "List-Unsubscribe=One-Click" });
    // Assess
    expect(f.published.map((event) => event.detail)).toEqual([{ userId: "u-2" }]);
  });

  it("shows a confirmation page with a one-click button on GET, and publishes nothing", async () => {
    // Prepare
    const f = await unsubscribeFunction();
    const token = signUnsubscribeToken(SECRET, { userId: "u-3", channel: "email", expiresAt: inDays(60) });
    // Act
    const { result } = await f.call({ method: "GET", token });
    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(result.body).toContain('<form method="post"');
    expect(result.body).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(result.body).toContain(`?token=${token}`);
    expect(f.published).toEqual([]);
  });

  it("answers 400 with a plain reason, and publishes nothing, for a tampered, expired, foreign or missing token", async () => {
    // Prepare
    const f = await unsubscribeFunction();
    const good = signUnsubscribeToken(SECRET, { userId: "u-4", channel: "email", expiresAt: inDays(60) });
    const tampered = `${Buffer.from(JSON.stringify(["u-5", "email", inDays(60)])).toString("base64url")}.${good.split(".")[1]}`;
    const expired = signUnsubscribeToken(SECRET, { userId: "u-4", channel: "email", expiresAt: inDays(-1) });
    const foreign = signUnsubscribeToken("not-our-secret", { userId: "u-4", channel: "email", expiresAt: inDays(60) });
    const post = (token?: string) =>
      f.call({ method: "POST", ...(token === undefined ? {} : { token }), body: "List-Unsubscribe=One-Click" });
    // Act
    const answers = await Promise.all([post(tampered), post(expired), post(foreign), post(undefined), post("x.y")]);
    // Assess
    expect(answers.map(({ result }) => [result.statusCode, result.headers["content-type"], result.body])).toEqual([
      [
        400,
        "text/plain; charset=utf-8",
        "This unsubscribe link cannot be used: the link is not valid (altered, or not issued by this service).\n",
      ],
      [400, "text/plain; charset=utf-8", "This unsubscribe link cannot be used: the link has expired.\n"],
      [
        400,
        "text/plain; charset=utf-8",
        "This unsubscribe link cannot be used: the link is not valid (altered, or not issued by this service).\n",
      ],
      [400, "text/plain; charset=utf-8", "This unsubscribe link cannot be used: it has no token.\n"],
      [
        400,
        "text/plain; charset=utf-8",
        "This unsubscribe link cannot be used: the link is not valid (altered, or not issued by this service).\n",
      ],
    ]);
    expect(f.published).toEqual([]);
  });

  it("refuses a POST without the one-click body, and other methods", async () => {
    // Prepare
    const f = await unsubscribeFunction();
    const token = signUnsubscribeToken(SECRET, { userId: "u-6", channel: "email", expiresAt: inDays(60) });
    // Act
    const empty = await f.call({ method: "POST", token, body: "" });
    const put = await f.call({ method: "PUT", token, body: "List-Unsubscribe=One-Click" });
    // Assess
    expect(empty.result.statusCode).toBe(400);
    expect(put.result.statusCode).toBe(405);
    expect(f.published).toEqual([]);
  });
});
