import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createIngestHandler, ingestDependencies } from "../../functions/handlers/ingest.ts";
import { createTickHandler, tickDependencies } from "../../functions/handlers/tick.ts";
import { raisedOccurrenceBody } from "../../functions/handlers/wire.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { SEGMENT_SHARDS } from "../../functions/store/dynamodb/segments.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { freshTable } from "../setup/dynalite.ts";
import { NO_POLICIES } from "../support/policies.ts";
import { bridgeEvent, captureOutput, lambdaContext, logLines, metricSum, sqsEvent, sqsRecord } from "./lambda.ts";

const T0 = Date.parse("2026-11-18T02:14:09Z");
const INGEST_QUEUE = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/ingest";
const DELIVERY_QUEUE = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/delivery";
const WAKE_UP_QUEUE = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/wake-ups";
const EMAIL_QUEUE = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/delivery-email";
const INBOX_QUEUE = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/delivery-inbox";
const FAX_QUEUE = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/delivery-fax";
/** The message bodies of the SendMessageBatch calls to one queue. */
const bodiesSentTo = (mock: ReturnType<typeof mockClient>, queueUrl: string) =>
  mock
    .commandCalls(SendMessageBatchCommand)
    .filter((call) => call.args[0].input.QueueUrl === queueUrl)
    .flatMap((call) => (call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.MessageBody ?? "")));
const DAY = 86_400_000;
const EMAIL = "li.na@example.cn";
const PHONE = "+8613800138000";

/**
 * The ingest function's real handler code (middy, Powertools, the runtime, the DynamoDB store) against
 * dynalite. Only the SQS and EventBridge sends are mocked: the delivery queue and the bus.
 */
async function platform(
  journeys = loadSeedJourneys(),
  envOverrides: Record<string, string> = {},
  table?: Awaited<ReturnType<typeof freshTable>>,
) {
  const { client, tableName } = table ?? (await freshTable());
  const sqs = new SQSClient({ region: "cn-north-1" });
  const sqsMock = mockClient(sqs);
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  const clock = { now: T0 + 5_000 };
  const env = {
    TABLE_NAME: tableName,
    INGEST_QUEUE_URL: INGEST_QUEUE,
    DELIVERY_QUEUE_URLS: JSON.stringify({ push: DELIVERY_QUEUE, email: EMAIL_QUEUE, inbox: INBOX_QUEUE }),
    WAKE_UP_QUEUE_URL: WAKE_UP_QUEUE,
    // The handler's mechanics, not the policies: the welcome and guide 1 both go at registration.
    POLICY_CONFIG: JSON.stringify(NO_POLICIES),
    // One timer shard: a test's tick walks a whole day of minute buckets at once (a deployed tick walks one
    // a minute), 16 Queries a minute with 16 shards, which takes dynalite 20 s on a busy machine.
    TIMER_SHARDS: "1",
    ...envOverrides,
  };
  const overrides = { dynamodb: client, sqs, clock: () => clock.now };
  const ingest = createIngestHandler(ingestDependencies(env, { ...overrides, journeys }));
  const tick = createTickHandler(tickDependencies(env, overrides));
  mocks.push(sqsMock);
  return {
    table: { client, tableName },
    clock,
    sqsMock,
    store: new DynamoDbStore(client, { tableName }),
    /** Runs a batch through the ingest handler, stdout captured. */
    ingest: (records: ReturnType<typeof sqsRecord>[]) =>
      captureOutput(() => ingest(sqsEvent(records), lambdaContext) as Promise<SQSBatchResponse>),
    tick: () => captureOutput(() => tick({ time: new Date(clock.now).toISOString() }, lambdaContext)),
    /** The message requests sent to the push delivery queue so far. */
    messages: () => bodiesSentTo(sqsMock, DELIVERY_QUEUE),
    /** The message requests sent to a delivery queue so far. */
    messagesTo: (queueUrl: string) => bodiesSentTo(sqsMock, queueUrl),
    /** The events the journeys emitted so far, as sent to the ingest queue. */
    published: () => bodiesSentTo(sqsMock, INGEST_QUEUE),
  };
}

/** The wake-ups sent to the wake-up queue so far, as the queue delivers them (with their attribute). */
function wakeUpRecords(mock: ReturnType<typeof mockClient>) {
  return mock
    .commandCalls(SendMessageBatchCommand)
    .filter((call) => call.args[0].input.QueueUrl === WAKE_UP_QUEUE)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) =>
      sqsRecord(entry.MessageBody, {
        attributes: {
          "nudge-kind": { stringValue: entry.MessageAttributes?.["nudge-kind"]?.StringValue ?? "", dataType: "String" },
        },
      }),
    );
}

const mocks: { restore(): void }[] = [];
afterEach(() => {
  for (const mock of mocks.splice(0)) mock.restore();
});

const registered = (userId: string, extra: Record<string, unknown> = {}) =>
  bridgeEvent("user.registered", { userId, locale: "zh-CN", timezone: "Asia/Shanghai", ...extra });

describe("ingest handler", () => {
  it("runs a batch of EventBridge events through the journeys: message requests queued, coupons sent back to the ingest queue, metrics per journey", async () => {
    // Prepare
    const p = await platform();
    const batch = [sqsRecord(registered("u-1", { email: EMAIL, phone: PHONE })), sqsRecord(registered("u-2"))];
    // Act
    const { result, lines, text } = await p.ingest(batch);
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const messages = p.messages();
    expect(messages.map((m) => `${m.journey}/${m.template}/${m.user}`).sort()).toEqual([
      "new-user-coupon/welcome/u-1",
      "new-user-coupon/welcome/u-2",
      "onboarding-guide/guide-1/u-1",
      "onboarding-guide/guide-1/u-2",
    ]);
    expect(messages.every((m) => m.type === "message.sent" && m.text.length > 0)).toBe(true);
    const coupons = p.published();
    // The records of a batch run concurrently: their coupons are published in either order.
    expect(coupons.map((e) => [e.source, e["detail-type"], e.detail.userId]).sort()).toEqual([
      ["nudge", "coupon.issued", "u-1"],
      ["nudge", "coupon.issued", "u-2"],
    ]);
    expect(coupons.every((e) => e.id.startsWith("new-user-coupon:"))).toBe(true);
    expect(metricSum(lines, "Entered", "new-user-coupon")).toBe(2);
    expect(metricSum(lines, "Entered", "onboarding-guide")).toBe(2);
    // The welcome push and the coupon's order-page pop-up, each user.
    expect(metricSum(lines, "MessagesSent", "new-user-coupon")).toBe(4);
    expect(metricSum(lines, "CouponsIssued", "new-user-coupon")).toBe(2);
    expect(metricSum(lines, "RecordsProcessed")).toBe(2);
    // Logs and metrics carry ids, never the user's email or phone.
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(PHONE);
  });

  it("reports only the poisoned records of a batch as failed, logs why without personal data, and runs the rest", async () => {
    // Prepare: one good event among an event failing its schema (with an email in the bad field), a body
    // that is not JSON, an event over the size limit, and a wake-up that is not one.
    const p = await platform();
    const good = sqsRecord(registered("u-3"), { messageId: "good" });
    const badSchema = sqsRecord(bridgeEvent("user.registered", { userId: "u-4", email: "li.na at example.cn" }), {
      messageId: "bad-schema",
      receiveCount: 3,
    });
    const notJson = sqsRecord(`{"detail-type": "user.registered", "email": "${EMAIL}"`, { messageId: "not-json" });
    const tooLarge = sqsRecord(registered("u-5", { attributes: { bio: "x".repeat(40_000) } }), {
      messageId: "too-large",
    });
    const badWakeUp = sqsRecord(
      { kind: "run", journeyId: "onboarding-guide" },
      { messageId: "bad-wake-up", attributes: { "nudge-kind": { stringValue: "wake-up", dataType: "String" } } },
    );
    // Act
    const { result, lines, text } = await p.ingest([badSchema, good, notJson, tooLarge, badWakeUp]);
    // Assess
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      "bad-schema",
      "not-json",
      "too-large",
      "bad-wake-up",
    ]);
    expect(p.messages().map((m) => `${m.template}/${m.user}`)).toEqual(["welcome/u-3", "guide-1/u-3"]);
    const errors = logLines(lines, "ERROR");
    expect(errors).toHaveLength(4);
    const schemaError = errors.find((line) => line.messageId === "bad-schema");
    expect(schemaError).toMatchObject({
      message: "record rejected: it goes to the dead-letter queue after maxReceiveCount",
      receiveCount: 3,
      eventId: badSchema.body.match(/"id":"([^"]+)"/)?.[1],
      problems: [{ path: "detail.email", message: "(a string of 19 characters) is not an email address" }],
    });
    expect(errors.find((line) => line.messageId === "too-large")?.problems).toEqual([
      { path: "", message: expect.stringMatching(/^is \d+ bytes, more than the 32768 allowed$/) },
    ]);
    expect(errors.find((line) => line.messageId === "not-json")?.problems).toEqual([
      { path: "", message: expect.stringMatching(/^is not valid JSON \(\d+ bytes\)$/) },
    ]);
    expect(metricSum(lines, "RecordsRejected")).toBe(4);
    expect(metricSum(lines, "RecordsProcessed")).toBe(1);
    expect(text).not.toContain("li.na");
  });

  it("applies a redelivered batch once: no message or coupon twice, the republished coupon event deduplicated by its engine id", async () => {
    // Prepare
    const p = await platform();
    const batch = [sqsRecord(registered("u-6"), { messageId: "a" }), sqsRecord(registered("u-7"), { messageId: "b" })];
    const first = await p.ingest(batch);
    const messagesAfterFirst = p.messages().length;
    // Act: SQS delivers the same messages again (a visibility timeout ran out), a second later.
    p.clock.now += 1_000;
    const again = await p.ingest(
      batch.map((record) => ({ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: "2" } })),
    );
    // The coupon events reach the ingest queue, each with the engine's id.
    const published = p.published();
    const couponRound = await p.ingest(published.map((event) => sqsRecord(event)));
    // Assess
    expect(first.result.batchItemFailures).toEqual([]);
    expect(again.result.batchItemFailures).toEqual([]);
    expect(p.messages()).toHaveLength(messagesAfterFirst);
    expect(metricSum(again.lines, "Entered")).toBe(0);
    expect(metricSum(again.lines, "MessagesSent")).toBe(0);
    expect(new Set(published.map((e) => e.id)).size).toBe(2);
    expect(couponRound.result.batchItemFailures).toEqual([]);
    expect(metricSum(couponRound.lines, "Entered", "coupon-expiry-nudge")).toBe(2);
    const day = new Date(p.clock.now).toISOString().slice(0, 10);
    const stats = await p.store.readStats("new-user-coupon", day, day);
    expect(stats.find((s) => s.name === "entered")?.amount).toBe(2);
    // The welcome push and the coupon's order-page pop-up, each user.
    expect(stats.find((s) => s.name === "message.sent")?.amount).toBe(4);
  });

  it("runs the waits: the tick hands due wake-ups to the wake-up queue, whose messages the ingest function runs", async () => {
    // Prepare: a registration starts the onboarding guide, whose second message is due a day later. One
    // timer shard: the tick walks the day's 1,440 minute buckets on dynalite, 16 Queries each otherwise (17 s).
    const p = await platform(undefined, { TIMER_SHARDS: "1" });
    await p.ingest([sqsRecord(registered("u-8"))]);
    p.clock.now = T0 + DAY + 30_000;
    const tick = await p.tick();
    const handedOn = wakeUpRecords(p.sqsMock);
    // Act: the wake-up queue delivers them once their delay is over.
    const { result, lines } = await p.ingest(handedOn);
    // Assess
    expect(tick.result.handedOn).toBe(1);
    expect(result.batchItemFailures).toEqual([]);
    expect(p.messages().map((m) => `${m.template}/${m.user}`)).toEqual(["welcome/u-8", "guide-1/u-8", "guide-2/u-8"]);
    expect(metricSum(lines, "MessagesSent", "onboarding-guide")).toBe(1);
  });

  it("fans a campaign's occurrence out as EventBridge Scheduler raises it: parts through the wake-up queue, then each member's entry at 10:00 their time", async () => {
    // Prepare: three silver members in three zones; the clock at member day's fan-out, Friday 10:00 UTC+14.
    const p = await platform();
    const fanOutAt = Date.parse("2026-11-19T20:00:00Z");
    p.clock.now = fanOutAt + 20_000;
    const zones = { "u-sh": "Asia/Shanghai", "u-ld": "Europe/London", "u-la": "America/Los_Angeles" };
    for (const [userId, timezone] of Object.entries(zones)) {
      const profile = { userId, attributes: {}, consent: {}, orderCount: 1, totalSpent: 600, timezone };
      await p.store.putUser(userId, { profile }, undefined);
      await p.store.indexSegmentChanges([
        bridgeEvent("segment.entered", { userId, segment: "silver-and-above" }, { time: "2026-11-01T00:00:00Z" }),
      ]);
    }
    const raised = sqsRecord(raisedOccurrenceBody("member-day", "2026-11-19T20:00:00Z"));
    const wrongTime = sqsRecord(raisedOccurrenceBody("member-day", "2026-11-19T21:00:00Z"), { messageId: "wrong" });

    // Act: the occurrence, its parts as the wake-up queue delivers them, then the tick at 10:00 in London.
    const occurrence = await p.ingest([raised, wrongTime]);
    const parts = wakeUpRecords(p.sqsMock);
    const listed = await p.ingest(parts);
    p.clock.now = Date.parse("2026-11-20T10:00:30Z");
    await p.tick();
    const due = wakeUpRecords(p.sqsMock).slice(parts.length);

    // Assess: one part per shard of the segment's index; the members due by then (Shanghai, London) handed on.
    expect(occurrence.result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["wrong"]);
    expect(logLines(occurrence.lines, "ERROR")[0]?.problems).toEqual([
      {
        path: "at",
        message: 'no occurrence of campaign "member-day" falls due at 2026-11-19T21:00:00Z (redeployed since?)',
      },
    ]);
    expect(parts.map((r) => JSON.parse(r.body).part)).toEqual(Array.from({ length: SEGMENT_SHARDS }, (_, i) => i));
    expect(listed.result.batchItemFailures).toEqual([]);
    const entries = due.map((r) => JSON.parse(r.body));
    expect(entries.map((w) => `${w.kind} ${w.members} ${w.occurrence}`).sort()).toEqual([
      "entries u-ld 2026-11-20T10:00",
      "entries u-sh 2026-11-20T10:00",
    ]);
    // Scheduler raises next Friday's: no occurrence was armed as a timer.
    expect(entries.filter((w) => w.kind === "occurrence")).toEqual([]);
  });

  it("reports a record whose message cannot be queued as failed (not rejected), so SQS delivers it again", async () => {
    // Prepare
    const p = await platform();
    p.sqsMock
      .on(SendMessageBatchCommand, { QueueUrl: DELIVERY_QUEUE })
      .rejects(Object.assign(new Error("Service unavailable"), { name: "ServiceUnavailable" }));
    // Act
    const { result, lines } = await p.ingest([sqsRecord(registered("u-9"), { messageId: "m-9" })]);
    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "m-9" }]);
    const [error] = logLines(lines, "ERROR");
    expect(error).toMatchObject({
      message: "record failed: SQS will deliver it again",
      messageId: "m-9",
      error: { name: "SendError", cause: { name: "ServiceUnavailable" } },
    });
    expect(metricSum(lines, "RecordsFailed")).toBe(1);
  });

  // A send that fails after the outbox was claimed puts the outbox back (JourneyRuntime.carryOut), so the
  // record's redelivery claims it again and sends it all.
  it("sends a message whose first send failed when SQS delivers its record again", async () => {
    // Prepare
    const p = await platform();
    p.sqsMock.on(SendMessageBatchCommand, { QueueUrl: DELIVERY_QUEUE }).rejectsOnce(new Error("Service unavailable"));
    const record = sqsRecord(registered("u-10"), { messageId: "m-10" });
    const first = await p.ingest([record]);
    p.sqsMock.on(SendMessageBatchCommand, { QueueUrl: DELIVERY_QUEUE }).resolves({ Successful: [], Failed: [] });
    p.sqsMock.resetHistory();
    // Act
    const again = await p.ingest([record]);
    // Assess
    expect(first.result.batchItemFailures).toEqual([{ itemIdentifier: "m-10" }]);
    expect(again.result.batchItemFailures).toEqual([]);
    expect(
      p
        .messages()
        .map((message) => message.template)
        .sort(),
    ).toEqual(["guide-1", "welcome"]);
  });

  it("routes each message to its channel's queue; a channel with no queue fails only the records needing it, naming the channel, and a redelivery after the fix sends each message once", async () => {
    // Prepare: the onboarding guide sends on "fax" (a channel the stack has no queue for), on "email" the
    // welcome; a coupon's expiry nudge stays on push.
    const journeys = loadSeedJourneys().map((journey) => {
      const channel =
        journey.id === "onboarding-guide" ? "fax" : journey.id === "new-user-coupon" ? "email" : undefined;
      if (channel === undefined) return journey;
      // The pop-ups stay on the inbox's queue.
      const moved = (step: (typeof journey.steps)[number]) =>
        step.type === "send" && step.channel !== "inbox" ? { ...step, channel } : step;
      return { ...journey, steps: journey.steps.map(moved) };
    });
    const p = await platform(journeys);
    const coupon = bridgeEvent("coupon.issued", {
      userId: "u-20",
      couponId: "cpn-20",
      code: "SHOP20",
      amountOff: 20,
      expiresAt: new Date(T0 + 3_600_000).toISOString(),
    });
    const registration = sqsRecord(registered("u-21"), { messageId: "to-fax" });
    // Act
    const { result, lines } = await p.ingest([registration, sqsRecord(coupon, { messageId: "to-push" })]);
    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "to-fax" }]);
    expect(p.messages().map((m) => `${m.template}/${m.user}`)).toEqual(["expiring/u-20"]);
    // The welcome is another journey's decision, on a channel with a queue: it went out.
    expect(p.messagesTo(EMAIL_QUEUE).map((m) => `${m.template}/${m.channel}`)).toEqual(["welcome/email"]);
    const [error] = logLines(lines, "ERROR");
    expect(error).toMatchObject({
      messageId: "to-fax",
      error: {
        name: "UnroutableMessageError",
        message: expect.stringContaining(
          'no delivery queue for channel "fax" (DELIVERY_QUEUE_URLS has push, email, inbox)',
        ),
      },
    });

    // Act: the channel gets its queue (a deploy), and SQS delivers the record again.
    const fixed = await platform(
      journeys,
      {
        DELIVERY_QUEUE_URLS: JSON.stringify({
          push: DELIVERY_QUEUE,
          email: EMAIL_QUEUE,
          inbox: INBOX_QUEUE,
          fax: FAX_QUEUE,
        }),
      },
      { ...p.table, endpoint: "" },
    );
    const again = await fixed.ingest([registration]);
    // Assess: the guide goes out now; the welcome, sent already, not again.
    expect(again.result.batchItemFailures).toEqual([]);
    expect(fixed.messagesTo(FAX_QUEUE).map((m) => `${m.template}/${m.channel}`)).toEqual(["guide-1/fax"]);
    expect(fixed.messagesTo(EMAIL_QUEUE)).toEqual([]);
  });
});
