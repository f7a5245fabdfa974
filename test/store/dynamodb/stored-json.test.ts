import { createHash } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { Profile, RunRecord } from "../../../functions/engine/model.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { CURRENT_DICTIONARY, JSON_DICTIONARIES } from "../../../functions/store/dynamodb/json-dictionary.ts";
import { decodeJson, encodeJson } from "../../../functions/store/dynamodb/records.ts";
import { keys } from "../../../functions/store/dynamodb/table.ts";
import { freshTable } from "../../setup/dynalite.ts";

/** A run record as the seed journeys save it: a coupon issued, a push deferred by the quiet hours, its journal. */
const record: RunRecord = JSON.parse(
  JSON.stringify({
    journeyId: "dormancy-reactivation",
    key: "u_000006",
    entries: 1,
    recentEventIds: ["49fdfed1-5880-46d2-ac5d-24fa0ca2177a"],
    lastEnteredAt: "2026-11-02T19:20:13Z",
    run: {
      runId: "dormancy-reactivation:u_000006:1",
      journeyId: "dormancy-reactivation",
      version: 2,
      key: "u_000006",
      userId: "u_000006",
      holdout: false,
      status: "active",
      enteredAt: "2026-11-02T19:20:13Z",
      seq: 5,
      outputs: {},
      coupon: {
        couponId: "cpn.dormancy-reactivation.2.issue-comeback-coupon.cisbpvovdv",
        code: "BACK5ZTTJSWM",
        amountOff: 30,
        currency: "CNY",
        freeShipping: true,
        minSpend: 99,
        expiresAt: "2026-11-16T19:20:13Z",
      },
      stepId: "wait-7-days",
      wake: { at: "2026-11-10T01:00:40Z", seq: 5 },
    },
    journal: ["journey.entered", "coupon.issued", "message.deferred"].map((type, i) => ({
      at: "2026-11-02T19:20:13Z",
      journey: "dormancy-reactivation",
      version: 2,
      user: "u_000006",
      run: "dormancy-reactivation:u_000006:1",
      type,
      id: `dormancy-reactivation:u_000006:1:${i}:${type.split(".")[0]}`,
    })),
  }),
);

describe("stored JSON: deflated against the preset dictionary", () => {
  it("keeps dictionary 1 as shipped: items written against it must stay readable", () => {
    // Prepare / Act
    const digest = createHash("sha256")
      .update(JSON_DICTIONARIES[1] ?? Buffer.alloc(0))
      .digest("hex");
    // Assess: to change the dictionary, add dictionary 2 and write against it; never edit this one.
    expect(CURRENT_DICTIONARY).toBe(1);
    expect(digest).toBe("08d6d22cde4127429f31680d0d3670e522451c75f0c4af765039f64c242e9d59");
  });

  it("writes a long value against the dictionary, smaller than deflate alone, and reads it back", () => {
    // Prepare
    const alone = deflateRawSync(JSON.stringify(record));
    // Act
    const encoded = encodeJson("doc", record);
    // Assess
    expect(Object.keys(encoded)).toEqual(["z1doc"]);
    expect((encoded.z1doc as Uint8Array).length).toBeLessThan(alone.length * 0.8);
    expect(decodeJson(encoded, "doc")).toEqual(record);
  });

  it("reads items deflated without a dictionary, as written before it, and rewrites them in the new form", async () => {
    // Prepare: a record and a user's item as stored before the dictionary (`zdoc`, `zsends`).
    const { client, tableName } = await freshTable();
    const store = new DynamoDbStore(client, { tableName });
    const profile: Profile = {
      userId: "u_000006",
      attributes: { note: "x".repeat(400) },
      consent: {},
      orderCount: 0,
      totalSpent: 0,
    };
    const old = (value: unknown) => deflateRawSync(JSON.stringify(value));
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.run(record.journeyId, record.key), rev: 1, mv: 1, zdoc: old(record) },
      }),
    );
    await client.send(
      new PutCommand({ TableName: tableName, Item: { ...keys.user("u_000006"), rev: 1, mv: 1, zdoc: old(profile) } }),
    );
    // Act
    const readRecord = await store.getRecord(record.journeyId, record.key, { consistent: true });
    const readUser = await store.getUser("u_000006", { consistent: true });
    await store.putUser("u_000006", { profile: { ...profile, orderCount: 1 } }, 1);
    const rewritten = (await client.send(new GetCommand({ TableName: tableName, Key: keys.user("u_000006") }))).Item;
    // Assess: read as saved; the rewrite leaves the old form behind.
    expect(readRecord?.value).toEqual(record);
    expect(readUser?.value.profile).toEqual(profile);
    expect(Object.keys(rewritten ?? {}).sort()).toEqual(["mv", "pk", "rev", "sk", "z1doc"]);
    expect((await store.getProfile("u_000006"))?.value.orderCount).toBe(1);
  });
});
