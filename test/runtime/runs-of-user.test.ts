import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import { JourneyRuntime } from "../../functions/runtime/journey-runtime.ts";
import { readUserJournal } from "../../functions/runtime/user-journal.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { journey, shopEvent } from "../engine/fixtures.ts";

// A welcome coupon with a message (keyed by the user), and a reminder keyed by the coupon it issued.
const welcome = journey({
  id: "welcome-coupon",
  start: "issue",
  steps: [
    {
      id: "issue",
      type: "issue-coupon",
      amountOff: 20,
      currency: "CNY",
      validFor: "P7D",
      codePrefix: "NEW",
      next: "greet",
    },
    { id: "greet", type: "send", channel: "push", template: "hello" },
  ],
});
const reminder = journey({
  id: "coupon-reminder",
  key: "couponId",
  trigger: { type: "event", pattern: { "detail-type": ["coupon.issued"] } },
  start: "later",
  steps: [
    { id: "later", type: "wait", for: "P6D", next: "remind" },
    { id: "remind", type: "send", channel: "push", template: "hello" },
  ],
});
const journeys = [welcome, reminder].map((j) => ({ id: j.id, key: j.key }));

/** A runtime whose emitted events are kept, to be handled as the ingest queue would hand them back. */
function runtimeOver(store: MemoryStore) {
  const emitted: ShopEvent[] = [];
  const runtime = new JourneyRuntime({
    catalog: new JourneyCatalog([welcome, reminder]),
    store,
    sink: { deliver: async () => undefined },
    publisher: { publish: async (event) => void emitted.push(event) },
  });
  return { runtime, emitted };
}

describe("JourneyRuntime: the user's index of runs keyed otherwise", () => {
  it("indexes the run a coupon will start with the write that sends the welcome: its own input writes no user", async () => {
    // Prepare
    const store = new MemoryStore();
    const { runtime, emitted } = runtimeOver(store);
    const registered = shopEvent("user.registered", "2026-11-01T08:00:00Z", { userId: "u1" }, "reg-1");
    // Act: the registration, then the coupon.issued it emitted, as the ingest queue hands it back.
    await runtime.handleEvent(registered, Date.parse(registered.time));
    const issued = emitted.find((event) => event["detail-type"] === "coupon.issued");
    if (issued === undefined) throw new Error("no coupon.issued emitted");
    const userAfterRegistration = store.users.get("u1");
    await runtime.handleEvent(issued, Date.parse(issued.time));
    // Assess: one write to the user in all; the reminder's run is found through it and shows in the journal.
    const couponId = String(issued.detail.couponId);
    expect(userAfterRegistration?.revision).toBe(1);
    expect(store.users.get("u1")?.revision).toBe(1);
    expect(await store.userRuns("u1")).toEqual([{ journeyId: "coupon-reminder", key: couponId }]);
    expect(await store.getRecord("coupon-reminder", couponId)).toBeDefined();
    const { entries } = await readUserJournal(store, "u1", journeys);
    expect(entries.map((entry) => `${entry.journey} ${entry.type}`)).toContain("coupon-reminder journey.entered");
  });

  it("indexes a run keyed otherwise with the user's write before the record, when nothing announced it", async () => {
    // Prepare: a coupon.issued from the shop's own system (no journey of Nudge's issued it).
    const store = new MemoryStore();
    const { runtime } = runtimeOver(store);
    const issued = shopEvent("coupon.issued", "2026-11-01T08:00:00Z", {
      userId: "u2",
      couponId: "SHOP-1",
      code: "SHOP1",
      amountOff: 10,
      currency: "CNY",
      expiresAt: "2026-11-08T08:00:00Z",
    });
    // Act: twice, as a redelivery would.
    await runtime.handleEvent(issued, Date.parse(issued.time));
    await runtime.handleEvent(issued, Date.parse(issued.time));
    // Assess: indexed once, in one write.
    expect(await store.userRuns("u2")).toEqual([{ journeyId: "coupon-reminder", key: "SHOP-1" }]);
    expect(store.users.get("u2")?.revision).toBe(1);
  });
});
