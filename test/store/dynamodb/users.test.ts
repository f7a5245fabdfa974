import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import type { Profile, SentMessage } from "../../../functions/engine/model.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { keys } from "../../../functions/store/dynamodb/table.ts";
import { freshTable } from "../../setup/dynalite.ts";

async function newStore() {
  const { client, tableName } = await freshTable();
  return { store: new DynamoDbStore(client, { tableName }), client, tableName };
}

const profile: Profile = {
  userId: "u1",
  attributes: {},
  consent: {},
  orderCount: 1,
  totalSpent: 20,
  recentEventIds: [],
};

const sends = (count: number): SentMessage[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `welcome:u1:1:${i + 1}:message`,
    at: `2026-11-25T0${i % 10}:00:00Z`,
    journeyId: "welcome",
    channel: "push",
    category: "marketing",
  }));

describe("DynamoDbStore: a user's item (profile and recent sends)", () => {
  it("keeps the profile and the sends in one item, with one write for both and no expiry", async () => {
    // Prepare
    const { store, client, tableName } = await newStore();
    // Act
    await store.putUser("u1", { profile, sends: sends(1) }, undefined);
    const item = (await client.send(new GetCommand({ TableName: tableName, Key: keys.user("u1") }))).Item;
    // Assess
    expect(item).toMatchObject({ pk: "USER#u1", sk: "PROFILE", rev: 1, mv: 1 });
    expect(item?.ttl).toBeUndefined();
    expect(store.capacity.putUser).toMatchObject({ requests: 1, write: 1 });
    expect((await store.getUser("u1", { consistent: true }))?.value).toEqual({ profile, sends: sends(1) });
  });

  it("switches a part between its plain and deflated forms without leaving the other behind", async () => {
    // Prepare: a short log (plain JSON), then one long enough to be deflated, then a short one again.
    const { store, client, tableName } = await newStore();
    const raw = async () => (await client.send(new GetCommand({ TableName: tableName, Key: keys.user("u1") }))).Item;
    // Act
    const first = await store.putUser("u1", { sends: sends(1) }, undefined);
    const plain = await raw();
    const second = await store.putUser("u1", { sends: sends(8) }, first);
    const packed = await raw();
    await store.putUser("u1", { sends: sends(1) }, second);
    const plainAgain = await raw();
    // Assess
    expect(typeof plain?.sends).toBe("string");
    expect(packed?.z1sends).toBeInstanceOf(Uint8Array);
    expect(packed?.sends).toBeUndefined();
    expect(plainAgain?.z1sends).toBeUndefined();
    expect((await store.getUser("u1", { consistent: true }))?.value.sends).toEqual(sends(1));
  });
});
