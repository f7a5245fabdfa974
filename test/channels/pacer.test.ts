import { describe, expect, it, vi } from "vitest";
import { instanceRate, Pacer } from "../../functions/channels/pacer.ts";
import { createDeliverHandler, deliverDependencies } from "../../functions/handlers/deliver.ts";
import { captureOutput, lambdaContext, sqsEvent, sqsRecord } from "../handlers/lambda.ts";
import { messageRequest } from "./support.ts";

describe("the channel's rate limit", () => {
  it("shares the channel's rate among the instances its event source may run, and spaces one instance's sends evenly", async () => {
    // Prepare: 10 a second over at most 2 instances: 5 a second, one every 200 ms, for this instance.
    const clock = { now: 1_000 };
    const slots: number[] = [];
    const pacer = new Pacer(
      instanceRate(10, 2),
      () => clock.now,
      async (ms) => {
        slots.push(clock.now + ms);
      },
    );
    // Act: a batch of five taken at once (the handler runs a batch's records together).
    await Promise.all(Array.from({ length: 5 }, () => pacer.take()));
    clock.now = 3_000; // a later batch, after a pause: no debt carried over
    await pacer.take();
    // Assess
    expect(instanceRate(10, 2)).toBe(5);
    expect(slots).toEqual([1_200, 1_400, 1_600, 1_800]);
    expect(slots).not.toContain(3_000);
  });

  it("paces the deliver function: a batch takes as long as the channel's rate asks", async () => {
    // Prepare: 20 a second over 2 instances: 10 a second here. The clock and timers are vitest's, so the
    // time the batch takes is the pacing's alone, whatever else the machine is doing.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const handler = createDeliverHandler(
        deliverDependencies({ CHANNEL: "push", RATE_PER_SECOND: "20", MAX_CONCURRENCY: "2" }),
      );
      const batch = ["u-1", "u-2", "u-3", "u-4", "u-5"].map((user) => sqsRecord(messageRequest(user)));
      // Act
      const started = Date.now();
      const handled = captureOutput(() => handler(sqsEvent(batch), lambdaContext));
      await vi.runAllTimersAsync();
      const { result } = await handled;
      const tookMs = Date.now() - started;
      // Assess: the first goes at once, the fifth 400 ms later.
      expect(result).toEqual({ batchItemFailures: [] });
      expect(tookMs).toBe(400);
    } finally {
      vi.useRealTimers();
    }
  });
});
