import { describe, expect, it } from "vitest";
import type { CouponCharge } from "../../../functions/engine/delivery.ts";
import { MemoryStore } from "../../../functions/engine/memory-store.ts";
import type { JourneyStore } from "../../../functions/engine/store.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { at } from "../../engine/fixtures.ts";
import { freshTable } from "../../setup/dynalite.ts";

/** A charge removes settled markers of its budget item in its own write; a refused charge removes nothing. */

const NOON = "2026-11-25T04:00:00Z";
const DAY = "2026-11-25";

async function dynamoDbStore() {
  const { client, tableName } = await freshTable();
  return new DynamoDbStore(client, { tableName, clock: () => at(NOON) });
}

const stores: [string, () => Promise<JourneyStore>][] = [
  ["the in-memory store", async () => new MemoryStore()],
  ["DynamoDB", dynamoDbStore],
];

const unsettledOn = async (store: JourneyStore) =>
  Object.keys((await store.getCouponBudget("welcome", DAY, { consistent: true })).unsettled).sort();

describe.each(stores)("chargeCouponBudget with settled markers, on %s", (_name, newStore) => {
  const charge = (couponId: string): CouponCharge => ({
    journeyId: "welcome",
    day: DAY,
    couponId,
    runId: `run-${couponId}`,
    amount: 20,
    limit: 40,
  });

  it("removes the settled markers with a charge, and nothing with a refused one", async () => {
    // Prepare: c1 and c2 charged, the day's 40 spent.
    const store = await newStore();
    await store.chargeCouponBudget(charge("c1"));
    await store.chargeCouponBudget(charge("c2"));
    // Act: c3 has no room (c1 settled rides on it); c2 again, charged already (c1 settled rides on it).
    const refused = await store.chargeCouponBudget(charge("c3"), ["c1"]);
    const afterRefused = await unsettledOn(store);
    const again = await store.chargeCouponBudget(charge("c2"), ["c1", "c2"]);
    // Assess
    expect(refused).toBe(false);
    expect(afterRefused).toEqual(["c1", "c2"]);
    expect(again).toBe(true);
    expect(await unsettledOn(store)).toEqual(["c2"]);
    expect((await store.getCouponBudget("welcome", DAY, { consistent: true })).spent).toBe(40);
  });
});
