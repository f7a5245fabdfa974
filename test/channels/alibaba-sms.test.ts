import { afterEach, describe, expect, it } from "vitest";
import { smsOutcome } from "../../functions/channels/alibaba-sms.ts";
import { emptyProfile } from "../../functions/engine/context.ts";
import type { Profile } from "../../functions/engine/model.ts";
import { createDeliverHandler } from "../../functions/handlers/deliver.ts";
import { smsDeliverDependencies } from "../../functions/handlers/deliver-sms.ts";
import { FAILURE_ATTRIBUTES } from "../../functions/handlers/delivery-queue.ts";
import { AlibabaSmsStandIn } from "../../functions/local/alibaba-sms-stand-in.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { captureOutput, lambdaContext, metricSum, sqsEvent } from "../handlers/lambda.ts";
import { freshTable } from "../setup/dynalite.ts";
import { channelQueues, loopbackBus, messageRequest } from "./support.ts";

const NOW = Date.parse("2026-11-18T02:14:20Z");
const KEY = { accessKeyId: "LTAI5tNudgeTestKey", accessKeySecret: "nudge-test-secret-3f9a1c" };
const PHONE = "13800138000";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/**
 * The SMS deliver function as on AWS: the real SDK against the local stand-in for Alibaba Cloud SMS (which
 * checks each request's protocol, signature and parameters), profiles in a real table (dynalite), its queues
 * local, and `user.unsubscribed` published with the real EventBridge client to the local platform's endpoint.
 */
async function smsChannel(
  profiles: Profile[],
  options: { refuse?: (phone: string) => string | undefined; credentials?: string; stopped?: boolean } = {},
) {
  const standIn = new AlibabaSmsStandIn({
    ...KEY,
    ...(options.refuse === undefined ? {} : { refuse: (sms) => options.refuse?.(sms.phoneNumbers) }),
  });
  const endpoint = await standIn.start();
  // Stopped: nothing listens on its port any more (connection refused).
  if (options.stopped === true) await standIn.stop();
  cleanups.push(() => standIn.stop());
  const { published, eventBridge, close } = await loopbackBus(NOW);
  cleanups.push(close);
  const { client, tableName } = await freshTable();
  const store = new DynamoDbStore(client, { tableName });
  for (const profile of profiles) await store.putUser(profile.userId, { profile }, undefined);
  const queues = channelQueues("delivery-sms");
  const env = {
    TABLE_NAME: tableName,
    CHANNEL: "sms",
    SMS_ENDPOINT: endpoint,
    SMS_SIGN_NAME: "好物商城",
    SMS_TEMPLATES: JSON.stringify({ welcome: { templateCode: "SMS_153055065" } }),
    NUDGE_ALIBABA_SMS_CREDENTIALS: options.credentials ?? JSON.stringify(KEY),
    EVENT_BUS_NAME: "nudge-dev",
    ...queues.env,
  };
  const handler = createDeliverHandler(
    smsDeliverDependencies(env, { dynamodb: client, sqs: queues.sqs, eventBridge, clock: () => NOW }),
  );
  const handle = (records: ReturnType<typeof queues.receive>) =>
    captureOutput(() => handler(sqsEvent(records), lambdaContext) as Promise<{ batchItemFailures: unknown[] }>);
  const run = (bodies: unknown[]) => handle(queues.receive(bodies));
  /** The records backed off, received again once their backoff is over. */
  const retry = () => handle(queues.redeliver());
  return { run, retry, standIn, published, queues };
}

const profile = (userId: string, extra: Partial<Profile> = {}): Profile => ({
  ...emptyProfile(userId),
  phone: PHONE,
  locale: "zh-CN",
  ...extra,
});
const sms = (user: string, extra: Record<string, unknown> = {}) =>
  messageRequest(user, { channel: "sms", params: { code: "NEWVGWY67GW", amount: "20" }, ...extra });

describe("SMS channel (Alibaba Cloud SMS)", () => {
  it("sends SendSms, signed, with the template code, the signature, the rendered parameters and the message id as OutId", async () => {
    // Prepare
    const channel = await smsChannel([profile("u_1")]);
    const message = sms("u_1");

    // Act
    const { result, lines } = await channel.run([message]);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(channel.standIn.taken).toEqual([
      {
        phoneNumbers: PHONE,
        signName: "好物商城",
        templateCode: "SMS_153055065",
        templateParam: { code: "NEWVGWY67GW", amount: "20" },
        outId: message.id,
        bizId: expect.any(String),
      },
    ]);
    expect(metricSum(lines, "MessagesDelivered")).toBe(1);
  });

  it("sends a repeat of the same message once (the API is not idempotent: the ledger is)", async () => {
    // Prepare
    const channel = await smsChannel([profile("u_1")]);

    // Act
    await channel.run([sms("u_1")]);
    const { lines } = await channel.run([sms("u_1")]);

    // Assess
    expect(channel.standIn.taken).toHaveLength(1);
    expect(metricSum(lines, "MessagesSkipped.already-sent")).toBe(1);
  });

  it("skips a user with no number, and a marketing SMS to a user who unsubscribed from SMS since", async () => {
    // Prepare
    const unsubscribed = { sms: { subscribed: false, at: "2026-11-18T01:00:00Z" } };
    const channel = await smsChannel([profile("u_none", { phone: "" }), profile("u_out", { consent: unsubscribed })]);

    // Act
    const { lines } = await channel.run([sms("u_none"), sms("u_out")]);

    // Assess
    expect(channel.standIn.taken).toEqual([]);
    expect(metricSum(lines, "MessagesSkipped.no-address")).toBe(1);
    expect(metricSum(lines, "MessagesSkipped.unsubscribed")).toBe(1);
  });

  it("sends an invalid number to the dead-letter queue at once with the provider's code, not retried", async () => {
    // Prepare: the stand-in refuses a number that is not one, as the provider does.
    const channel = await smsChannel([profile("u_bad", { phone: "1380013" })]);

    // Act
    const { result } = await channel.run([sms("u_bad")]);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const [letter] = channel.queues.deadLetter.peek();
    expect(letter?.attributes[FAILURE_ATTRIBUTES.code]?.StringValue).toBe("isv.MOBILE_NUMBER_ILLEGAL");
    expect(channel.published).toEqual([]);
  });

  it("makes a number the provider reports unsubscribed a consent change, and dead-letters the message", async () => {
    // Prepare
    const channel = await smsChannel([profile("u_td")], { refuse: () => "isv.CUSTOMER_REFUSED" });

    // Act
    const { result } = await channel.run([sms("u_td")]);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(channel.published.map((event) => [event["detail-type"], event.detail])).toEqual([
      ["user.unsubscribed", { userId: "u_td", channel: "sms" }],
    ]);
    const [letter] = channel.queues.deadLetter.peek();
    expect(letter?.attributes[FAILURE_ATTRIBUTES.code]?.StringValue).toBe("isv.CUSTOMER_REFUSED");
  });

  it("retries flow control with a backoff, and sends the message when the provider takes it again", async () => {
    // Prepare: the provider's flow control for this number, once.
    let throttled = 0;
    const channel = await smsChannel([profile("u_1")], {
      refuse: () => (throttled++ === 0 ? "isv.BUSINESS_LIMIT_CONTROL" : undefined),
    });

    // Act
    const first = await channel.run([sms("u_1")]);
    const waiting = channel.queues.receive([]);
    const again = await channel.retry();

    // Assess: failed and backed off (not received again at once), then delivered.
    expect(first.result.batchItemFailures).toHaveLength(1);
    expect(waiting).toEqual([]);
    expect(again.result.batchItemFailures).toEqual([]);
    expect(channel.standIn.taken.map((taken) => taken.outId)).toEqual([sms("u_1").id]);
    expect(channel.queues.deadLetter.peek()).toEqual([]);
  });

  it("retries when the provider cannot be reached, when the AccessKey is wrong and when it is not one: nothing is dead-lettered", async () => {
    // Prepare
    const unreachable = await smsChannel([profile("u_1")], { stopped: true });
    const wrongKey = await smsChannel([profile("u_1")], {
      credentials: JSON.stringify({ ...KEY, accessKeySecret: "an-old-secret" }),
    });
    const notAKey = await smsChannel([profile("u_1")], { credentials: "LTAI5tNudgeTestKey" });

    // Act
    const outcomes = [];
    for (const channel of [unreachable, wrongKey, notAKey]) {
      const { result, lines } = await channel.run([sms("u_1")]);
      outcomes.push({
        failures: result.batchItemFailures.length,
        deadLetters: channel.queues.deadLetter.peek().length,
        lines,
      });
    }

    // Assess
    expect(outcomes.map(({ failures, deadLetters }) => [failures, deadLetters])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    const errors = outcomes.map(({ lines }) => JSON.stringify(lines));
    expect(errors[1]).toContain("SignatureDoesNotMatch");
    expect(errors[2]).toContain("the Alibaba Cloud SMS secret is not");
    expect(wrongKey.standIn.taken).toEqual([]);
  });

  it("refuses a parameter longer than the provider takes without calling it, with the parameter named", async () => {
    // Prepare
    const channel = await smsChannel([profile("u_1")]);

    // Act
    await channel.run([sms("u_1", { params: { code: "码".repeat(36) } })]);

    // Assess
    expect(channel.standIn.taken).toEqual([]);
    const [letter] = channel.queues.deadLetter.peek();
    expect(letter?.attributes[FAILURE_ATTRIBUTES.code]?.StringValue).toBe("isv.PARAM_LENGTH_LIMIT");
    expect(letter?.attributes[FAILURE_ATTRIBUTES.response]?.StringValue).toBe("code: 36 characters, 35 at most");
  });

  it("refuses a message whose template has no sms block, naming the template", async () => {
    // Prepare
    const channel = await smsChannel([profile("u_1")]);

    // Act
    await channel.run([sms("u_1", { template: "reminder" })]);

    // Assess
    const [letter] = channel.queues.deadLetter.peek();
    expect(letter?.attributes[FAILURE_ATTRIBUTES.code]?.StringValue).toBe("template-not-for-sms");
  });
});

describe("Alibaba Cloud SMS error codes", () => {
  it("retries flow control, throttling, the provider's errors and account problems; refuses bad numbers and content for good", () => {
    // Prepare: https://help.aliyun.com/document_detail/101346.html
    const codes = {
      "isv.BUSINESS_LIMIT_CONTROL": "retry",
      "isv.DAY_LIMIT_CONTROL": "retry",
      "isv.MONTH_LIMIT_CONTROL": "retry",
      "Throttling.User": "retry",
      "isp.SYSTEM_ERROR": "retry",
      "isv.AMOUNT_NOT_ENOUGH": "retry",
      "isp.RAM_PERMISSION_DENY": "retry",
      SignatureDoesNotMatch: "retry",
      "isv.MOBILE_NUMBER_ILLEGAL": "invalid-number",
      "isv.DOMESTIC_NUMBER_NOT_SUPPORTED": "invalid-number",
      "isv.CUSTOMER_REFUSED": "unsubscribed",
      "isv.PARAM_LENGTH_LIMIT": "refused",
      "isv.TEMPLATE_MISSING_PARAMETERS": "refused",
      "isv.INVALID_JSON_PARAM": "refused",
      "isv.SMS_TEMPLATE_ILLEGAL": "refused",
      "isv.SMS_SIGNATURE_ILLEGAL": "refused",
    };

    // Act
    const outcomes = Object.fromEntries(Object.keys(codes).map((code) => [code, smsOutcome(code)]));

    // Assess
    expect(outcomes).toEqual(codes);
  });
});
