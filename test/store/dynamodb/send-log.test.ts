import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { SendLog } from "../../../functions/engine/model.ts";
import { ConcurrencyError } from "../../../functions/shared/errors.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { keys } from "../../../functions/store/dynamodb/table.ts";
import { freshTable } from "../../setup/dynalite.ts";

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
});
