/**
 * How the Lambda functions are bundled: one set of esbuild settings for the CDK app's NodejsFunctions
 * (local esbuild, never Docker) and for `npm run bench -- --only bundles`, which measures the same bundles.
 */
import { join } from "node:path";
import { type BundlingOptions, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import type { TraitsFile } from "../functions/engine/traits/config.ts";
import type { Journey } from "../functions/language/schema.ts";
import { ESM_REQUIRE_BANNER } from "./esm-require-banner.mjs";

/** The functions and their entry files, relative to the project root. */
export const HANDLERS = {
  ingest: "functions/handlers/lambda/ingest.ts",
  tick: "functions/handlers/lambda/tick.ts",
  deliver: "functions/handlers/lambda/deliver.ts",
  deliverEmail: "functions/handlers/lambda/deliver-email.ts",
  unsubscribe: "functions/handlers/lambda/unsubscribe.ts",
  deliverSms: "functions/handlers/lambda/deliver-sms.ts",
  deliverWechat: "functions/handlers/lambda/deliver-wechat.ts",
  deliverInbox: "functions/handlers/lambda/deliver-inbox.ts",
  inboxApi: "functions/handlers/lambda/inbox-api.ts",
} as const;

export type HandlerName = keyof typeof HANDLERS;

/** The Node.js version the bundles target: the Lambda runtime's (lib/functions.ts). */
export const NODE_TARGET = "node22";

// Defined in plain JavaScript, as the CLI's build (bin/build-cli.mjs) uses it too.
export { ESM_REQUIRE_BANNER };

/**
 * The journeys, validated at synth, become the constant NUDGE_JOURNEYS_JSON in every bundle
 * (functions/handlers/journeys.ts): a JSON text that the function parses once at init; the computed
 * traits (journeys/traits.json, validated too) NUDGE_TRAITS_JSON, `null` when there are none.
 */
export function journeysDefine(journeys: readonly Journey[], traits?: TraitsFile): Record<string, string> {
  return {
    NUDGE_JOURNEYS_JSON: JSON.stringify(JSON.stringify(journeys)),
    NUDGE_TRAITS_JSON: JSON.stringify(JSON.stringify(traits ?? null)),
  };
}

/**
 * The settings both builds share. The AWS SDK v3 clients (modular: only DynamoDB, SQS and EventBridge)
 * are bundled in rather than taken from the runtime: the versions the tests ran against, and a cold
 * start about half as long as loading the runtime's copy (docs/benchmarks.md, "Lambda bundles").
 */
export function esbuildSettings(journeys: readonly Journey[], traits?: TraitsFile) {
  return {
    minify: true,
    sourcemap: false,
    target: NODE_TARGET,
    format: "esm" as const,
    platform: "node" as const,
    mainFields: ["module", "main"],
    banner: ESM_REQUIRE_BANNER,
    define: journeysDefine(journeys, traits),
    external: [] as string[],
    alias: CREDENTIALS_ALIAS,
  };
}

/**
 * Lambda hands a function its role's credentials in environment variables: the bundles take the SDK's
 * default credential chain from functions/handlers/lambda/credentials.ts (environment only), which leaves
 * out about 130 KiB of providers never used there.
 */
export const CREDENTIALS_ALIAS = {
  "@aws-sdk/credential-provider-node": "./functions/handlers/lambda/credentials.ts",
};

/** The NodejsFunction bundling options for those settings. */
export function nodejsBundling(journeys: readonly Journey[], traits?: TraitsFile): BundlingOptions {
  const settings = esbuildSettings(journeys, traits);
  return {
    minify: settings.minify,
    sourceMap: settings.sourcemap,
    target: settings.target,
    format: OutputFormat.ESM,
    mainFields: settings.mainFields,
    banner: settings.banner,
    define: settings.define,
    bundleAwsSDK: true,
    externalModules: settings.external,
    esbuildArgs: Object.fromEntries(Object.entries(settings.alias).map(([from, to]) => [`--alias:${from}`, to])),
    forceDockerBundling: false,
  };
}

/**
 * One function's bundle built with the same settings, for the benchmark and the tests. `awsSdk:
 * "external"` leaves the SDK out, as the Lambda runtime's own copy would serve it (the benchmark's
 * comparison; the outfile must then be inside the project, where node_modules resolves).
 */
export async function bundleHandler(options: {
  handler: HandlerName;
  projectRoot: string;
  journeys: readonly Journey[];
  outfile: string;
  awsSdk?: "bundled" | "external";
}): Promise<{ bytes: number; inputs: string[] }> {
  const { build } = await import("esbuild");
  const settings = esbuildSettings(options.journeys);
  const result = await build({
    entryPoints: [join(options.projectRoot, HANDLERS[options.handler])],
    absWorkingDir: options.projectRoot,
    outfile: options.outfile,
    bundle: true,
    minify: settings.minify,
    sourcemap: settings.sourcemap,
    target: settings.target,
    format: settings.format,
    platform: settings.platform,
    mainFields: settings.mainFields,
    banner: { js: settings.banner },
    define: settings.define,
    external: options.awsSdk === "external" ? [...settings.external, "@aws-sdk/*"] : settings.external,
    ...(options.awsSdk === "external" ? {} : { alias: settings.alias }),
    metafile: true,
    logLevel: "warning",
  });
  const output = Object.values(result.metafile.outputs)[0];
  return { bytes: output?.bytes ?? 0, inputs: Object.keys(result.metafile.inputs) };
}
