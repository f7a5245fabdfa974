/**
 * The Lambda functions' bundles: size (minified, as the CDK app builds them) and cold init, the time a
 * fresh Node.js process takes to load a bundle (module evaluation: the AWS SDK clients, Powertools, the
 * configuration, and for ingest the journeys parsed and compiled), the median of several processes: wall
 * time, and CPU time (user + system), which another process on the machine hardly changes.
 * Each function is measured as deployed (AWS SDK bundled in) and, for comparison, with the SDK left to
 * the Lambda runtime's copy (loaded here from node_modules).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Journey } from "../functions/language/schema.ts";
import { bundleHandler, HANDLERS, type HandlerName } from "../lib/bundling.ts";

export const BUNDLE_TARGETS = { bytes: 150 * 1024, initMs: 150 };

/** What the functions' environment holds on AWS (no request is made at init). */
const FUNCTION_ENV = {
  AWS_REGION: "cn-north-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  TABLE_NAME: "nudge-bench",
  INGEST_QUEUE_URL: "https://sqs.cn-north-1.amazonaws.com.cn/1/ingest",
  DELIVERY_QUEUE_URLS: JSON.stringify({ push: "https://sqs.cn-north-1.amazonaws.com.cn/1/delivery-push" }),
  EVENT_BUS_NAME: "nudge-bench",
  UNSUBSCRIBE_SECRET_ARN: "arn:aws-cn:secretsmanager:cn-north-1:1:secret:nudge-unsubscribe",
  EMAIL_FROM: "news@shop.example.cn",
  EMAIL_DEFAULT_SUBJECT: "News",
  UNSUBSCRIBE_URL: "https://abc.lambda-url.cn-north-1.on.aws/",
  WAKE_UP_QUEUE_URL: "https://sqs.cn-north-1.amazonaws.com.cn/1/wake-ups",
  SMS_SIGN_NAME: "Nudge",
  ALIBABA_SMS_SECRET_ARN: "arn:aws-cn:secretsmanager:cn-north-1:1:secret:nudge-alibaba-sms",
  WECHAT_SECRET_ARN: "arn:aws-cn:secretsmanager:cn-north-1:1:secret:nudge-wechat",
  INBOX_SECRET_ARN: "arn:aws-cn:secretsmanager:cn-north-1:1:secret:nudge-inbox",
};

export interface BundleFigures {
  handler: HandlerName;
  /** As deployed: minified, the AWS SDK v3 clients bundled in. */
  bytes: number;
  initMs: number;
  initRunsMs: number[];
  /** CPU time (user + system) of the import, median. */
  initCpuMs: number;
  /** The AWS SDK left out (the runtime's copy): the bundle, and its init with the SDK loaded from node_modules. */
  bytesWithoutSdk: number;
  initMsWithoutSdk: number;
  initCpuMsWithoutSdk: number;
}

/** Loads the bundle in a fresh process; the wall and CPU time from before the import to after it, in ms. */
function initOnce(file: string): { wall: number; cpu: number } {
  const script = [
    "const c0 = process.cpuUsage(); const t0 = performance.now();",
    `await import(${JSON.stringify(file)});`,
    "const wall = performance.now() - t0; const c = process.cpuUsage(c0);",
    "process.stdout.write(JSON.stringify({ wall, cpu: (c.user + c.system) / 1000 }));",
  ].join(" ");
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH, ...FUNCTION_ENV },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`bench: ${file} did not load: ${run.stderr}`);
  return JSON.parse(run.stdout) as { wall: number; cpu: number };
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export async function measureBundles(options: {
  root: string;
  journeys: readonly Journey[];
  runs: number;
}): Promise<BundleFigures[]> {
  // Inside the project, so that the SDK-less bundles find @aws-sdk in node_modules.
  const outdir = join(options.root, ".nudge", "bench-bundles");
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const figures: BundleFigures[] = [];
  try {
    for (const handler of Object.keys(HANDLERS) as HandlerName[]) {
      const base = { handler, projectRoot: options.root, journeys: options.journeys };
      const deployed = join(outdir, `${handler}.mjs`);
      const withoutSdk = join(outdir, `${handler}-without-sdk.mjs`);
      const { bytes } = await bundleHandler({ ...base, outfile: deployed });
      const { bytes: bytesWithoutSdk } = await bundleHandler({ ...base, outfile: withoutSdk, awsSdk: "external" });
      // Alternate the two, so that neither gets a warmer disk cache or a quieter machine.
      const runs: { wall: number; cpu: number }[] = [];
      const withoutSdkRuns: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < options.runs; i++) {
        runs.push(initOnce(deployed));
        withoutSdkRuns.push(initOnce(withoutSdk));
      }
      figures.push({
        handler,
        bytes,
        initMs: median(runs.map((r) => r.wall)),
        initRunsMs: runs.map((r) => r.wall),
        initCpuMs: median(runs.map((r) => r.cpu)),
        bytesWithoutSdk,
        initMsWithoutSdk: median(withoutSdkRuns.map((r) => r.wall)),
        initCpuMsWithoutSdk: median(withoutSdkRuns.map((r) => r.cpu)),
      });
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return figures;
}
