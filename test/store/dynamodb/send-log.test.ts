import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { emptyProfile } from "../../../functions/engine/context.ts";
import { ConcurrencyError } from "../../../functions/engine/errors.ts";
import type { SendLog } from "../../../functions/engine/model.ts";
import { parseJourneyPolicy, parsePolicyConfig } from "../../../functions/engine/policies/config.ts";
import { reserveDelivery } from "../../../functions/engine/policies/reserve.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { keys } from "../../../functions/store/dynamodb/table.ts";
import { freshTable } from "../../setup/dynalite.ts";
import { raceNextTwoSendLogReads } from "../../support/race.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-25T04:00:00Z");

async function newStore() {
  const { client, tableName } = await freshTable();
  return { store: new DynamoDbStore(client, { tableName, clock: () => NOW }), client, tableName };
}

const log = (...ats: string[]): SendLog => ({
  userId: "u1",
  sends: ats.map((at) => ({ at, journeyId: "welcome", channel: "push", category: "marketing" })),
});

/** One marketing push at most per user in any 4 hours: the cap two journeys race for. */
const oneAtATime = parsePolicyConfig({
  quietHours: null,
  caps: [{ id: "one-push", max: 1, per: "PT4H", scope: "channel" }],
});
const reservation = (journeyId: string, whenCapped: "defer" | "drop") => ({
  message: {
    journeyId,
    channel: "push",
    category: "marketing" as const,
    dueAt: "2026-11-25T04:00:00Z",
  },
  journey: parseJourneyPolicy({ whenCapped }),
  profile: emptyProfile("u1"),
  config: oneAtATime,
});

describe("DynamoDbStore: send logs (the frequency-cap counter)", () => {
  it("saves a new log, reads it back with its revision, and refuses a write on a stale revision", async () => {
    // Prepare
    const { store } = await newStore();
    // Act
    const missing = await store.getSendLog("u1");
    const first = await store.putSendLog(log("2026-11-25T01:00:00Z"), undefined);
    const second = await store.putSendLog(log("2026-11-25T01:00:00Z", "2026-11-25T02:00:00Z"), first);
    const stale = store.putSendLog(log("2026-11-25T03:00:00Z"), first);
    const recreated = store.putSendLog(log("2026-11-25T03:00:00Z"), undefined);
    // Assess
    expect(missing).toBeUndefined();
    expect([first, second]).toEqual([1, 2]);
    await expect(stale).rejects.toThrow(ConcurrencyError);
    await expect(recreated).rejects.toThrow(ConcurrencyError);
    expect(await store.getSendLog("u1", { consistent: true })).toEqual({
      revision: 2,
      value: log("2026-11-25T01:00:00Z", "2026-11-25T02:00:00Z"),
    });
  });

  it("keeps the log beside the profile, expiring the retention after its newest send", async () => {
    // Prepare
    const { store, client, tableName } = await newStore();
    const future = "2026-11-26T00:00:00Z";
    // Act
    await store.putSendLog(log("2026-11-25T01:00:00Z", future), undefined);
    const item = (await client.send(new GetCommand({ TableName: tableName, Key: keys.sendLog("u1") }))).Item;
    // Assess
    expect(item).toMatchObject({ pk: "USER#u1", sk: "SENDS", rev: 1 });
    expect(item?.ttl).toBe(Math.ceil((Date.parse(future) + 400 * DAY) / 1000));
  });

  it.each(["defer", "drop"] as const)(
    "lets only one of two journeys firing at once through a cap of one (the other: %s)",
    async (whenCapped) => {
      // Prepare: both reservations read the empty log before either writes.
      const { store } = await newStore();
      raceNextTwoSendLogReads(store);
      // Act
      const decisions = await Promise.all([
        reserveDelivery(store, reservation("welcome", whenCapped), DAY),
        reserveDelivery(store, reservation("guide", whenCapped), DAY),
      ]);
      // Assess
      expect(decisions.map((d) => d.action).sort()).toEqual([whenCapped, "send"].sort());
      expect(decisions.find((d) => d.action !== "send")).toMatchObject({ reason: "capped", rule: "cap:one-push" });
      const stored = await store.getSendLog("u1", { consistent: true });
      expect(stored?.value.sends).toHaveLength(1);
      expect(store.capacity.putSendLog?.conditionFailures).toBe(1);
    },
  );

  it("lets exactly one of eight journeys firing together through, however their requests interleave", async () => {
    // Prepare
    const { store } = await newStore();
    const journeys = ["a", "b", "c", "d", "e", "f", "g", "h"];
    // Act
    const decisions = await Promise.all(journeys.map((j) => reserveDelivery(store, reservation(j, "drop"), DAY)));
    // Assess
    expect(decisions.filter((d) => d.action === "send")).toHaveLength(1);
    expect(decisions.filter((d) => d.action === "drop")).toHaveLength(7);
    expect((await store.getSendLog("u1", { consistent: true }))?.value.sends).toHaveLength(1);
  });
});
