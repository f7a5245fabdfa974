import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OPENID_ATTRIBUTE } from "../../functions/channels/wechat.ts";
import { emptyProfile } from "../../functions/engine/context.ts";
import type { Profile } from "../../functions/engine/model.ts";
import { createDeliverHandler } from "../../functions/handlers/deliver.ts";
import { wechatDeliverDependencies } from "../../functions/handlers/deliver-wechat.ts";
import { WechatStandIn } from "../../functions/local/wechat-stand-in.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { captureOutput, lambdaContext, metricSum, sqsEvent } from "../handlers/lambda.ts";
import { freshTable } from "../setup/dynalite.ts";
import { channelQueues, messageRequest } from "./support.ts";

const APP = { appId: "wx81161b1e0fcac95c", appSecret: "3f6e0b9c2d4a8e1f7c5b9d3a6e0f2c4b" };
const TEMPLATE_ID = "vX1MxRmoPiYcPcmQSrmCMePMvVAFhTaDL-nZNQCELDQ";
const OPENID = "oVRgD5dDA58Z52rUCI-pDFBceFsc";
const NOW = Date.parse("2026-11-18T02:14:20Z");

let standIn: WechatStandIn;
let apiBase: string;
beforeEach(async () => {
  standIn = new WechatStandIn(APP);
  apiBase = await standIn.start();
});
afterEach(() => standIn.stop());

/** The WeChat deliver function as on AWS: profiles, ledger and token in a real table (dynalite), WeChat a stand-in. */
async function wechatFunction(profiles: Profile[]) {
  const { client, tableName } = await freshTable();
  const store = new DynamoDbStore(client, { tableName });
  for (const profile of profiles) await store.putUser(profile.userId, { profile }, undefined);
  const queues = channelQueues("delivery-wechat");
  const handler = createDeliverHandler(
    wechatDeliverDependencies(
      {
        TABLE_NAME: tableName,
        CHANNEL: "wechat",
        NUDGE_WECHAT_CREDENTIALS: JSON.stringify(APP),
        WECHAT_API_BASE: apiBase,
        ...queues.env,
      },
      { dynamodb: client, sqs: queues.sqs, clock: () => NOW },
    ),
  );
  const run = (bodies: unknown[]) =>
    captureOutput(
      () => handler(sqsEvent(queues.receive(bodies)), lambdaContext) as Promise<{ batchItemFailures: unknown[] }>,
    );
  return { run, store, queues };
}

const profile = (userId: string): Profile => ({
  ...emptyProfile(userId),
  attributes: { [OPENID_ATTRIBUTE]: OPENID },
  wechatGrants: { [TEMPLATE_ID]: { count: 1 } },
});
const subscribeMessage = (user: string, extra: Record<string, unknown> = {}) =>
  messageRequest(user, {
    channel: "wechat",
    template: "order-paid",
    category: "service",
    params: { "@templateId": TEMPLATE_ID, character_string1: "SO-1", amount2: "¥99" },
    ...extra,
  });

describe("the WeChat deliver function (handler, dynalite, stand-in)", () => {
  it("sends once, even when the request is delivered twice (the ledger), with one token fetched", async () => {
    // Prepare
    const f = await wechatFunction([profile("u-1")]);
    const message = subscribeMessage("u-1");

    // Act
    const first = await f.run([message]);
    const again = await f.run([message]);

    // Assess
    expect([first.result.batchItemFailures, again.result.batchItemFailures]).toEqual([[], []]);
    expect(standIn.sent).toEqual([
      expect.objectContaining({ touser: OPENID, template_id: TEMPLATE_ID, data: expect.any(Object) }),
    ]);
    expect(standIn.tokenRequests).toBe(1);
    expect(metricSum(first.lines, "MessagesDelivered")).toBe(1);
    expect(metricSum(again.lines, "MessagesSkipped")).toBe(1);
  });

  it("dead-letters a refused message with WeChat's errcode and answer, and clears the user's grants", async () => {
    // Prepare
    const f = await wechatFunction([profile("u-2")]);
    standIn.refuse(OPENID, TEMPLATE_ID);
    const message = subscribeMessage("u-2");

    // Act
    const { result, lines } = await f.run([message]);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const [dead] = f.queues.deadLetter.peek();
    expect(dead?.attributes).toMatchObject({
      "nudge-failure": { DataType: "String", StringValue: "refused" },
      "nudge-code": { DataType: "String", StringValue: "43101" },
      "nudge-response": {
        DataType: "String",
        StringValue: '{"errcode":43101,"errmsg":"user refuse to accept the msg"}',
      },
    });
    expect(metricSum(lines, "MessagesRefused")).toBe(1);
    const grants = (await f.store.getProfile("u-2", { consistent: true }))?.value.wechatGrants;
    expect(grants?.[TEMPLATE_ID]).toEqual({ count: 0, clearedAt: "2026-11-18T02:14:20Z" });
  });

  it("backs off a message WeChat is too busy for (errcode -1), for the queue to deliver it again", async () => {
    // Prepare
    const f = await wechatFunction([profile("u-3")]);
    standIn.failNext(-1);

    // Act
    const { result } = await f.run([subscribeMessage("u-3")]);

    // Assess
    expect(result.batchItemFailures).toHaveLength(1);
    expect(f.queues.deadLetter.peek()).toEqual([]);
  });
});
