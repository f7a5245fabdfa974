/**
 * The CDK app: reads its settings from context (or the environment), validates the journey files as
 * `nudge validate` does (a journey with a problem fails the synth with the same lines), builds the stack
 * and runs cdk-nag's AwsSolutions rules over it at synth.
 */
import { resolve } from "node:path";
import { App, type AppProps, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { formatProblem, journeyFilesIn } from "../functions/journey/load.ts";
import { migrationPlans, strandedMessage } from "../functions/journey/migration.ts";
import { loadPolicyFile } from "../functions/journey/policy-file.ts";
import { TEMPLATES_DIR } from "../functions/journey/template-file.ts";
import { readTemplateLibrary, smsTemplateRefs } from "../functions/journey/template-library.ts";
import { loadTraitsFile } from "../functions/journey/traits-file.ts";
import { validateJourneyFiles } from "../functions/journey/validate.ts";
import type { Journey } from "../functions/language/schema.ts";
import { SMS_CHANNEL } from "../functions/language/sms-rules.ts";
import { InvalidJourneyError } from "../functions/shared/errors.ts";
import { type ChannelProps, DEFAULT_CHANNELS } from "./channel-props.ts";
import { NudgeStack } from "./nudge-stack.ts";

export interface NudgeAppOptions {
  /** Where the function entries and package-lock.json are. */
  projectRoot: string;
  /** Where `journeysDir` is resolved and journey files are named from, as `nudge validate` does (default: the process's). */
  cwd?: string;
  /** The app's context (tests); `cdk -c key=value` sets it otherwise. */
  context?: AppProps["context"];
  outdir?: string;
  env?: Record<string, string | undefined>;
  /**
   * CDK's built-in CloudFormation schema validation at synth (default true; `cdk synth --no-validation`
   * turns it off too). It takes seconds; tests turn it off and run cfn-lint on one template instead.
   * cdk-nag runs either way.
   */
  builtinValidation?: boolean;
}

/** A setting from context (`-c name=value`), else from the environment variable, else undefined. */
function setting(app: App, name: string, variable: string, env: Record<string, string | undefined>) {
  const value = app.node.tryGetContext(name) ?? env[variable];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw new Error(`context ${name}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Every journey file of the folder, validated; an InvalidJourneyError with `nudge validate`'s lines otherwise,
 * or naming each journey version that removes steps of an older version kept beside it, where its runs
 * wait, without mapping them (functions/journey/migration.ts): those runs would be stranded.
 */
export async function validatedJourneys(dir: string, cwd: string): Promise<Journey[]> {
  let files: string[];
  try {
    files = await journeyFilesIn(resolve(cwd, dir));
  } catch (error) {
    throw new InvalidJourneyError(`cannot read ${dir}/: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (files.length === 0) throw new InvalidJourneyError(`no journey files in ${dir}/`);
  const { journeys, problems } = await validateJourneyFiles(files, cwd);
  if (problems.length > 0) throw new InvalidJourneyError(problems.map(formatProblem).join("\n"));
  const valid = journeys.map((entry) => entry.journey);
  const stranding = migrationPlans(valid).flatMap((plan) => strandedMessage(plan) ?? []);
  if (stranding.length > 0) throw new InvalidJourneyError(stranding.map((message) => `${dir}: ${message}`).join("\n"));
  return valid;
}

export async function createNudgeApp(options: NudgeAppOptions): Promise<{ app: App; stack: NudgeStack }> {
  const env = options.env ?? process.env;
  const app = new App({
    builtinCloudFormationValidation: options.builtinValidation ?? true,
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  });
  const stage = setting(app, "stage", "NUDGE_STAGE", env) ?? "dev";
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage))
    throw new Error(`stage: expected lower-case letters, digits and dashes (at most 20), got ${JSON.stringify(stage)}`);
  const journeysDir = setting(app, "journeysDir", "NUDGE_JOURNEYS_DIR", env) ?? "journeys";
  const cwd = options.cwd ?? process.cwd();
  const journeys = await validatedJourneys(journeysDir, cwd);
  const policy = await loadPolicyFile(resolve(cwd, journeysDir), cwd);
  if (policy.problems.length > 0) throw new InvalidJourneyError(policy.problems.map(formatProblem).join("\n"));
  const traits = await loadTraitsFile(resolve(cwd, journeysDir), cwd);
  if (traits.problems.length > 0) throw new InvalidJourneyError(traits.problems.map(formatProblem).join("\n"));
  const busName = setting(app, "busName", "NUDGE_BUS_NAME", env);
  const alarmEmail = setting(app, "alarmEmail", "NUDGE_ALARM_EMAIL", env);
  // The default channels, with their providers when given: the shop's gateway for the webhook channels,
  // an SES identity (and configuration set) for email. Without them a channel's messages go to the log.
  const webhookUrl = setting(app, "webhookUrl", "NUDGE_WEBHOOK_URL", env);
  const emailFrom = setting(app, "emailFrom", "NUDGE_EMAIL_FROM", env);
  const sesConfigurationSet = setting(app, "sesConfigurationSet", "NUDGE_SES_CONFIGURATION_SET", env);
  // The SMS channel through Alibaba Cloud SMS with its approved signature (else the webhook, as push).
  const smsSignName = setting(app, "smsSignName", "NUDGE_SMS_SIGN_NAME", env);
  const smsTemplates =
    smsSignName === undefined
      ? {}
      : smsTemplateRefs(await readTemplateLibrary(resolve(cwd, journeysDir, TEMPLATES_DIR), cwd));
  const channels = Object.fromEntries(
    Object.entries(DEFAULT_CHANNELS).map(([name, channel]): [string, ChannelProps] => {
      if (name === SMS_CHANNEL && smsSignName !== undefined) {
        const { ratePerSecond } = channel;
        return [name, { provider: "alibaba-sms", ratePerSecond, signName: smsSignName, templates: smsTemplates }];
      }
      if (channel.provider === "webhook")
        return [name, { ...channel, ...(webhookUrl === undefined ? {} : { url: webhookUrl }) }];
      if (channel.provider !== "email") return [name, channel];
      return [
        name,
        {
          ...channel,
          ...(emailFrom === undefined ? {} : { from: emailFrom }),
          ...(sesConfigurationSet === undefined ? {} : { configurationSet: sesConfigurationSet }),
        },
      ];
    }),
  );
  // `-c wechatSubscribe=formal` (or trial, developer): the wechat channel sends mini-program subscribe messages.
  const wechatSubscribe = setting(app, "wechatSubscribe", "NUDGE_WECHAT_SUBSCRIBE", env);
  if (wechatSubscribe !== undefined) {
    if (wechatSubscribe !== "formal" && wechatSubscribe !== "trial" && wechatSubscribe !== "developer")
      throw new Error(`wechatSubscribe: expected formal, trial or developer, got ${JSON.stringify(wechatSubscribe)}`);
    const rate = DEFAULT_CHANNELS.wechat?.ratePerSecond ?? 50;
    channels.wechat = { provider: "wechat-subscribe", ratePerSecond: rate, miniprogramState: wechatSubscribe };
  }
  // The shop's origins whose pages call the inbox API, comma-separated; none: browsers are refused.
  const inboxOrigins = (setting(app, "inboxOrigins", "NUDGE_INBOX_ORIGINS", env) ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  const account = setting(app, "account", "CDK_DEFAULT_ACCOUNT", env);
  const region = setting(app, "region", "CDK_DEFAULT_REGION", env);
  const stack = new NudgeStack(app, `Nudge-${stage}`, {
    description: `Nudge journeys (${stage}): ${journeys.length} journeys`,
    env: { ...(account === undefined ? {} : { account }), ...(region === undefined ? {} : { region }) },
    stage,
    journeys,
    policies: policy.config,
    ...(traits.traits === undefined ? {} : { traits: traits.traits }),
    projectRoot: options.projectRoot,
    ...(busName === undefined ? {} : { busName }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    channels,
    inboxOrigins,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
