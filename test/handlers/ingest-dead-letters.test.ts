import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_ID_BYTES } from "../../events/limits.ts";
import { createIngestHandler, ingestDependencies } from "../../functions/handlers/ingest.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { freshTable } from "../setup/dynalite.ts";
import { NO_POLICIES } from "../support/policies.ts";
import {
  bridgeEvent,
  captureOutput,
  lambdaContext,
  logLines,
  metricSum,
  QUEUE_ARN,
  sqsEvent,
  sqsRecord,
} from "./lambda.ts";

const T0 = Date.parse("2026-11-18T02:14:09Z");
const QUEUES = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012";
const DEAD_LETTERS = `${QUEUES}/nudge-ingest-dead-letters`;
const PUSH_QUEUE = `${QUEUES}/delivery-push`;
const EMAIL = "li.na@example.cn";

const mocks: { restore(): void }[] = [];
afterEach(() => {
  for (const mock of mocks.splice(0)) mock.restore();
});

/** The real ingest handler over dynalite, on AWS's configuration: only the SQS sends are mocked. */
async function ingestFunction(options: { deadLetterSendFails?: boolean } = {}) {
  const { client, tableName } = await freshTable();
  const sqs = new SQSClient({ region: "cn-north-1" });
  const sqsMock = mockClient(sqs);
  mocks.push(sqsMock);
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  if (options.deadLetterSendFails) sqsMock.on(SendMessageCommand).rejects(new Error("AccessDenied"));
  else sqsMock.on(SendMessageCommand).resolves({ MessageId: "dlq-1" });
  const env = {
    TABLE_NAME: tableName,
    INGEST_QUEUE_URL: `${QUEUES}/nudge-ingest`,
    DELIVERY_QUEUE_URLS: JSON.stringify({
      push: PUSH_QUEUE,
      email: `${QUEUES}/delivery-email`,
      inbox: `${QUEUES}/delivery-inbox`,
    }),
    DEAD_LETTER_QUEUE_URLS: JSON.stringify({ [QUEUE_ARN]: DEAD_LETTERS }),
    POLICY_CONFIG: JSON.stringify(NO_POLICIES),
    TIMER_SHARDS: "1",
  };
  const handler = createIngestHandler(
    ingestDependencies(env, { dynamodb: client, sqs, clock: () => T0, journeys: loadSeedJourneys() }),
  );
  return {
    ingest: (records: SQSRecord[]) =>
      captureOutput(() => handler(sqsEvent(records), lambdaContext) as Promise<SQSBatchResponse>),
    /** What was sent to the dead-letter queue: the body and the attributes' values. */
    deadLetters: () =>
      sqsMock
        .commandCalls(SendMessageCommand)
        .map((call) => call.args[0].input)
        .filter((input) => input.QueueUrl === DEAD_LETTERS)
        .map((input) => ({
          body: input.MessageBody ?? "",
          attributes: Object.fromEntries(
            Object.entries(input.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
          ),
        })),
    /** The users the push messages went to. */
    pushedTo: () =>
      sqsMock
        .commandCalls(SendMessageBatchCommand)
        .filter((call) => call.args[0].input.QueueUrl === PUSH_QUEUE)
        .flatMap((call) => (call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.MessageBody ?? "").user)),
  };
}

const registered = (userId: string, extra: Record<string, unknown> = {}) =>
  bridgeEvent("user.registered", { userId, locale: "zh-CN", timezone: "Asia/Shanghai", ...extra });

/** An EventBridge event whose detail nests `depth` levels, as JSON text (JSON.stringify would overflow). */
function deepEventBody(depth: number): string {
  const event = registered("u-deep");
  const nested = `${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;
  return JSON.stringify(event).replace('"userId":"u-deep"', `"userId":"u-deep","basket":${nested}`);
}

describe("ingest handler: records that can never be processed go to the dead letters with their reason", () => {
  it("dead-letters each bad record at once with its reason, reports none failed, and runs the good ones once", async () => {
    // Prepare: what the bus delivers on AWS, where it cannot refuse for Nudge: good events around an event of
    // 40 KB, a user id of 1,500 characters, a detail 5,000 levels deep, a schema failure quoting an email.
    const f = await ingestFunction();
    const records = [
      sqsRecord(registered("u-1"), { messageId: "good-1" }),
      sqsRecord(registered("u-2", { attributes: { bio: "x".repeat(40_000) } }), { messageId: "too-large" }),
      sqsRecord(registered("u".repeat(1_500)), { messageId: "long-id" }),
      sqsRecord(deepEventBody(5_000), { messageId: "too-deep" }),
      sqsRecord(registered("u-3", { email: EMAIL.replace("@", " at ") }), { messageId: "bad-email" }),
      sqsRecord(`{"detail-type": "user.registered", "detail": {"email": "${EMAIL}"`, { messageId: "not-json" }),
      sqsRecord({ ...registered("u-5"), detail: "u-5" }, { messageId: "detail-not-object" }),
      sqsRecord(registered("u-4"), { messageId: "good-2" }),
    ];
    // Act
    const { result, lines, text } = await f.ingest(records);
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(f.pushedTo().sort()).toEqual(["u-1", "u-1", "u-4", "u-4"]);
    const dead = f.deadLetters();
    expect(dead.map((d) => d.body)).toEqual(records.slice(1, 7).map((r) => r.body));
    const reasons = dead.map((d) => d.attributes["nudge-reason"]);
    expect(reasons[0]).toMatch(/: is \d+ bytes, more than the 32768 allowed$/);
    expect(reasons[1]).toContain(`detail.userId: is 1500 bytes long, more than the ${MAX_ID_BYTES} an id may have`);
    expect(reasons[2]).toContain("detail: nests objects or arrays more than 32 levels deep");
    expect(reasons[3]).toContain("detail.email: (a string of 19 characters) is not an email address");
    expect(reasons[4]).toMatch(/^record: is not valid JSON \(\d+ bytes\)$/);
    expect(reasons[5]).toMatch(/: detail: expected an object, got \(a string of 3 characters\)$/);
    expect(dead.every((d) => d.attributes["nudge-failure"] === "rejected")).toBe(true);
    expect(dead.every((d) => d.attributes["nudge-source"] === QUEUE_ARN)).toBe(true);
    const logged = logLines(lines, "ERROR");
    expect(logged.map((line) => [line.messageId, line.message])).toEqual(
      ["too-large", "long-id", "too-deep", "bad-email", "not-json", "detail-not-object"].map((id) => [
        id,
        "record rejected: sent to the dead-letter queue with its reason",
      ]),
    );
    expect(metricSum(lines, "RecordsRejected")).toBe(6);
    expect(metricSum(lines, "RecordsProcessed")).toBe(2);
    expect(metricSum(lines, "RecordsFailed")).toBe(0);
    // No personal data in the logs, nor in the reasons.
    expect(text).not.toContain("li.na");
    expect(reasons.join("\n")).not.toContain("li.na");
  });

  it("dead-letters a message.requested for a template no request journey sends, naming the field, and sends a good one once however often it comes", async () => {
    // Prepare: on AWS the bus takes any entry; the ingest function is the door.
    const f = await ingestFunction();
    const data = { orderId: "SO-1", carrier: "顺丰速运", trackingNumber: "SF1" };
    const good = bridgeEvent("message.requested", { userId: "u-7", template: "order-shipped", channel: "push", data });
    const unknown = bridgeEvent("message.requested", { userId: "u-8", template: "welcome", channel: "push" });
    // Act: the good request delivered twice (an SQS redelivery), the unknown one once.
    const { result } = await f.ingest([
      sqsRecord(good, { messageId: "good" }),
      sqsRecord(unknown, { messageId: "unknown" }),
      sqsRecord(good, { messageId: "good-again" }),
    ]);
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(f.pushedTo()).toEqual(["u-7"]);
    expect(f.deadLetters().map((d) => d.attributes["nudge-reason"])).toEqual([
      `event ${unknown.id}: detail.template: unknown template "welcome" (may be requested: "order-shipped", "pickup-code")`,
    ]);
  });

  it("keeps a rejected wake-up's own attributes, so that a redrive after a fix reads it as a wake-up", async () => {
    // Prepare
    const f = await ingestFunction();
    const kind = { "nudge-kind": { stringValue: "wake-up", dataType: "String" } };
    const badWakeUp = sqsRecord({ kind: "run", journeyId: "onboarding-guide" }, { attributes: kind });
    // Act
    const { result } = await f.ingest([badWakeUp]);
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(f.deadLetters()[0]?.attributes).toMatchObject({ "nudge-kind": "wake-up", "nudge-failure": "rejected" });
    expect(f.deadLetters()[0]?.attributes["nudge-reason"]).toContain("key: required");
  });

  it("fails a rejected record for SQS to retry when the dead-letter queue does not take it, and says so", async () => {
    // Prepare
    const f = await ingestFunction({ deadLetterSendFails: true });
    const bad = sqsRecord(registered("u".repeat(1_500)), { messageId: "long-id" });
    // Act
    const { result, lines } = await f.ingest([bad, sqsRecord(registered("u-5"))]);
    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "long-id" }] });
    expect(logLines(lines, "ERROR")[0]).toMatchObject({
      messageId: "long-id",
      message: "record rejected, but not sent to the dead-letter queue: SQS will deliver it again",
    });
    expect(f.pushedTo()).toEqual(["u-5", "u-5"]);
  });
});
