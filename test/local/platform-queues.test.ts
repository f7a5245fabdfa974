import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localQueueUrl } from "../../functions/local/local-sqs.ts";
import {
  functionEnvironment,
  guardrailCheckSeconds,
  openPlatformQueues,
} from "../../functions/local/platform-queues.ts";

describe("the local tick's guardrail checks", () => {
  it("checks every tick in real time, once a virtual hour at --speed, and never more than once a real second", () => {
    // Act / Assess: real time; 60x (a virtual hour a real minute); the demo's 43,200x (12 virtual hours a
    // real second); beyond a virtual day a second, once a virtual day.
    expect(guardrailCheckSeconds(1)).toBe(1);
    expect(guardrailCheckSeconds(60)).toBe(3_600);
    expect(guardrailCheckSeconds(43_200)).toBe(43_200);
    expect(guardrailCheckSeconds(200_000)).toBe(86_400);
  });
});

describe("the local platform's delivery lanes", () => {
  it("gives every channel a journeys', a campaigns' and a transactional queue, each named in the ingest function's lane variables", () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "nudge-lanes-"));
    // Act
    const queues = openPlatformQueues({ dir, clock: () => 0, journeys: [] });
    const env = functionEnvironment({
      tableName: "t",
      queues,
      lookaheadSeconds: 5,
      timerShards: 1,
      timerBucketMinutes: 1,
      maxWakeUpsPerTick: 1,
      speed: 1,
    });
    queues.sqs.destroy();
    // Assess
    expect(queues.delivery.filter((d) => d.channel === "push").map((d) => `${d.lane} ${d.queue.name}`)).toEqual([
      "campaigns delivery-push-campaigns",
      "transactional delivery-push-transactional",
      "journeys delivery-push",
    ]);
    const urls = (variable: string) => JSON.parse(env[variable] ?? "{}") as Record<string, string>;
    expect(urls("TRANSACTIONAL_DELIVERY_QUEUE_URLS").push).toBe(localQueueUrl("delivery-push-transactional"));
    expect(urls("CAMPAIGN_DELIVERY_QUEUE_URLS").sms).toBe(localQueueUrl("delivery-sms-campaigns"));
    expect(urls("DELIVERY_QUEUE_URLS").email).toBe(localQueueUrl("delivery-email"));
    rmSync(dir, { recursive: true, force: true });
  });
});
