import { describe, expect, it } from "vitest";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { QueueSink } from "../../functions/handlers/adapters.ts";
import { LocalQueue } from "../../functions/local/local-queue.ts";
import { localQueueUrl, localSqsClient } from "../../functions/local/local-sqs.ts";

/** A message request of a journey on a channel, as a decision's outbox holds it. */
function message(journey: string, channel: string, user: string): JourneyEffect {
  return {
    type: "message.sent",
    id: `${journey}:${user}:1:1:message`,
    at: "2026-11-20T02:00:00Z",
    journey,
    version: 1,
    user,
    run: `${journey}:${user}:1`,
    channel,
    template: "t",
    category: "marketing",
    locale: "zh-CN",
    text: "…",
  };
}

describe("delivery lanes", () => {
  it("sends a campaign's messages to its channel's campaign lane and every other journey's to the channel's queue", async () => {
    // Prepare: push with both lanes, email with one queue only.
    const queue = (name: string) => new LocalQueue({ name, clock: () => 0, visibilityTimeoutMs: 10_000 });
    const [push, pushCampaigns, email] = [queue("push"), queue("push-campaigns"), queue("email")];
    const sink = new QueueSink(localSqsClient([push, pushCampaigns, email]), {
      queueUrls: { push: localQueueUrl("push"), email: localQueueUrl("email") },
      campaignQueueUrls: { push: localQueueUrl("push-campaigns") },
      isCampaign: (journeyId) => journeyId === "member-day",
    });
    // Act
    await sink.deliverAll([
      message("member-day", "push", "u-1"),
      message("new-user-coupon", "push", "u-2"),
      message("member-day", "push", "u-3"),
      message("member-day", "email", "u-4"),
    ]);
    // Assess: the campaign's email has no lane of its own: the channel's queue takes it.
    const users = (q: LocalQueue) => q.peek().map((m) => JSON.parse(m.body).user);
    expect(users(pushCampaigns)).toEqual(["u-1", "u-3"]);
    expect(users(push)).toEqual(["u-2"]);
    expect(users(email)).toEqual(["u-4"]);
  });
});
