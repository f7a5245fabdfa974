import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { TraitsFile } from "../../functions/engine/traits/config.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, shopEvent } from "../engine/fixtures.ts";

/** A spend trait and a segment on it: 500 CNY or more. */
const TRAITS: TraitsFile = {
  traits: { spendTotal: { kind: "sum", event: "order.placed", field: "amount" } },
  segments: {
    big: {
      id: "big",
      name: "Big spenders",
      condition: { profile: { traits: { spendTotal: [{ numeric: [">=", 500] }] } } },
    },
  },
};

function platform(store: MemoryStore, options: { dies?: boolean } = {}) {
  const published: ShopEvent[] = [];
  const runtime = new JourneyRuntime({
    catalog: new JourneyCatalog([]),
    store,
    traits: TRAITS,
    sink: { deliver: () => undefined },
    publisher: {
      publish: (event) => {
        if (options.dies) throw new Error("simulated crash after the profile's write");
        published.push(event);
        return undefined;
      },
    },
  });
  return { runtime, published };
}

const order = shopEvent("order.placed", "2026-11-01T02:00:00Z", {
  userId: "u1",
  orderId: "o1",
  amount: 600,
  currency: "CNY",
});

describe("a profile's segment changes, exactly once", () => {
  it("hands on a segment entry saved with the profile when the process died before handing it on", async () => {
    // Prepare: the publisher dies the first time, after the profile (with its outbox) was written.
    const store = new MemoryStore();
    const dying = platform(store, { dies: true });

    // Act: the crash; then the platform delivers the order again, to a fresh process.
    await expect(dying.runtime.handleEvent(order, at(order.time))).rejects.toThrow("simulated crash");
    const saved = (await store.getUser("u1"))?.value;
    const fresh = platform(store);
    await fresh.runtime.handleEvent(order, at(order.time));
    await fresh.runtime.handleEvent(order, at(order.time));

    // Assess: the entry was committed with the profile, then handed on once by the redelivery; the index has it.
    expect(saved?.profile?.segments).toEqual(["big"]);
    expect(saved?.outbox?.events.map((e) => e["detail-type"])).toEqual(["segment.entered"]);
    expect(fresh.published.map((e) => [e["detail-type"], e.detail.segment])).toEqual([["segment.entered", "big"]]);
    expect(await store.countSegmentMembers("big")).toBe(1);
  });

  it("removes the outbox with the user's next write, once it was handed on", async () => {
    // Prepare
    const store = new MemoryStore();
    const { runtime, published } = platform(store);
    const second = shopEvent("order.placed", "2026-11-02T02:00:00Z", {
      userId: "u1",
      orderId: "o2",
      amount: 50,
      currency: "CNY",
    });

    // Act
    await runtime.handleEvent(order, at(order.time));
    await runtime.handleEvent(second, at(second.time));

    // Assess
    expect(published).toHaveLength(1);
    expect((await store.getUser("u1"))?.value.outbox).toBeUndefined();
  });
});
