import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import { journeySchema } from "../../functions/language/schema.ts";
import { readOutbox } from "../../functions/local/outbox.ts";
import { type LocalPlatform, startLocalPlatform } from "../../functions/local/platform.ts";
import { until } from "../support/until.ts";

const T0 = Date.parse("2026-11-18T02:00:00Z");
const TEMPLATE_ID = "vX1MxRmoPiYcPcmQSrmCMePMvVAFhTaDL-nZNQCELDQ";
const OPENID = "oVRgD5dDA58Z52rUCI-pDFBceFsc";

/** Each order placed: a service subscribe message with its number and total, as a template file's wechat block gives it. */
const orderNotice = journeySchema.parse({
  id: "order-notice",
  version: 1,
  name: "Order notice",
  key: "orderId",
  trigger: { type: "event", pattern: { "detail-type": ["order.placed"] } },
  start: "notify",
  steps: [{ id: "notify", type: "send", channel: "wechat", template: "order-paid", category: "service" }],
  templates: { "order-paid": { "zh-CN": "订单 {{ trigger.detail.orderId }} 已支付" } },
  templateParams: {
    "order-paid": {
      wechat: {
        "@templateId": TEMPLATE_ID,
        "@page": "pages/order/detail?id={{ trigger.detail.orderId }}",
        character_string1: "{{ trigger.detail.orderId }}",
        amount2: "¥{{ trigger.detail.amount }}",
      },
    },
  },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function start() {
  const platform = await startLocalPlatform({
    dir: mkdtempSync(join(tmpdir(), "nudge-wechat-")),
    journeys: [orderNotice],
    port: 0,
    clock: () => T0,
    tickEveryMs: 20,
  });
  const client = new EventBridgeClient({
    endpoint: platform.url,
    region: "local",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  cleanups.push(async () => {
    client.destroy();
    await platform.stop();
  });
  const publish = (type: string, detail: Record<string, unknown>) =>
    client.send(
      new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: type, Detail: JSON.stringify(detail) }] }),
    );
  return { platform, publish };
}

/** What the order's run did, saved or handed on. */
async function effectsOf(platform: LocalPlatform, orderId: string): Promise<JourneyEffect[] | undefined> {
  const record = (await platform.store.getRecord("order-notice", orderId))?.value;
  if (record === undefined) return undefined;
  return [...(record.journal ?? []), ...(record.pending?.effects ?? [])] as JourneyEffect[];
}

const grantsLeft = async (platform: LocalPlatform) =>
  (await platform.store.getProfile("u1"))?.value.wechatGrants?.[TEMPLATE_ID]?.count;

describe("WeChat subscribe messages on the local platform", () => {
  it("sends a granted message to the stand-in as WeChat takes it, suppresses the next with no grant left, and clears the grants WeChat says the user refused", async () => {
    // Prepare: a user with an openid and one grant.
    const { platform, publish } = await start();
    await publish("user.registered", { userId: "u1", attributes: { wechatOpenId: OPENID } });
    await publish("wechat.subscription_granted", { userId: "u1", templateId: TEMPLATE_ID, count: 1 });
    await until(async () => (await grantsLeft(platform)) === 1);

    // Act: two orders; then a new grant, the user turning the template off in WeChat, a third order.
    await publish("order.placed", { userId: "u1", orderId: "SO-1", amount: 99, currency: "CNY" });
    const sent = await until(() => readOutbox(platform.outboxPath).find((line) => line.user === "u1"));
    await publish("order.placed", { userId: "u1", orderId: "SO-2", amount: 45.5, currency: "CNY" });
    const second = await until(() => effectsOf(platform, "SO-2"));
    await publish("wechat.subscription_granted", { userId: "u1", templateId: TEMPLATE_ID, count: 1 });
    await until(async () => (await grantsLeft(platform)) === 1);
    platform.wechat?.refuse(OPENID, TEMPLATE_ID);
    await publish("order.placed", { userId: "u1", orderId: "SO-3", amount: 12, currency: "CNY" });
    const cleared = await until(async () => (await grantsLeft(platform)) === 0);

    // Assess
    expect(sent).toMatchObject({ via: "wechat", template: "order-paid" });
    expect(platform.wechat?.sent).toEqual([
      {
        touser: OPENID,
        template_id: TEMPLATE_ID,
        page: "pages/order/detail?id=SO-1",
        data: { character_string1: { value: "SO-1" }, amount2: { value: "¥99" } },
        miniprogram_state: "formal",
        lang: "zh_CN",
      },
    ]);
    expect(second?.filter((effect) => effect.type === "message.suppressed")).toEqual([
      expect.objectContaining({ reason: "no-subscription-grant", rule: `wechat-grant:${TEMPLATE_ID}` }),
    ]);
    expect(cleared).toBe(true);
    expect(await until(() => platform.health().deadLetters === 1)).toBe(true);
  });
});
