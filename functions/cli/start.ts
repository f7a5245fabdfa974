/**
 * `nudge start`: the whole platform on this machine (functions/local/platform.ts) until Ctrl-C. Prints
 * each message delivered as a readable line, and a health line every few seconds when something changed.
 */

import { join, resolve } from "node:path";
import type { WechatCredentials } from "../channels/wechat-token.ts";
import { TEMPLATES_DIR } from "../journey/template-file.ts";
import { readTemplateLibrary, smsTemplateRefs } from "../journey/template-library.ts";
import { readSavedClock, virtualClock, writeSavedClock } from "../local/clock.ts";
import { readableLine } from "../local/outbox.ts";
import { type LocalPlatform, type PlatformHealth, startLocalPlatform } from "../local/platform.ts";
import { utcDay } from "../shared/time.ts";
import { numberOption, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { keepDeployedCopy, loadJourneys } from "./journey-folder.ts";
import { parseCommandArgs } from "./usage.ts";

export const DEFAULT_PORT = 4010;
const HEALTH_EVERY_MS = 5_000;

/** Runs entered (holdouts too) and not yet exited, from the statistics counters. */
export async function runsActive(platform: LocalPlatform, fromDay: string, toDay: string): Promise<number> {
  let active = 0;
  for (const sums of (await platform.totals(fromDay, toDay)).values()) {
    for (const [name, amount] of sums) {
      if (name === "entered" || name === "holdout") active += amount;
      else if (name.startsWith("exited.")) active -= amount;
    }
  }
  return active;
}

export function healthLine(
  now: number,
  health: PlatformHealth,
  active: number | undefined,
  timersPending: number | undefined,
): string {
  const { events, records, queued } = health;
  const parts = [
    `events ${events.received} received (${events.accepted} accepted, ${events.refused} refused)`,
    `runs active ${active ?? "?"}`,
    `timers pending ${timersPending ?? "?"} (${queued.wakeUps} handed on)`,
    `messages ${health.messages}`,
    `errors ${records.failed}`,
    `dead letters ${health.deadLetters}`,
  ];
  return `[${new Date(now).toISOString()}] ${parts.join(" · ")}`;
}

export async function startCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("start", args);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const port = numberOption(values, "port", 0, 65_535) ?? DEFAULT_PORT;
  const speed = numberOption(values, "speed", 1, 10_000_000) ?? 1;
  const dir = resolve(io.cwd, values.get("dir") ?? ".nudge");
  const startText = values.get("start");
  const startAt = startText === undefined ? undefined : Date.parse(startText);
  if (startAt !== undefined && Number.isNaN(startAt)) throw new UsageError(`--start: expected an ISO-8601 time`);
  if (startAt !== undefined && speed === 1)
    throw new UsageError("--start needs --speed (at speed 1 the clock is real)");
  // Where the webhook channels (push, sms, wechat) POST: the option, or the environment; none: the outbox.
  const webhookUrl = values.get("webhook-url") ?? (process.env.NUDGE_WEBHOOK_URL || undefined);
  if (webhookUrl !== undefined && !/^https?:\/\/\S+$/.test(webhookUrl)) {
    throw new UsageError(`--webhook-url: expected an http(s) URL, got "${webhookUrl}"`);
  }
  const journeyDir = resolve(io.cwd, values.get("journeys") ?? "journeys");
  const loaded = await loadJourneys(journeyDir, io);
  if (loaded === undefined) return ExitCode.failed;
  const { journeys, policies, traits } = loaded;
  // SMS through Alibaba Cloud SMS (against its local stand-in) with the approved signature, as on AWS.
  const smsSignName = values.get("sms-sign-name") ?? (process.env.NUDGE_SMS_SIGN_NAME || undefined);
  const sms =
    smsSignName === undefined
      ? undefined
      : {
          signName: smsSignName,
          templates: smsTemplateRefs(await readTemplateLibrary(join(journeyDir, TEMPLATES_DIR), io.cwd)),
          credentials: process.env.NUDGE_ALIBABA_SMS_CREDENTIALS || undefined,
        };

  const clockPath = join(dir, "clock.json");
  const saved = readSavedClock(clockPath);
  const clock = speed === 1 ? virtualClock(1) : virtualClock(speed, startAt ?? saved.now ?? Date.now());
  const firstDay = saved.firstDay ?? utcDay(clock.now());
  const platform = await startLocalPlatform({
    dir,
    journeys,
    policies,
    ...(traits === undefined ? {} : { traits }),
    port,
    clock: clock.now,
    speed,
    // Another DynamoDB (DynamoDB Local, AWS) instead of the embedded one: the option, or the environment.
    dynamodbEndpoint: values.get("dynamodb-endpoint") ?? process.env.NUDGE_DYNAMODB_ENDPOINT,
    onMessage: (line) => io.stdout(readableLine(line)),
    webhookUrl,
    webhookSecret: process.env.NUDGE_WEBHOOK_SECRET || undefined,
    unsubscribeSecret: process.env.NUDGE_UNSUBSCRIBE_SECRET || undefined,
    sms,
    wechatApi: wechatApiOf(process.env),
    inboxSecret: process.env.NUDGE_INBOX_SECRET || undefined,
    // The shop's origins whose pages call the inbox API, comma-separated; none: local development servers.
    inboxOrigins: process.env.NUDGE_INBOX_ORIGINS?.split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ""),
  });
  writeSavedClock(clockPath, clock.now(), firstDay);
  keepDeployedCopy(journeyDir, dir);
  io.stdout(
    [
      `Nudge is running: ${journeys.length} journeys, state in ${dir}${speed === 1 ? "" : `, virtual time ×${speed}`}.`,
      `EventBridge endpoint: ${platform.url} (loopback only). Publish with the AWS SDK:`,
      `  new EventBridgeClient({ endpoint: "${platform.url}", region: "local", credentials: { accessKeyId: "x", secretAccessKey: "x" } })`,
      webhookUrl === undefined
        ? "Push and SMS messages go to the outbox (--webhook-url or NUDGE_WEBHOOK_URL to POST them)."
        : `Push and SMS messages are POSTed to ${webhookUrl}, signed (README, Channels).`,
      ...(sms === undefined
        ? []
        : [
            `SMS goes through Alibaba Cloud SMS's SDK to a local stand-in for its endpoint, signed "${sms.signName}" (docs/channels/sms.md).`,
          ]),
      platform.wechat === undefined
        ? `WeChat subscribe messages go to ${process.env.NUDGE_WECHAT_API_URL}.`
        : "WeChat subscribe messages go to a local stand-in for api.weixin.qq.com (docs/channels/wechat.md).",
      `Email is written to ${platform.mailPath}; its unsubscribe links point at ${platform.url}/unsubscribe.`,
      `Inbox messages (pop-ups, cards): GET ${platform.url}/inbox/messages?placement=… with a token (docs/channels/inbox.md).`,
      `Messages are printed here and appended to ${platform.outboxPath}. Ctrl-C stops.`,
    ].join("\n"),
  );

  let last = "";
  const report = async () => {
    const now = clock.now();
    const active = await runsActive(platform, firstDay, utcDay(now)).catch(() => undefined);
    const pending = await platform.store.countPendingWakeUps().catch(() => undefined);
    const line = healthLine(now, platform.health(), active, pending);
    // Only when something changed: the time alone is no news.
    if (line.slice(line.indexOf("]")) !== last) io.stdout(line);
    last = line.slice(line.indexOf("]"));
  };
  let reporting = Promise.resolve();
  const timer = setInterval(() => {
    reporting = reporting.then(report);
  }, HEALTH_EVERY_MS);
  // Virtual time is saved every second: after a crash, a restart at --speed resumes about where it was.
  const saving = setInterval(() => writeSavedClock(clockPath, clock.now(), firstDay), 1_000);

  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolveStop();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  clearInterval(timer);
  clearInterval(saving);
  await reporting;
  io.stdout("Stopping: finishing the batches in hand…");
  await platform.stop();
  writeSavedClock(clockPath, clock.now(), firstDay);
  io.stdout(`Stopped. State kept in ${dir}; \`npm start\` goes on from there.`);
  return ExitCode.ok;
}

/**
 * Another WeChat API than the platform's stand-in: `NUDGE_WECHAT_API_URL`, with the app's credentials as
 * JSON in `NUDGE_WECHAT_CREDENTIALS` (`{"appId": "…", "appSecret": "…"}`).
 */
function wechatApiOf(env: NodeJS.ProcessEnv): { url: string; credentials: WechatCredentials } | undefined {
  const url = env.NUDGE_WECHAT_API_URL || undefined;
  if (url === undefined) return undefined;
  if (!/^https?:\/\/\S+[^/]$/.test(url))
    throw new UsageError(`NUDGE_WECHAT_API_URL: expected an http(s) URL without a trailing /, got "${url}"`);
  let credentials: Partial<WechatCredentials> = {};
  try {
    credentials = JSON.parse(env.NUDGE_WECHAT_CREDENTIALS ?? "{}") as Partial<WechatCredentials>;
  } catch {
    credentials = {};
  }
  const { appId, appSecret } = credentials;
  if (typeof appId !== "string" || typeof appSecret !== "string")
    throw new UsageError(
      'NUDGE_WECHAT_CREDENTIALS: expected {"appId": "…", "appSecret": "…"} with NUDGE_WECHAT_API_URL',
    );
  return { url, credentials: { appId, appSecret } };
}
