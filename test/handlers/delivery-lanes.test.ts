import { describe, expect, it } from "vitest";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { QueueSink } from "../../functions/handlers/adapters.ts";
import { LocalQueue } from "../../functions/local/local-queue.ts";
import { localQueueUrl, localSqsClient } from "../../functions/local/local-sqs.ts";

/** A message request of a journey on a channel, as a decision's outbox holds it. */
function message(journey: string, channel: string, user: string, category = "marketing"): JourneyEffect {
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
    category,
    locale: "zh-CN",
    text: "…",
  };
}

describe("delivery lanes", () => {
  it("sends a campaign's messages to its channel's campaigns' lane, a service message to the transactional lane, and every other journey's to the channel's queue", async () => {
    // Prepare: push with its three lanes, email with its journeys' queue only.
    const queue = (name: string) => new LocalQueue({ name, clock: () => 0, visibilityTimeoutMs: 10_000 });
    const [push, pushCampaigns, pushTransactional, email] = [
      "push",
      "push-campaigns",
      "push-transactional",
      "email",
    ].map(queue) as [LocalQueue, LocalQueue, LocalQueue, LocalQueue];
    const sink = new QueueSink(localSqsClient([push, pushCampaigns, pushTransactional, email]), {
      urls: {
        journeys: { push: localQueueUrl("push"), email: localQueueUrl("email") },
        campaigns: { push: localQueueUrl("push-campaigns") },
        transactional: { push: localQueueUrl("push-transactional") },
      },
      isCampaign: (journeyId) => journeyId === "member-day",
    });
    // Act
    await sink.deliverAll([
      message("member-day", "push", "u-1"),
      message("new-user-coupon", "push", "u-2"),
      message("payment-failed", "push", "u-3", "service"),
      message("member-day", "push", "u-4", "service"),
      message("member-day", "email", "u-5"),
      message("payment-failed", "email", "u-6", "service"),
    ]);
    // Assess: a campaign's service message is still a campaign's (bulk); a channel without a lane: its one queue.
    const users = (q: LocalQueue) => q.peek().map((m) => JSON.parse(m.body).user);
    expect(users(pushCampaigns)).toEqual(["u-1", "u-4"]);
    expect(users(pushTransactional)).toEqual(["u-3"]);
    expect(users(push)).toEqual(["u-2"]);
    expect(users(email)).toEqual(["u-5", "u-6"]);
  });
});
