import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { signWebhook, verifyWebhookSignature } from "../../functions/channels/webhook-signature.ts";
import { createDeliverHandler, deliverDependencies } from "../../functions/handlers/deliver.ts";
import { captureOutput, lambdaContext, logLines, metricSum, sqsEvent } from "../handlers/lambda.ts";
import { channelQueues, messageRequest, type Received, receiver } from "./support.ts";

const SECRET = "whsec_5f0b6c1e9a2d4e7f8c3b1a0d9e8f7c6b";

/** The Standard Webhooks headers of a request, as verifyWebhookSignature takes them. */
function signedHeaders(request: Received) {
  return {
    id: String(request.headers["webhook-id"]),
    timestamp: String(request.headers["webhook-timestamp"]),
    signature: String(request.headers["webhook-signature"]),
  };
}

const receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

/** The push channel's deliver function as configured on AWS, POSTing to `url`, on local queues. */
function pushChannel(url: string, env: Record<string, string> = {}) {
  const queues = channelQueues();
  const handler = createDeliverHandler(
    deliverDependencies(
      {
        CHANNEL: "push",
        CHANNEL_KIND: "webhook",
        WEBHOOK_URL: url,
        NUDGE_WEBHOOK_SECRET: SECRET,
        BACKOFF_SECONDS: "30",
        ...queues.env,
        ...env,
      },
      { sqs: queues.sqs },
    ),
  );
  const run = (records: ReturnType<typeof queues.receive>) =>
    captureOutput(() => handler(sqsEvent(records), lambdaContext) as Promise<{ batchItemFailures: unknown[] }>);
  return { ...queues, run };
}

async function start(answer: Parameters<typeof receiver>[0]) {
  const r = await receiver(answer);
  receivers.push(r);
  return r;
}

describe("webhook channel", () => {
  it("POSTs each message as JSON, signed, which the receiver verifies with the exported helper; the idempotency key is the message id", async () => {
    // Prepare: a receiver that verifies as docs/channels.md tells receivers to.
    const verdicts: string[] = [];
    const r = await start((request: Received) => {
      const result = verifyWebhookSignature(SECRET, signedHeaders(request), request.body, { toleranceSeconds: 300 });
      verdicts.push(result.ok ? "ok" : result.reason);
      return result.ok ? [202, "accepted"] : [401, "bad signature"];
    });
    const channel = pushChannel(r.url);
    const titled = messageRequest("u-1", { title: "新人专享券已到账" });
    // Act
    const { result, lines } = await channel.run(channel.receive([titled, messageRequest("u-2")]));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(verdicts).toEqual(["ok", "ok"]);
    const byUser = new Map(r.received.map((request) => [JSON.parse(request.body).user, request]));
    const first = byUser.get("u-1");
    expect(first?.method).toBe("POST");
    expect(first?.headers["content-type"]).toBe("application/json");
    expect(first?.headers["idempotency-key"]).toBe(titled.id);
    expect(first?.headers["webhook-id"]).toBe(titled.id);
    expect(first?.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(Math.abs(Number(first?.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(10);
    expect(JSON.parse(first?.body ?? "")).toEqual({
      id: titled.id,
      idempotencyKey: titled.id,
      journey: "new-user-coupon",
      version: 1,
      run: "new-user-coupon:u-1:1",
      user: "u-1",
      channel: "push",
      template: "welcome",
      category: "marketing",
      locale: "zh-CN",
      text: titled.text,
      title: "新人专享券已到账",
    });
    expect(JSON.parse(byUser.get("u-2")?.body ?? "")).not.toHaveProperty("title");
    expect(metricSum(lines, "MessagesDelivered")).toBe(2);
    expect(channel.queue.size).toBe(2); // the event source deletes them; here they are still received
  });

  it("retries a 5xx: the record fails back to its queue, backed off with ChangeMessageVisibility, and the next receive delivers it", async () => {
    // Prepare
    const r = await start((_request, index) => (index === 0 ? [503, "gateway overloaded"] : [200, "ok"]));
    const channel = pushChannel(r.url);
    const records = channel.receive([messageRequest("u-3")]);
    // Act
    const first = await channel.run(records);
    const [message] = channel.queue.peek();
    const hiddenForMs = (message?.invisibleUntil ?? 0) - Date.now();
    // The backoff is over (SQS makes the message visible again): the event source receives it again.
    const second = await channel.run(channel.redeliver());
    // Assess
    expect(first.result.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.messageId }]);
    expect(hiddenForMs).toBeGreaterThan(25_000);
    expect(hiddenForMs).toBeLessThanOrEqual(30_000);
    expect(logLines(first.lines, "ERROR")).toEqual([
      expect.objectContaining({
        message: "record failed: SQS will deliver it again",
        error: expect.objectContaining({ name: "RetryableDeliveryError", message: expect.stringContaining("503") }),
      }),
    ]);
    expect(second.result.batchItemFailures).toEqual([]);
    expect(r.received).toHaveLength(2);
    // Both attempts carry the same idempotency key: the receiver can tell a retry.
    expect(new Set(r.received.map((request) => request.headers["idempotency-key"]))).toEqual(
      new Set([messageRequest("u-3").id]),
    );
    expect(channel.deadLetter.size).toBe(0);
  });

  it("retries a request that times out (no answer within WEBHOOK_TIMEOUT_MS), and a 429", async () => {
    // Prepare: the first request hangs until the test ends (a run that returns at all gave up on it), the
    // second is throttled, the third accepted. A second to answer is ample for this process's own server.
    let answerTheHungRequest: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => {
      answerTheHungRequest = resolve;
    });
    const r = await start(async (_request, index) => {
      if (index === 0) await hung;
      return index === 1 ? [429, "slow down"] : [200, "ok"];
    });
    const channel = pushChannel(r.url, { WEBHOOK_TIMEOUT_MS: "1000" });
    const records = channel.receive([messageRequest("u-4")]);
    const again = () => channel.redeliver();
    // Act
    const timedOut = await channel.run(records);
    const throttled = await channel.run(again());
    const delivered = await channel.run(again());
    answerTheHungRequest();
    // Assess
    expect(timedOut.result.batchItemFailures).toHaveLength(1);
    expect(logLines(timedOut.lines, "ERROR")[0]?.error).toMatchObject({
      name: "RetryableDeliveryError",
      message: expect.stringContaining("no answer within 1000 ms"),
    });
    expect(throttled.result.batchItemFailures).toHaveLength(1);
    expect(delivered.result.batchItemFailures).toEqual([]);
    expect(channel.deadLetter.size).toBe(0);
  });

  it("sends a 4xx straight to the channel's dead-letter queue with the status and the response, reports the record done, and does not retry it", async () => {
    // Prepare
    const refusal = JSON.stringify({ error: "unknown_device", detail: "no push token for u-5" });
    const r = await start(() => [422, refusal]);
    const channel = pushChannel(r.url);
    const request = messageRequest("u-5");
    // Act
    const { result, lines } = await channel.run(channel.receive([request]));
    // Assess: done for the event source (it deletes the record), so no second attempt.
    expect(result.batchItemFailures).toEqual([]);
    expect(r.received).toHaveLength(1);
    const [dead] = channel.deadLetter.peek();
    expect(JSON.parse(dead?.body ?? "")).toEqual(request);
    expect(dead?.attributes).toEqual({
      "nudge-failure": { DataType: "String", StringValue: "refused" },
      "nudge-message-id": { DataType: "String", StringValue: request.id },
      "nudge-status": { DataType: "Number", StringValue: "422" },
      "nudge-response": { DataType: "String", StringValue: refusal },
    });
    expect(logLines(lines, "WARN")).toEqual([
      expect.objectContaining({ messageId: request.id, status: 422, message: expect.stringContaining("not retried") }),
    ]);
    expect(metricSum(lines, "MessagesRefused")).toBe(1);
    expect(metricSum(lines, "MessagesDelivered")).toBe(0);
  });

  it("keeps only the start of a long refusal with the dead letter, with characters SQS refuses replaced", async () => {
    // Prepare
    const r = await start(() => [400, `\u0000bad\u0007${"x".repeat(5_000)}`]);
    const channel = pushChannel(r.url);
    // Act
    await channel.run(channel.receive([messageRequest("u-6")]));
    // Assess
    const response = channel.deadLetter.peek()[0]?.attributes["nudge-response"]?.StringValue ?? "";
    expect(response.length).toBe(1024);
    expect(response.startsWith("\uFFFDbad\uFFFDxxx")).toBe(true);
    expect(response.endsWith("…")).toBe(true);
  });

  it("reads the signing secret from Secrets Manager once per container, and again after a failed read", async () => {
    // Prepare: on AWS the function has the secret's ARN; Secrets Manager cannot run here, so it is mocked.
    const secretArn = "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:nudge-webhook-AbCdEf";
    const secretsManager = new SecretsManagerClient({ region: "cn-north-1" });
    const mock = mockClient(secretsManager);
    mock
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }))
      .resolves({ SecretString: SECRET });
    const signatures: string[] = [];
    const r = await start((request) => {
      const result = verifyWebhookSignature(SECRET, signedHeaders(request), request.body);
      signatures.push(result.ok ? "ok" : result.reason);
      return [200, "ok"];
    });
    const queues = channelQueues();
    const handler = createDeliverHandler(
      deliverDependencies(
        { CHANNEL: "push", CHANNEL_KIND: "webhook", WEBHOOK_URL: r.url, WEBHOOK_SECRET_ARN: secretArn, ...queues.env },
        { sqs: queues.sqs, secretsManager },
      ),
    );
    const run = (records: ReturnType<typeof queues.receive>) =>
      captureOutput(() => handler(sqsEvent(records), lambdaContext) as Promise<{ batchItemFailures: unknown[] }>);
    // Act: the first batch meets a throttled read; the next ones read it once and keep it.
    const first = await run(queues.receive([messageRequest("u-9")]));
    const second = await run(queues.redeliver());
    const third = await run(queues.receive([messageRequest("u-10"), messageRequest("u-11")]));
    // Assess
    expect(first.result.batchItemFailures).toHaveLength(1);
    expect(logLines(first.lines, "ERROR")[0]?.error).toMatchObject({ name: "SecretError" });
    expect(second.result.batchItemFailures).toEqual([]);
    expect(third.result.batchItemFailures).toEqual([]);
    expect(mock.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual([
      secretArn,
      secretArn,
    ]);
    expect(signatures).toEqual(["ok", "ok", "ok"]);
    mock.restore();
  });

  it("verifies only an untouched, fresh request signed with the same secret", () => {
    // Prepare
    const body = JSON.stringify(messageRequest("u-7"));
    const now = Date.parse("2026-11-18T02:14:20Z");
    const timestamp = Math.floor(now / 1000);
    const id = "new-user-coupon:u-7:1:3:message";
    const signature = signWebhook(SECRET, { id, timestamp, body });
    const verify = (secret: string, headers: { id: string; timestamp: number; signature: string }, text: string) =>
      verifyWebhookSignature(secret, headers, text, { toleranceSeconds: 300, now });
    // Act / Assess
    expect(verify(SECRET, { id, timestamp, signature }, body)).toEqual({ ok: true });
    expect(verify(SECRET, { id, timestamp, signature }, body.replace("u-7", "u-8"))).toEqual({
      ok: false,
      reason: "no signature matches",
    });
    expect(verify("whsec_YW5vdGhlciBzZWNyZXQ=", { id, timestamp, signature }, body).ok).toBe(false);
    expect(verify(SECRET, { id: `${id}x`, timestamp, signature }, body).ok).toBe(false);
    expect(verify(SECRET, { id, timestamp: timestamp + 1, signature }, body).ok).toBe(false);
    expect(verify(SECRET, { id, timestamp, signature: signature.replace("v1,", "v0,") }, body).ok).toBe(false);
    const old = timestamp - 301;
    expect(
      verify(SECRET, { id, timestamp: old, signature: signWebhook(SECRET, { id, timestamp: old, body }) }, body),
    ).toEqual({
      ok: false,
      reason: "the timestamp is outside the tolerance",
    });
  });

  it("is verified by the standardwebhooks library as a receiver runs it, with either secret during a rotation", async () => {
    // Prepare: the setting holds the new secret and the old one while receivers move over; a receiver on each.
    const NEW = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const rotating = `${NEW} ${SECRET}`;
    const verdicts: string[] = [];
    const r = await start((request: Received) => {
      for (const secret of [NEW, SECRET, "whsec_YW5vdGhlciBzZWNyZXQ="]) {
        try {
          new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
          verdicts.push("ok");
        } catch (error) {
          verdicts.push((error as Error).message);
        }
      }
      return [204, ""];
    });
    const channel = pushChannel(r.url, { NUDGE_WEBHOOK_SECRET: rotating });
    // Act
    const { result } = await channel.run(channel.receive([messageRequest("u-3")]));
    // Assess: two signatures; the old secret and the new one verify, a third does not.
    expect(result.batchItemFailures).toEqual([]);
    expect(String(r.received[0]?.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verdicts).toEqual(["ok", "ok", "No matching signature found"]);
  });

  it("takes a secret that is no base64 as its bytes, as the libraries' raw format does", () => {
    // Prepare: a secret set before Nudge signed as Standard Webhooks (a local platform's, base64url).
    const raw = "r_9-Xq2Lw0pZ";
    const signed = { id: "m-1", timestamp: 1_795_000_000, body: "{}" };
    // Act
    const signature = signWebhook(raw, signed);
    // Assess
    expect(signature).toBe(
      new Webhook(raw, { format: "raw" }).sign(signed.id, new Date(signed.timestamp * 1000), signed.body),
    );
  });
});
