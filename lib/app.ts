/**
 * The CDK app: reads its settings from context (or the environment), validates the journey files as
 * `nudge validate` does (a journey with a problem fails the synth with the same lines), builds the stack
 * and runs cdk-nag's AwsSolutions rules over it at synth.
 */
import { resolve } from "node:path";
import { App, type AppProps, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { formatProblem, journeyFilesIn } from "../functions/journey/load.ts";
import { loadPolicyFile } from "../functions/journey/policy-file.ts";
import { loadTraitsFile } from "../functions/journey/traits-file.ts";
import { validateJourneyFiles } from "../functions/journey/validate.ts";
import type { Journey } from "../functions/language/schema.ts";
import { InvalidJourneyError } from "../functions/shared/errors.ts";
import { type ChannelProps, DEFAULT_CHANNELS } from "./channels.ts";
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

/** Every journey file of the folder, validated; an InvalidJourneyError with `nudge validate`'s lines otherwise. */
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
  return journeys.map((entry) => entry.journey);
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
  const channels = Object.fromEntries(
    Object.entries(DEFAULT_CHANNELS).map(([name, channel]): [string, ChannelProps] => [
      name,
      channel.provider === "webhook"
        ? { ...channel, ...(webhookUrl === undefined ? {} : { url: webhookUrl }) }
        : channel.provider !== "email"
          ? channel
          : {
              ...channel,
              ...(emailFrom === undefined ? {} : { from: emailFrom }),
              ...(sesConfigurationSet === undefined ? {} : { configurationSet: sesConfigurationSet }),
            },
    ]),
  );
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
