import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MessageRequest } from "../../functions/channels/channel.ts";
import { PermanentDeliveryError, RetryableDeliveryError } from "../../functions/channels/errors.ts";
import { OPENID_ATTRIBUTE, WechatSubscribeChannel } from "../../functions/channels/wechat.ts";
import { WechatAccessToken } from "../../functions/channels/wechat-token.ts";
import { emptyProfile } from "../../functions/engine/context.ts";
import type { Profile } from "../../functions/engine/model.ts";
import { WechatStandIn } from "../../functions/local/wechat-stand-in.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { messageRequest } from "./support.ts";

const APP = { appId: "wx81161b1e0fcac95c", appSecret: "3f6e0b9c2d4a8e1f7c5b9d3a6e0f2c4b" };
const TEMPLATE_ID = "vX1MxRmoPiYcPcmQSrmCMePMvVAFhTaDL-nZNQCELDQ";
const OPENID = "oVRgD5dDA58Z52rUCI-pDFBceFsc";
const NOW = Date.parse("2026-11-18T02:14:20Z");

/** An order-shipped subscribe message as the engine renders it from a template file's `wechat` block. */
const shipped = (extra: Record<string, unknown> = {}): MessageRequest =>
  messageRequest("u_102938", {
    channel: "wechat",
    template: "order-shipped",
    category: "service",
    text: "您的订单 SO-20261118-0042 已发货",
    params: {
      "@templateId": TEMPLATE_ID,
      "@page": "pages/order/detail?id=SO-20261118-0042",
      character_string1: "SO-20261118-0042",
      thing2: "顺丰速运",
      date3: "2026年11月18日 10:14",
    },
    ...extra,
  }) as MessageRequest;

let standIn: WechatStandIn;
let apiBase: string;
beforeEach(async () => {
  standIn = new WechatStandIn(APP);
  apiBase = await standIn.start();
});
afterEach(() => standIn.stop());

async function channelWith(profile: Profile | undefined) {
  const store = new MemoryStore();
  if (profile !== undefined) await store.putUser(profile.userId, { profile }, undefined);
  const token = new WechatAccessToken({ store, apiBase, credentials: async () => APP, clock: () => NOW });
  const channel = new WechatSubscribeChannel({ apiBase, token, profiles: store, users: store, clock: () => NOW });
  return { store, channel };
}

const withOpenid = (grants?: Profile["wechatGrants"]): Profile => ({
  ...emptyProfile("u_102938"),
  attributes: { [OPENID_ATTRIBUTE]: OPENID },
  ...(grants === undefined ? {} : { wechatGrants: grants }),
});

describe("the WeChat subscribe message channel", () => {
  it("sends the rendered keywords to subscribe/send with the user's openid, the template and the page", async () => {
    // Prepare
    const { channel } = await channelWith(withOpenid());

    // Act
    const result = await channel.send(shipped());

    // Assess
    expect(result).toBeUndefined();
    expect(standIn.sent).toEqual([
      {
        touser: OPENID,
        template_id: TEMPLATE_ID,
        page: "pages/order/detail?id=SO-20261118-0042",
        data: {
          character_string1: { value: "SO-20261118-0042" },
          thing2: { value: "顺丰速运" },
          date3: { value: "2026年11月18日 10:14" },
        },
        miniprogram_state: "formal",
        lang: "zh_CN",
      },
    ]);
    expect(standIn.tokenRequests).toBe(1);
  });

  it("skips a user with no openid, and a marketing message to a user who left the channel", async () => {
    // Prepare
    const none = await channelWith(emptyProfile("u_102938"));
    const left = await channelWith({
      ...withOpenid(),
      consent: { wechat: { subscribed: false, at: "2026-11-17T00:00:00Z" } },
    });

    // Act
    const results = [await none.channel.send(shipped()), await left.channel.send(shipped({ category: "marketing" }))];

    // Assess
    expect(results).toEqual([{ skipped: "no-address" }, { skipped: "unsubscribed" }]);
    expect(standIn.sent).toEqual([]);
  });

  it("refreshes a token WeChat no longer takes (40001), with force_refresh, and sends once with the new one", async () => {
    // Prepare: the first send fetches a token; then another server forces a refresh.
    const { channel } = await channelWith(withOpenid());
    await channel.send(shipped());
    standIn.invalidateToken();

    // Act
    await channel.send(shipped({ id: "new-user-coupon:u_102938:1:4:message" }));

    // Assess
    expect(standIn.sent).toHaveLength(2);
    expect(standIn.tokenRequests).toBe(2);
  });

  it("clears the user's grants of the template when WeChat answers 43101, and refuses the message for good", async () => {
    // Prepare
    const { channel, store } = await channelWith(withOpenid({ [TEMPLATE_ID]: { count: 2 }, other: { count: 1 } }));
    standIn.refuse(OPENID, TEMPLATE_ID);

    // Act
    const error = await channel.send(shipped()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).refusal).toMatchObject({ status: 200, code: "43101" });
    const profile = (await store.getUser("u_102938"))?.value.profile;
    expect(profile?.wechatGrants).toEqual({
      [TEMPLATE_ID]: { count: 0, clearedAt: "2026-11-18T02:14:20Z" },
      other: { count: 1 },
    });
  });

  it.each([
    [47003, PermanentDeliveryError],
    [40003, PermanentDeliveryError],
    [40037, PermanentDeliveryError],
    [45009, RetryableDeliveryError],
    [-1, RetryableDeliveryError],
  ])("maps errcode %i to %o", async (errcode, kind) => {
    // Prepare
    const { channel } = await channelWith(withOpenid());
    standIn.failNext(errcode);

    // Act
    const error = await channel.send(shipped()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(kind);
    expect(standIn.sent).toEqual([]);
  });

  it("refuses a message whose template has no wechat block, without calling WeChat", async () => {
    // Prepare
    const { channel } = await channelWith(withOpenid());

    // Act
    const error = await channel.send(shipped({ params: undefined })).catch((e: unknown) => e);

    // Assess
    expect((error as PermanentDeliveryError).refusal.code).toBe("no-wechat-template");
    expect(standIn.tokenRequests).toBe(0);
  });
});
