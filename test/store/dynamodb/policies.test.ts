import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../../functions/engine/model.ts";
import { parsePolicyConfig } from "../../../functions/engine/policies/config.ts";
import { JourneyRuntime } from "../../../functions/runtime/journey-runtime.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { at, journey, shopEvent } from "../../engine/fixtures.ts";
import { freshTable } from "../../setup/dynalite.ts";
import { handedOnJournal } from "../../support/journal.ts";
import { raceNextTwoUserReads } from "../../support/race.ts";

/**
 * The policies' cross-journey state on DynamoDB, under concurrency: two function instances running two
 * journeys for one user in the same second; many runs charging one coupon budget at once.
 */

const NOON = "2026-11-25T04:00:00Z";
/** One marketing push per user in any 4 hours, no quiet hours: the cap two journeys race for. */
const ONE_PUSH = parsePolicyConfig({
  quietHours: null,
  caps: [{ id: "one-push", max: 1, per: "PT4H", scope: "channel" }],
});

async function newStore() {
  const { client, tableName } = await freshTable();
  return new DynamoDbStore(client, { tableName, clock: () => at(NOON) });
}

/** A function instance of its own: a runtime over the shared table, keeping what it delivered. */
function instance(store: DynamoDbStore, journeys: Parameters<typeof journey>[0][]) {
  const delivered: JourneyEffect[] = [];
  const runtime = new JourneyRuntime({
    catalog: new JourneyCatalog(journeys.map((definition) => journey(definition))),
    store,
    sink: { deliver: async (effect) => void delivered.push(effect) },
    publisher: { publish: async () => undefined },
    policies: ONE_PUSH,
  });
  return { runtime, delivered };
}

const pusher = (id: string, detailType: string, whenCapped: "defer" | "drop") => ({
  id,
  trigger: { type: "event" as const, pattern: { "detail-type": [detailType] } },
  policy: { whenCapped },
  start: "push",
  steps: [{ id: "push", type: "send" as const, channel: "push", template: "hello" }],
});

describe("policies on DynamoDB", () => {
  it.each(["defer", "drop"] as const)(
    "lets one of two journeys firing in the same second on two instances through a cap of one (the other: %s)",
    async (whenCapped) => {
      // Prepare: both instances read the user's empty send log before either writes.
      const store = await newStore();
      raceNextTwoUserReads(store);
      const welcome = instance(store, [pusher("welcome", "user.registered", whenCapped)]);
      const thanks = instance(store, [pusher("thanks", "order.placed", whenCapped)]);
      // Act
      await Promise.all([
        welcome.runtime.handleEvent(shopEvent("user.registered", NOON, { userId: "u1" }), at(NOON)),
        thanks.runtime.handleEvent(
          shopEvent("order.placed", NOON, { userId: "u1", orderId: "o1", amount: 9, currency: "CNY" }),
          at(NOON),
        ),
      ]);
      // Assess
      const effects = [...welcome.delivered, ...thanks.delivered];
      expect(effects.filter((effect) => effect.type === "message.sent")).toHaveLength(1);
      const heldBack = effects.filter(
        (effect) => effect.type === (whenCapped === "defer" ? "message.deferred" : "message.suppressed"),
      );
      expect(heldBack).toEqual([expect.objectContaining({ reason: "capped", rule: "cap:one-push" })]);
      // One sent; the deferred one holds its place for when its time comes.
      const sends = (await store.getUser("u1", { consistent: true }))?.value.sends ?? [];
      expect(sends.filter((sent) => !sent.held)).toHaveLength(1);
      expect(sends.filter((sent) => sent.held)).toHaveLength(whenCapped === "defer" ? 1 : 0);
      expect(store.capacity.putUser?.conditionFailures).toBe(1);
    },
  );

  it("never charges a coupon budget past its limit, however many runs charge at once", async () => {
    // Prepare: 12 coupons of 20 against a day's budget of 100.
    const store = await newStore();
    const charge = (n: number) =>
      store.chargeCouponBudget({
        journeyId: "welcome",
        day: "2026-11-25",
        couponId: `c${n}`,
        runId: `r${n}`,
        amount: 20,
        limit: 100,
      });
    // Act
    const charged = await Promise.all(Array.from({ length: 12 }, (_, n) => charge(n)));
    // Assess
    expect(charged.filter(Boolean)).toHaveLength(5);
    expect((await store.getCouponBudget("welcome", "2026-11-25", { consistent: true })).spent).toBe(100);
    expect((await store.getCouponBudget("welcome", "2026-11-26")).spent).toBe(0);
  });

  it("keeps each run's journal in its record: one entry per effect, no message text, a redelivery kept once", async () => {
    // Prepare
    const store = await newStore();
    const { runtime } = instance(store, [pusher("welcome", "user.registered", "drop")]);
    const registered = shopEvent("user.registered", NOON, { userId: "u1" });
    const runs = [{ id: "welcome", key: "userId" }];
    // Act: the decision, then the same event delivered again (it decides nothing and hands its outbox on again).
    await runtime.handleEvent(registered, at(NOON));
    await runtime.flush();
    const journal = await handedOnJournal(store, "u1", runs);
    await runtime.handleEvent(registered, at(NOON));
    await runtime.flush();
    // Assess
    expect(journal.map((entry) => entry.type)).toEqual(["journey.entered", "message.sent", "journey.exited"]);
    expect(journal[1]).not.toHaveProperty("text");
    expect(await handedOnJournal(store, "u1", runs)).toEqual(journal);
    expect(await handedOnJournal(store, "u2", runs)).toEqual([]);
  });
});
