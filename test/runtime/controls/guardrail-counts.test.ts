import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../../functions/engine/catalog.ts";
import { MemoryStore } from "../../../functions/store/memory/memory-store.ts";
import { at, harness, journey, shopEvent } from "../../engine/fixtures.ts";

/** The guardrails' numerators: a refund of a converted order and an unsubscribe during a run, each once. */
describe("guardrail counters", () => {
  it("counts a refund after the goal converted once, however often the refund is delivered", async () => {
    // Prepare: a user enters, converts with an order, and the order is refunded; the refund comes twice.
    const guarded = journey({
      guardrails: { maxRefundRate: 0.05 },
      goal: { pattern: { "detail-type": ["order.placed"] }, within: "P7D" },
      start: "wait",
      steps: [{ id: "wait", type: "wait", for: "P3D" }],
    });
    const store = new MemoryStore();
    const { runtime } = harness(new JourneyCatalog([guarded]), store);
    const order = { userId: "u1", orderId: "o1", amount: 99, currency: "CNY" };
    const events = [
      shopEvent("user.registered", "2026-11-25T02:00:00Z", { userId: "u1" }),
      shopEvent("order.placed", "2026-11-25T03:00:00Z", order),
      shopEvent("order.refunded", "2026-11-25T05:00:00Z", { userId: "u1", orderId: "o1", amount: 99 }, "refund-1"),
    ];
    // Act
    for (const event of [...events, events[2]]) if (event) await runtime.handleEvent(event, at(event.time));
    await runtime.flush();
    // Assess
    const counters = await store.readStats("test-journey", "2026-11-25", "2026-11-25");
    expect(counters.find((c) => c.name === "guardrail.refunded")?.amount).toBe(1);
    expect(counters.find((c) => c.name === "goal.converted")?.amount).toBe(1);
  });
});
