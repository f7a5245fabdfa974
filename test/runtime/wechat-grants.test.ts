import { describe, expect, it } from "vitest";
import { JourneyCatalog } from "../../functions/engine/catalog.ts";
import type { JourneyEffect } from "../../functions/engine/model.ts";
import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { MemoryStore } from "../../functions/store/memory/memory-store.ts";
import { at, harness, journey, shopEvent } from "../engine/fixtures.ts";
import { freshTable } from "../setup/dynalite.ts";

/**
 * Consent as inventory (engine/policies/grants.ts) as the runtime applies it: grants from
 * `wechat.subscription_granted`, taken by sends on the channel `wechat`, never more sends than grants when
 * several function instances decide for the same user at once.
 */

const TEMPLATE_ID = "vX1MxRmoPiYcPcmQSrmCMePMvVAFhTaDL-nZNQCELDQ";
const TIME = "2026-11-18T02:14:20Z";

/** Each order shipped: a service subscribe message with the order number (a run per order). */
const shippedNotice = journey({
  id: "order-shipped-notice",
  key: "orderId",
  trigger: { type: "event", pattern: { "detail-type": ["order.placed"] } },
  start: "notify",
  steps: [{ id: "notify", type: "send", channel: "wechat", template: "order-shipped", category: "service" }],
  templates: { "order-shipped": { "zh-CN": "订单 {{ trigger.detail.orderId }} 已发货" } },
  templateParams: {
    "order-shipped": {
      wechat: {
        "@templateId": TEMPLATE_ID,
        "@page": "pages/order/detail?id={{ trigger.detail.orderId }}",
        character_string1: "{{ trigger.detail.orderId }}",
        thing2: "{{ trigger.detail.carrier }}",
      },
    },
  },
});

const granted = (count: number, id: string) =>
  shopEvent("wechat.subscription_granted", TIME, { userId: "u1", templateId: TEMPLATE_ID, count }, id);
const order = (n: number, carrier = "顺丰速运") =>
  shopEvent("order.placed", TIME, { userId: "u1", orderId: `SO-${n}`, amount: 99, currency: "CNY", carrier });

const ofType = <T extends JourneyEffect["type"]>(effects: readonly JourneyEffect[], type: T) =>
  effects.filter((effect): effect is Extract<JourneyEffect, { type: T }> => effect.type === type);

const stores: [string, () => Promise<JourneyStore>][] = [
  ["memory", async () => new MemoryStore()],
  [
    "DynamoDB (dynalite)",
    async () => {
      const { client, tableName } = await freshTable();
      return new DynamoDbStore(client, { tableName });
    },
  ],
];

describe.each(stores)("WeChat subscription grants on the %s store", (_name, makeStore) => {
  it("sends no more messages than grants when five instances decide for the user at once", async () => {
    // Prepare: two grants (one event of 1, one of 1, the second delivered twice); five instances.
    const store = await makeStore();
    const catalog = new JourneyCatalog([shippedNotice]);
    const instances = Array.from({ length: 5 }, () => harness(catalog, store));
    const first = instances[0]?.runtime;
    for (const event of [granted(1, "g-1"), granted(1, "g-2"), granted(1, "g-2")])
      await first?.handleEvent(event, at(TIME));

    // Act: five orders shipped at once, each to another instance.
    await Promise.all(instances.map(({ runtime }, n) => runtime.handleEvent(order(n), at(TIME))));

    // Assess
    const delivered = instances.flatMap((instance) => instance.delivered);
    const sent = ofType(delivered, "message.sent");
    expect(sent).toHaveLength(2);
    expect(ofType(delivered, "message.suppressed").map((effect) => [effect.reason, effect.rule])).toEqual(
      Array.from({ length: 3 }, () => ["no-subscription-grant", `wechat-grant:${TEMPLATE_ID}`]),
    );
    const grant = (await store.getUser("u1"))?.value.profile?.wechatGrants?.[TEMPLATE_ID];
    expect(grant?.count).toBe(0);
    expect(new Set(grant?.used)).toEqual(new Set(sent.map((effect) => effect.id)));
  });

  it("renders the keywords and the page into the message's params", async () => {
    // Prepare
    const store = await makeStore();
    const { runtime, delivered } = harness(new JourneyCatalog([shippedNotice]), store);
    await runtime.handleEvent(granted(1, "g-1"), at(TIME));

    // Act
    await runtime.handleEvent(order(7), at(TIME));

    // Assess
    expect(ofType(delivered, "message.sent")[0]?.params).toEqual({
      "@templateId": TEMPLATE_ID,
      "@page": "pages/order/detail?id=SO-7",
      character_string1: "SO-7",
      thing2: "顺丰速运",
    });
  });

  it("suppresses a message whose rendered keyword breaks its type's rule, taking no grant", async () => {
    // Prepare: a carrier's name of 21 characters, for a thing keyword (20 at most).
    const store = await makeStore();
    const { runtime, delivered } = harness(new JourneyCatalog([shippedNotice]), store);
    await runtime.handleEvent(granted(1, "g-1"), at(TIME));

    // Act
    await runtime.handleEvent(order(8, "一二三四五六七八九十一二三四五六七八九十一"), at(TIME));

    // Assess
    expect(ofType(delivered, "message.suppressed")).toEqual([
      expect.objectContaining({ reason: "wechat-data-invalid", rule: "wechat-data:thing2" }),
    ]);
    expect((await store.getUser("u1"))?.value.profile?.wechatGrants?.[TEMPLATE_ID]?.count).toBe(1);
  });
});
