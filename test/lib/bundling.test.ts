import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundleHandler, esbuildSettings, HANDLERS, type HandlerName, nodejsBundling } from "../../lib/bundling.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { PROJECT_ROOT } from "./synth.ts";

const journeys = loadSeedJourneys();
const outdir = mkdtempSync(join(tmpdir(), "nudge-bundles-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// Each function bundled once for the file, as the CDK app bundles it.
const names = Object.keys(HANDLERS) as HandlerName[];
const bundles = Object.fromEntries(
  await Promise.all(
    names.map(async (handler) => {
      const outfile = join(outdir, `${handler}.mjs`);
      return [
        handler,
        { outfile, ...(await bundleHandler({ handler, projectRoot: PROJECT_ROOT, journeys, outfile })) },
      ];
    }),
  ),
) as Record<HandlerName, { outfile: string; bytes: number; inputs: string[] }>;

describe("the function bundles", () => {
  it("leave out the journey language's zod schema and classic zod; only ingest carries the template engine", () => {
    // Act
    const has = (handler: HandlerName, part: string) => bundles[handler].inputs.some((input) => input.includes(part));
    // Assess
    for (const handler of names) {
      expect(has(handler, "functions/language/schema.ts"), handler).toBe(false);
      expect(has(handler, "zod/v4/classic"), handler).toBe(false);
      expect(has(handler, "zod/v4/mini"), handler).toBe(true);
    }
    expect(has("ingest", "liquidjs")).toBe(true);
    expect(has("tick", "liquidjs")).toBe(false);
    expect(has("deliver", "liquidjs")).toBe(false);
    expect(has("deliver", "@aws-sdk/client-dynamodb")).toBe(false);
    // The webhook channels' function carries neither SES nor DynamoDB; email's carries both.
    expect(has("deliver", "@aws-sdk/client-sesv2")).toBe(false);
    expect(has("deliverEmail", "@aws-sdk/client-sesv2")).toBe(true);
    expect(has("deliverEmail", "@aws-sdk/client-dynamodb")).toBe(true);
    // Alibaba Cloud's SMS SDK only in the SMS channel's function.
    for (const handler of names) expect(has(handler, "@alicloud/pop-core"), handler).toBe(handler === "deliverSms");
    expect(has("deliverSms", "@aws-sdk/client-dynamodb")).toBe(true);
    // The WeChat channel's reads the profile and shares its token through DynamoDB; no SES.
    expect(has("deliverWechat", "@aws-sdk/client-dynamodb")).toBe(true);
    expect(has("deliverWechat", "@aws-sdk/client-sesv2")).toBe(false);
    expect(has("unsubscribe", "@aws-sdk/client-sqs")).toBe(false);
    expect(has("unsubscribe", "@aws-sdk/client-dynamodb")).toBe(false);
    // The inbox: its deliver function writes the table and sends no email; its API sends to no queue.
    expect(has("deliverInbox", "@aws-sdk/client-dynamodb")).toBe(true);
    expect(has("deliverInbox", "@aws-sdk/client-sesv2")).toBe(false);
    expect(has("inboxApi", "@aws-sdk/client-sqs")).toBe(false);
    expect(has("inboxApi", "liquidjs")).toBe(false);
    // Credentials come from Lambda's environment: the SDK's full provider chain stays out.
    for (const handler of names) {
      expect(has(handler, "credential-provider-node"), handler).toBe(false);
      expect(has(handler, "credential-provider-sso"), handler).toBe(false);
      expect(has(handler, "functions/handlers/lambda/credentials.ts"), handler).toBe(true);
    }
  });

  it("are what the NodejsFunctions get: the same esbuild settings", () => {
    // Act
    const settings = esbuildSettings(journeys);
    const cdk = nodejsBundling(journeys);
    // Assess
    expect(cdk).toMatchObject({
      minify: settings.minify,
      target: settings.target,
      format: settings.format,
      mainFields: settings.mainFields,
      banner: settings.banner,
      define: settings.define,
      bundleAwsSDK: true,
      externalModules: [],
      forceDockerBundling: false,
      esbuildArgs: { "--alias:@aws-sdk/credential-provider-node": "./functions/handlers/lambda/credentials.ts" },
    });
  });

  it("start in a fresh Node.js process with the validated journeys embedded, and handle a batch", () => {
    // Prepare: what the functions' environment holds on AWS.
    const env = {
      ...process.env,
      AWS_REGION: "cn-north-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      TABLE_NAME: "nudge-test",
      INGEST_QUEUE_URL: "https://sqs.cn-north-1.amazonaws.com.cn/1/ingest",
      DELIVERY_QUEUE_URLS: JSON.stringify({ push: "https://sqs.cn-north-1.amazonaws.com.cn/1/delivery-push" }),
      EVENT_BUS_NAME: "nudge-test",
      NUDGE_UNSUBSCRIBE_SECRET: "test-secret",
      SMS_SIGN_NAME: "好物商城",
      NUDGE_ALIBABA_SMS_CREDENTIALS: JSON.stringify({ accessKeyId: "test", accessKeySecret: "test" }),
      NUDGE_INBOX_SECRET: "test-inbox-secret",
      EMAIL_FROM: "news@shop.example.cn",
      EMAIL_DEFAULT_SUBJECT: "News",
      UNSUBSCRIBE_URL: "https://abc.lambda-url.cn-north-1.on.aws/",
      NUDGE_WECHAT_CREDENTIALS: JSON.stringify({ appId: "wx0000000000test", appSecret: "test-app-secret" }),
      WAKE_UP_QUEUE_URL: "https://sqs.cn-north-1.amazonaws.com.cn/1/wake-ups",
      POWERTOOLS_LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
    };
    const script = `
      const context = { functionName: "f", awsRequestId: "r", getRemainingTimeInMillis: () => 1000 };
      const [ingest, tick, deliver, deliverEmail, unsubscribe, deliverSms, deliverWechat] = await Promise.all(${JSON.stringify(names.map((n) => bundles[n].outfile))}.map((f) => import(f)));
      const results = [await ingest.handler({ Records: [] }, context), typeof tick.handler, await deliver.handler({ Records: [] }, context), await deliverEmail.handler({ Records: [] }, context), (await unsubscribe.handler({ requestContext: { http: { method: "GET" } } }, context)).statusCode, await deliverSms.handler({ Records: [] }, context), await deliverWechat.handler({ Records: [] }, context)];
      process.stdout.write(JSON.stringify(results));`;
    // Act
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
    // Assess
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([
      { batchItemFailures: [] },
      "function",
      { batchItemFailures: [] },
      { batchItemFailures: [] },
      400, // no token
      { batchItemFailures: [] },
      { batchItemFailures: [] },
    ]);
  });
});
