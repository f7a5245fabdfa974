import { describe, expect, it } from "vitest";
import { NO_PLACEMENT } from "../../functions/channels/inbox.ts";
import { createDeliverHandler } from "../../functions/handlers/deliver.ts";
import { inboxDeliverDependencies } from "../../functions/handlers/deliver-inbox.ts";
import { DynamoDbInbox } from "../../functions/store/dynamodb/inbox.ts";
import { captureOutput, lambdaContext, logLines, sqsEvent } from "../handlers/lambda.ts";
import { freshTable } from "../setup/dynalite.ts";
import { channelQueues, messageRequest } from "./support.ts";

/** The inbox channel's deliver function as on AWS: the messages in a real table (dynalite), its queues local. */
async function inboxChannel() {
  const { client, tableName } = await freshTable();
  const queues = channelQueues("delivery-inbox");
  const handler = createDeliverHandler(
    inboxDeliverDependencies(
      { TABLE_NAME: tableName, CHANNEL: "inbox", ...queues.env },
      { dynamodb: client, sqs: queues.sqs },
    ),
  );
  const run = (bodies: unknown[]) =>
    captureOutput(
      () => handler(sqsEvent(queues.receive(bodies)), lambdaContext) as Promise<{ batchItemFailures: unknown[] }>,
    );
  return { run, inbox: new DynamoDbInbox(client, { tableName }), queues };
}

/** new-user-coupon's pop-up, as the ingest function queues it. */
const popup = (user: string) =>
  messageRequest(user, {
    version: 2,
    id: `new-user-coupon:${user}:1:3:message`,
    channel: "inbox",
    template: "welcome-coupon-popup",
    title: "新人券：立减 20 元，全场包邮",
    text: "下单时使用新人专享券 NEWVGWY67GW，立减 20 元并包邮。",
    inbox: {
      placement: "popup:order-page",
      priority: 80,
      expiresAt: "2026-11-25T02:14:14.000Z",
      couponId: "cpn.new-user-coupon.2.issue-welcome-coupon.x7",
    },
  });

describe("inbox channel", () => {
  it("keeps a message for its user with its placement, priority, expiry and coupon", async () => {
    // Prepare
    const { run, inbox } = await inboxChannel();

    // Act
    const { result } = await run([popup("u_1")]);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await inbox.getInboxMessage("u_1", "new-user-coupon:u_1:1:3:message")).toEqual({
      id: "new-user-coupon:u_1:1:3:message",
      userId: "u_1",
      journeyId: "new-user-coupon",
      journeyVersion: 2,
      template: "welcome-coupon-popup",
      locale: "zh-CN",
      title: "新人券：立减 20 元，全场包邮",
      text: "下单时使用新人专享券 NEWVGWY67GW，立减 20 元并包邮。",
      placement: "popup:order-page",
      priority: 80,
      sentAt: "2026-11-18T02:14:14Z",
      expiresAt: "2026-11-25T02:14:14.000Z",
      couponId: "cpn.new-user-coupon.2.issue-welcome-coupon.x7",
    });
  });

  it("keeps a redelivered message once: a message the user dismissed does not come back", async () => {
    // Prepare
    const { run, inbox } = await inboxChannel();
    await run([popup("u_1")]);
    await inbox.dismissInboxMessage("u_1", "new-user-coupon:u_1:1:3:message", "2026-11-18T03:00:00Z");

    // Act
    const { result } = await run([popup("u_1")]);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await inbox.getInboxMessage("u_1", "new-user-coupon:u_1:1:3:message")).toMatchObject({
      dismissedAt: "2026-11-18T03:00:00Z",
    });
  });

  it("sends a message without a placement to the dead-letter queue at once, with its code", async () => {
    // Prepare
    const { run, queues } = await inboxChannel();

    // Act
    const request = messageRequest("u_1", { channel: "inbox" });
    const { result, lines } = await run([request]);

    // Assess: done for the event source, dead-lettered with the code, the reason logged
    expect(result.batchItemFailures).toEqual([]);
    const [dead] = queues.deadLetter.peek();
    expect(JSON.parse(dead?.body ?? "")).toEqual(request);
    expect(dead?.attributes).toMatchObject({
      "nudge-failure": { DataType: "String", StringValue: "refused" },
      "nudge-code": { DataType: "String", StringValue: NO_PLACEMENT },
    });
    expect(logLines(lines, "WARN")).toEqual([
      expect.objectContaining({
        messageId: request.id,
        code: NO_PLACEMENT,
        message: expect.stringContaining("not retried"),
      }),
    ]);
  });
});
