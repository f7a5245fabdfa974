import { describe, expect, it } from "vitest";
import { parseEvent, type ShopEvent } from "../../events/catalog.ts";
import { readUserJournal } from "../../functions/runtime/user-journal.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { shopEvent } from "../engine/fixtures.ts";
import { loadSeedJourneys, platformPolicies } from "../scenarios/helpers.ts";
import { type CrashPlan, runWithCrashes } from "../support/crash-harness.ts";

// The shipped journey of one-off service messages, as the platform loads it.
const journeys = loadSeedJourneys().filter((journey) => journey.id === "message-requested");

/** An event as the ingest function reads it: checked by the catalog, which gives a request its id. */
function checked(event: ShopEvent): ShopEvent {
  const result = parseEvent(event);
  if (!result.ok) throw result.error;
  return result.event;
}

const data = { orderId: "SO-1", carrier: "顺丰速运", trackingNumber: "SF1", code: "8-2", location: "菜鸟驿站" };
const request = (id: string, userId: string, template: string, channel: string, time: string) =>
  checked(shopEvent("message.requested", time, { userId, template, channel, data }, id));
// Two requests of one user in the same second, one of them delivered twice, a pickup code to another user, and a
// request of a user who unsubscribed from push.
const events = [
  request("req-1", "u-1", "order-shipped", "push", "2026-11-12T06:30:00Z"),
  request("req-2", "u-1", "order-shipped", "sms", "2026-11-12T06:30:00Z"),
  request("req-1", "u-1", "order-shipped", "push", "2026-11-12T06:30:00Z"),
  request("req-3", "u-2", "pickup-code", "sms", "2026-11-12T06:31:00Z"),
  checked(shopEvent("user.unsubscribed", "2026-11-12T06:31:30Z", { userId: "u-3", channel: "push" }, "unsub-1")),
  request("req-4", "u-3", "order-shipped", "push", "2026-11-12T06:32:00Z"),
];
const until = Date.parse("2026-11-12T07:00:00Z");

const run = (store: MemoryStore, plan?: CrashPlan) =>
  runWithCrashes({ journeys, policies: platformPolicies(), store, events, until, ...(plan ? { plan } : {}) });

/** The ids each user's journal (`nudge why`) holds as done. */
async function journalIds(store: MemoryStore, users: readonly string[]) {
  return Promise.all(
    users.map(async (user) => (await readUserJournal(store, user, journeys)).entries.map((e) => e.id)),
  );
}

describe("message.requested at every crash point: one message per request, journalled, whatever dies where", () => {
  it("sends the three requests of subscribed users once each, and the clean run's effects after dying once at any await point", async () => {
    // Prepare
    const clean = await run(new MemoryStore());
    const messages = [...clean.delivered.values()].filter((effect) => effect.type === "message.sent");
    const points = [...clean.points].flatMap(([point, count]) =>
      Array.from({ length: count }, (_, index) => ({ point, occurrence: index + 1 })),
    );
    // Act / Assess
    expect(messages.map((m) => `${m.user} ${m.type === "message.sent" ? `${m.template} ${m.channel}` : ""}`)).toEqual([
      "u-1 order-shipped push",
      "u-1 order-shipped sms",
      "u-2 pickup-code sms",
    ]);
    for (const { point, occurrence } of points) {
      const store = new MemoryStore();
      const crashed = await run(store, (name, reached) => name === point && reached === occurrence);
      expect(crashed.crashes, `${point} #${occurrence}`).toBe(1);
      expect(crashed.conflicts).toEqual([]);
      expect([...crashed.delivered.keys()].sort()).toEqual([...clean.delivered.keys()].sort());
      const users = ["u-1", "u-2", "u-3"];
      const delivered = users.map((user) =>
        [...crashed.delivered.values()]
          .filter((effect) => effect.user === user)
          .map((effect) => effect.id)
          .sort(),
      );
      expect((await journalIds(store, users)).map((ids) => ids.sort())).toEqual(delivered);
    }
    expect(points.length).toBeGreaterThanOrEqual(10);
  });
});
