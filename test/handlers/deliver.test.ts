import { describe, expect, it } from "vitest";
import { createDeliverHandler, deliverDependencies } from "../../functions/handlers/deliver.ts";
import { captureOutput, lambdaContext, logLines, metricSum, sqsEvent, sqsRecord } from "./lambda.ts";

const TEXT = "欢迎加入！送你一张新人专享券：立减 20 元，全场包邮。券码 NEWVGWY67GW";

/** A message request as the ingest function queues it: a `message.sent` effect. */
const request = (user: string) => ({
  at: "2026-11-18T02:14:14Z",
  journey: "new-user-coupon",
  version: 1,
  user,
  run: `new-user-coupon:${user}:1`,
  type: "message.sent",
  id: `new-user-coupon:${user}:1:2:message`,
  channel: "push",
  template: "welcome",
  category: "marketing",
  locale: "zh-CN",
  text: TEXT,
});

describe("deliver handler", () => {
  it("sends each message request of a batch to the log channel, by ids, and reports only a malformed one as failed", async () => {
    // Prepare
    const handler = createDeliverHandler(deliverDependencies({}));
    const malformed = sqsRecord({ ...request("u-3"), channel: "", text: undefined }, { messageId: "malformed" });
    const batch = [sqsRecord(request("u-1")), malformed, sqsRecord(request("u-2"))];
    // Act
    const { result, lines, text } = await captureOutput(() => handler(sqsEvent(batch), lambdaContext));
    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "malformed" }] });
    const out = logLines(lines, "INFO").filter((line) => line.message === "message out (log channel)");
    expect(out).toEqual([
      expect.objectContaining({ messageId: request("u-1").id, user: "u-1", channel: "push", characters: TEXT.length }),
      expect.objectContaining({ messageId: request("u-2").id, user: "u-2", template: "welcome", locale: "zh-CN" }),
    ]);
    expect(logLines(lines, "ERROR")).toEqual([
      expect.objectContaining({
        messageId: "malformed",
        problems: [
          { path: "channel", message: "must not be empty" },
          { path: "text", message: "required" },
        ],
      }),
    ]);
    expect(metricSum(lines, "MessagesDelivered")).toBe(2);
    // The text of a message is not logged: it may carry a nickname or a coupon code.
    expect(text).not.toContain("券码");
  });
});
