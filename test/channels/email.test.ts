import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { verifyUnsubscribeToken } from "../../functions/channels/unsubscribe-token.ts";
import { emptyProfile } from "../../functions/engine/context.ts";
import type { Profile } from "../../functions/engine/model.ts";
import { createDeliverHandler } from "../../functions/handlers/deliver.ts";
import { emailDeliverDependencies } from "../../functions/handlers/deliver-email.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { captureOutput, lambdaContext, logLines, metricSum, sqsEvent } from "../handlers/lambda.ts";
import { freshTable } from "../setup/dynalite.ts";
import { channelQueues, messageRequest } from "./support.ts";

const UNSUBSCRIBE_SECRET = "unsub_2b7c9d4e1f0a3b6c8d5e2f9a1b4c7d0e";
const UNSUBSCRIBE_URL = "https://abcdefghij.lambda-url.cn-north-1.on.aws/";
const NOW = Date.parse("2026-11-18T02:14:20Z");
const EMAIL = "li.na@example.cn";

const mocks: { restore(): void }[] = [];
afterEach(() => {
  for (const mock of mocks.splice(0)) mock.restore();
});

/**
 * The email channel's deliver function as on AWS: profiles in a real table (dynalite), its queues local,
 * SES mocked (it cannot run here).
 */
async function emailChannel(profiles: Profile[]) {
  const { client, tableName } = await freshTable();
  const store = new DynamoDbStore(client, { tableName });
  for (const profile of profiles) await store.putUser(profile.userId, { profile }, undefined);
  const ses = new SESv2Client({ region: "cn-north-1" });
  const sesMock = mockClient(ses);
  mocks.push(sesMock);
  sesMock.on(SendEmailCommand).resolves({ MessageId: "0102019a-ses" });
  const queues = channelQueues("delivery-email");
  const handler = createDeliverHandler(
    emailDeliverDependencies(
      {
        TABLE_NAME: tableName,
        CHANNEL: "email",
        EMAIL_FROM: '"好物商城" <news@shop.example.cn>',
        EMAIL_DEFAULT_SUBJECT: "来自好物商城的消息",
        SES_CONFIGURATION_SET: "nudge-marketing",
        UNSUBSCRIBE_URL,
        NUDGE_UNSUBSCRIBE_SECRET: UNSUBSCRIBE_SECRET,
        ...queues.env,
      },
      { ses, dynamodb: client, sqs: queues.sqs, clock: () => NOW },
    ),
  );
  const run = (bodies: unknown[]) =>
    captureOutput(
      () => handler(sqsEvent(queues.receive(bodies)), lambdaContext) as Promise<{ batchItemFailures: unknown[] }>,
    );
  const sent = () => sesMock.commandCalls(SendEmailCommand).map((call) => call.args[0].input as SendEmailCommandInput);
  return { run, sent, sesMock, store, queues };
}

const profile = (userId: string, extra: Partial<Profile> = {}): Profile => ({
  ...emptyProfile(userId),
  email: EMAIL,
  locale: "zh-CN",
  ...extra,
});
const email = (user: string, extra: Record<string, unknown> = {}) =>
  messageRequest(user, { channel: "email", ...extra });

describe("email channel (SES v2)", () => {
  it("sends a marketing email to the profile's address with the title as subject, the text as body, and RFC 8058 one-click headers with a signed link", async () => {
    // Prepare
    const c = await emailChannel([profile("u-1")]);
    const message = email("u-1", { title: "新人专享券已到账" });
    // Act
    const { result, lines, text } = await c.run([message]);
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const [input] = c.sent();
    expect(input).toMatchObject({
      // The display name in RFC 2047 form, as SES wants a non-ASCII sender name.
      FromEmailAddress: `=?UTF-8?B?${Buffer.from("好物商城").toString("base64")}?= <news@shop.example.cn>`,
      Destination: { ToAddresses: [EMAIL] },
      ConfigurationSetName: "nudge-marketing",
      Content: {
        Simple: {
          Subject: { Data: "新人专享券已到账", Charset: "UTF-8" },
          Body: { Text: { Data: message.text, Charset: "UTF-8" } },
        },
      },
    });
    const headers = Object.fromEntries((input?.Content?.Simple?.Headers ?? []).map((h) => [h.Name, h.Value]));
    expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const link = /^<(.+)>$/.exec(headers["List-Unsubscribe"] ?? "")?.[1] ?? "";
    expect(link.startsWith(`${UNSUBSCRIBE_URL}?token=`)).toBe(true);
    const token = new URL(link).searchParams.get("token") ?? "";
    const verified = verifyUnsubscribeToken(UNSUBSCRIBE_SECRET, token, NOW);
    expect(verified).toEqual({
      ok: true,
      claim: { userId: "u-1", channel: "email", expiresAt: Math.floor(NOW / 1000) + 60 * 86_400 },
    });
    expect(metricSum(lines, "MessagesDelivered")).toBe(1);
    // Logs carry ids, never the address.
    expect(text).not.toContain(EMAIL);
  });

  it("uses the configured subject for a message without a title, and no unsubscribe headers on a service message", async () => {
    // Prepare
    const c = await emailChannel([profile("u-2")]);
    // Act
    await c.run([email("u-2", { category: "service" })]);
    // Assess
    const [input] = c.sent();
    expect(input?.Content?.Simple?.Subject?.Data).toBe("来自好物商城的消息");
    expect(input?.Content?.Simple?.Headers).toBeUndefined();
  });

  it("does not send a marketing email to a user who unsubscribed from email, or from everything, since the decision: logged and counted", async () => {
    // Prepare: consent withdrawn after the message was decided (at 02:14:14).
    const later = { subscribed: false, at: "2026-11-18T02:14:17Z" };
    const c = await emailChannel([
      profile("u-3", { consent: { email: later } }),
      profile("u-4", { consent: { "*": later } }),
      profile("u-5", { consent: { push: later } }),
    ]);
    // Act
    const { result, lines } = await c.run([email("u-3"), email("u-4"), email("u-5")]);
    // Assess: only the user who left push still gets email.
    expect(result.batchItemFailures).toEqual([]);
    expect(c.sent().map((input) => input.Destination?.ToAddresses)).toEqual([[EMAIL]]);
    // The batch's records go concurrently: their log lines come in any order.
    expect(
      logLines(lines, "INFO")
        .filter((line) => line.message === "message not sent")
        .map((line) => [line.user, line.reason])
        .sort(),
    ).toEqual([
      ["u-3", "unsubscribed"],
      ["u-4", "unsubscribed"],
    ]);
    expect(metricSum(lines, "MessagesSkipped")).toBe(2);
    expect(metricSum(lines, "MessagesSkipped.unsubscribed")).toBe(2);
    expect(c.queues.deadLetter.size).toBe(0);
  });

  it("does not send a service email that requires consent to a user who unsubscribed since the decision", async () => {
    // Prepare
    const later = { subscribed: false, at: "2026-11-18T02:14:17Z" };
    const c = await emailChannel([
      profile("u-6", { consent: { "*": later } }),
      profile("u-7", { consent: { "*": later } }),
    ]);
    // Act
    const { lines } = await c.run([
      email("u-6", { category: "service", consent: "required" }),
      email("u-7", { category: "service" }),
    ]);
    // Assess: the plain service email still goes; the one that requires consent does not.
    expect(c.sent()).toHaveLength(1);
    expect(metricSum(lines, "MessagesSkipped.unsubscribed")).toBe(1);
  });

  it("sends a request it can never read straight to the dead-letter queue with the reason, not retried", async () => {
    // Prepare: a request without its user (a producer's bug).
    const c = await emailChannel([profile("u-8")]);
    const { user: _user, ...broken } = email("u-8");
    // Act
    const { result } = await c.run([broken, email("u-8")]);
    // Assess: the good request went; the broken one is in the dead-letter queue, saying why.
    expect(result.batchItemFailures).toEqual([]);
    expect(c.sent()).toHaveLength(1);
    const [dead] = c.queues.deadLetter.peek();
    expect(dead?.attributes["nudge-failure"]?.StringValue).toBe("rejected");
    expect(dead?.attributes["nudge-reason"]?.StringValue).toContain("user");
  });

  it("records a profile with no email address (or none at all) as not sent, without retrying", async () => {
    // Prepare
    const c = await emailChannel([profile("u-6", { email: undefined })]);
    // Act
    const { result, lines } = await c.run([email("u-6"), email("u-unknown")]);
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(c.sent()).toEqual([]);
    expect(metricSum(lines, "MessagesSkipped.no-address")).toBe(2);
  });

  it("retries when SES throttles (the record fails back to its queue), without the address in the logs", async () => {
    // Prepare
    const c = await emailChannel([profile("u-7")]);
    c.sesMock.on(SendEmailCommand).rejects(
      Object.assign(new Error(`Maximum sending rate exceeded for ${EMAIL}.`), {
        name: "TooManyRequestsException",
        $metadata: { httpStatusCode: 429 },
      }),
    );
    // Act
    const { result, lines, text } = await c.run([email("u-7")]);
    // Assess
    expect(result.batchItemFailures).toHaveLength(1);
    expect(logLines(lines, "ERROR")[0]?.error).toMatchObject({
      name: "RetryableDeliveryError",
      message: expect.stringContaining("TooManyRequestsException"),
    });
    expect(c.queues.deadLetter.size).toBe(0);
    expect(text).not.toContain(EMAIL);
  });

  it("sends a message SES rejects for good straight to the dead-letter queue with SES's answer, not retried", async () => {
    // Prepare
    const c = await emailChannel([profile("u-8")]);
    c.sesMock.on(SendEmailCommand).rejects(
      Object.assign(new Error("Email address is not verified."), {
        name: "MessageRejected",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const message = email("u-8");
    // Act
    const { result, lines } = await c.run([message]);
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const [dead] = c.queues.deadLetter.peek();
    expect(JSON.parse(dead?.body ?? "")).toEqual(message);
    expect(dead?.attributes).toMatchObject({
      "nudge-code": { StringValue: "MessageRejected" },
      "nudge-status": { StringValue: "400" },
      "nudge-response": { StringValue: "Email address is not verified." },
    });
    expect(metricSum(lines, "MessagesRefused")).toBe(1);
  });
});
