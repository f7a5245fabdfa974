import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WechatAccessToken } from "../../functions/channels/wechat-token.ts";
import { WechatStandIn } from "../../functions/local/wechat-stand-in.ts";
import type { SharedValueStore } from "../../functions/runtime/ports.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { freshTable } from "../setup/dynalite.ts";

const APP = { appId: "wx81161b1e0fcac95c", appSecret: "3f6e0b9c2d4a8e1f7c5b9d3a6e0f2c4b" };
const NOW = Date.parse("2026-11-18T02:14:20Z");
/** Instances of the channel's function starting at once (a queue's backlog at maximum concurrency). */
const INSTANCES = 12;

let standIn: WechatStandIn;
let apiBase: string;
beforeEach(async () => {
  standIn = new WechatStandIn(APP);
  apiBase = await standIn.start();
});
afterEach(() => standIn.stop());

/** An instance's token: its own cache, the shared store; waiting yields without a timer. */
const instance = (store: SharedValueStore, clock: () => number = () => NOW) =>
  new WechatAccessToken({
    store,
    apiBase,
    credentials: async () => APP,
    clock,
    sleep: () => new Promise((resolve) => setImmediate(resolve)),
  });

const stores: [string, () => Promise<SharedValueStore>][] = [
  ["memory", async () => new MemoryStore()],
  [
    "DynamoDB (dynalite)",
    async () => {
      const { client, tableName } = await freshTable();
      return new DynamoDbStore(client, { tableName });
    },
  ],
];

describe.each(stores)("the shared WeChat access token on the %s store", (_name, makeStore) => {
  it("is fetched once when many instances need it at the same moment, and they all use it", async () => {
    // Prepare
    const store = await makeStore();
    const tokens = Array.from({ length: INSTANCES }, () => instance(store));

    // Act
    const got = await Promise.all(tokens.map((token) => token.get()));

    // Assess
    expect(standIn.tokenRequests).toBe(1);
    expect(new Set(got)).toEqual(new Set(["stand-in-token-1"]));
  });

  it("is refreshed once, with force_refresh, when instances all find WeChat refusing it", async () => {
    // Prepare: every instance holds the token; then WeChat stops taking it.
    const store = await makeStore();
    const tokens = Array.from({ length: INSTANCES }, () => instance(store));
    await Promise.all(tokens.map((token) => token.get()));
    standIn.invalidateToken();

    // Act: each instance was refused, says so, and asks again.
    const got = await Promise.all(
      tokens.map(async (token) => {
        await token.invalidate("stand-in-token-1");
        return token.get();
      }),
    );

    // Assess: one more stable_token call, forced (the stand-in's token moved on once, by that call).
    expect(standIn.tokenRequests).toBe(2);
    expect(new Set(got)).toEqual(new Set(["stand-in-token-3"]));
  });

  it("is fetched again, by one instance, once it is within five minutes of its expiry", async () => {
    // Prepare: the token is fetched at NOW; two hours less four minutes later it is nearly expired.
    const store = await makeStore();
    await instance(store).get();
    const later = NOW + 7200_000 - 4 * 60_000;

    // Act
    const got = await Promise.all([instance(store, () => later).get(), instance(store, () => later).get()]);

    // Assess: normal mode (the stand-in gives the same token while it is valid), one call.
    expect(standIn.tokenRequests).toBe(2);
    expect(got).toEqual(["stand-in-token-1", "stand-in-token-1"]);
  });
});
