/**
 * The Lambda functions' configuration: environment variables, checked once at init with a small zod/mini
 * schema per function. A bad or missing variable stops the function at init with every problem named,
 * rather than failing later on the first record.
 */
import * as z from "zod/mini";
import { EVENTBRIDGE_MAX_ENTRY_BYTES, NUDGE_MAX_EVENT_BYTES } from "../../events/limits.ts";
import { DEFAULT_INBOX_RATE } from "../channels/inbox-api.ts";
import { parsePolicyConfig } from "../engine/policies/config.ts";
import { ALIBABA_SMS_ENDPOINT } from "../language/sms-rules.ts";
import { NudgeError } from "../shared/errors.ts";
import { TICK_LOOKAHEAD_SECONDS, TICK_MAX_WAKE_UPS, TICK_SENDS_IN_FLIGHT } from "./batching.ts";

/** A function's environment does not fit its schema. */
export class ConfigError extends NudgeError {}

export type Environment = Record<string, string | undefined>;

const required = () => z.string({ error: "required" }).check(z.minLength(1, "must not be empty"));

/** A whole number from `min` to `max` given as text, or `fallback` when unset. */
const whole = (min: number, max: number, fallback: number) =>
  z.pipe(
    z._default(z.string(), String(fallback)),
    z.transform((text, ctx) => {
      const value = Number(text);
      if (/^\d+$/.test(text) && value >= min && value <= max) return value;
      ctx.issues.push({
        code: "custom",
        input: text,
        message: `expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }),
  );

const url = () =>
  z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, "expected an http(s) URL such as http://127.0.0.1:8000")));

/** What every function that reaches the table needs. */
const tableEnvironment = {
  TABLE_NAME: required(),
  /** Another DynamoDB endpoint (dynalite, DynamoDB Local) for tests; the region's endpoint when unset. */
  DYNAMODB_ENDPOINT: url(),
  /** Clock difference and write visibility allowed for between functions (see DynamoDbStoreConfig.settleMs). */
  SETTLE_SECONDS: whole(0, 600, 60),
  /**
   * Wake-ups due up to this many seconds ahead are handed on by the tick with an SQS delivery delay (SQS:
   * at most 900). Every function that writes wake-ups needs the same value (DynamoDbStoreConfig.lookaheadMs).
   */
  LOOKAHEAD_SECONDS: whole(0, 900, TICK_LOOKAHEAD_SECONDS),
  /**
   * Timer shards per minute bucket (DynamoDbStoreConfig.timerShards). Fixed for the life of a table: the
   * tick reads only the shards it knows. The local platform uses 1 (one process, and a walk of virtual
   * days at --speed reads every bucket).
   */
  TIMER_SHARDS: whole(1, 64, 16),
  /**
   * Minutes a timer bucket holds (DynamoDbStoreConfig.timerBucketMinutes). Fixed for the life of a table, as
   * the shards. The local platform uses 60 (a walk of virtual days at --speed reads every bucket).
   */
  TIMER_BUCKET_MINUTES: whole(1, 1440, 1),
  /**
   * Shards of each statistics counter (DynamoDbStoreConfig.statsShards). Readers must know every shard a
   * writer used: fewer only on a new table (the demo's, whose guardrail checks then read a shard a day).
   */
  STATS_SHARDS: whole(1, 64, 8),
};

const CHANNEL_KEYS = { name: "channel", plural: "channel names", example: "push" };

/**
 * A JSON object of channel names to queue URLs, e.g. `{"push": "https://sqs…/push", "email": "…"}`: one
 * delivery queue per channel (each with its own rate limit, lib/channels.ts).
 */
const queueMap = (keys: { name: string; plural: string; example: string } = CHANNEL_KEYS) =>
  z.pipe(
    z.string({ error: "required" }),
    z.transform((text, ctx) => {
      const fail = (message: string) => {
        ctx.issues.push({ code: "custom", input: text, message });
        return z.NEVER;
      };
      const expected = `expected a JSON object of ${keys.plural} to queue URLs, such as {"${keys.example}": "https://sqs…"}`;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return fail(expected);
      }
      if (value === null || typeof value !== "object" || Array.isArray(value) || Object.keys(value).length === 0) {
        return fail(expected);
      }
      const bad = Object.entries(value).filter(([, url]) => typeof url !== "string" || !/^https?:\/\/\S+$/.test(url));
      if (bad.length > 0)
        return fail(`${keys.name} ${bad.map(([name]) => JSON.stringify(name)).join(", ")}: expected a queue URL`);
      return value as Record<string, string>;
    }),
  );

export const ingestEnvironment = z.object({
  ...tableEnvironment,
  /** Where the events the journeys emit go: the ingest queue itself. */
  INGEST_QUEUE_URL: required(),
  /** Where message requests go, by channel. */
  DELIVERY_QUEUE_URLS: queueMap(),
  /**
   * Where a campaign's message requests go, by channel: a lane of their own, so that a campaign's backlog never
   * delays another journey's message on the same channel (lib/channels.ts). A channel not named: its one queue.
   */
  CAMPAIGN_DELIVERY_QUEUE_URLS: z.optional(queueMap()),
  /**
   * Where service messages go, by channel: the transactional lane (lanes.ts), so that neither a campaign's
   * backlog nor a burst of journeys' messages delays a failed payment's notice. A channel not named: its one queue.
   */
  TRANSACTIONAL_DELIVERY_QUEUE_URLS: z.optional(queueMap()),
  /**
   * Where a record that can never be processed goes at once, with its reason, by the queue it came from:
   * `{"<source queue ARN>": "<dead-letter queue URL>"}`. A queue not named: its redrive policy, after retries.
   */
  DEAD_LETTER_QUEUE_URLS: z.optional(
    queueMap({ name: "queue", plural: "source queue ARNs", example: "arn:aws:sqs:…:IngestQueue" }),
  ),
  /**
   * Who raises the campaigns' occurrences: `timers` (the default, the local platform: each fan-out arms the
   * next occurrence as a timer) or `scheduler` (AWS: an EventBridge Scheduler schedule per campaign,
   * lib/campaigns.ts, so a fan-out arms nothing).
   */
  CAMPAIGN_OCCURRENCES: z._default(
    z.enum(["timers", "scheduler"], {
      error: (issue) => `expected "timers" or "scheduler", got ${JSON.stringify(issue.input)}`,
    }),
    "timers",
  ),
  /**
   * Where a campaign's fan-out hands on the parts of its listing, one page a message (the wake-up queue);
   * unset: an occurrence's audience is listed whole, in the invocation that takes it.
   */
  WAKE_UP_QUEUE_URL: url(),
  /** Events larger than this (the SQS message body, in bytes) are rejected: a run record keeps its trigger. */
  MAX_EVENT_BYTES: whole(1, EVENTBRIDGE_MAX_ENTRY_BYTES, NUDGE_MAX_EVENT_BYTES),
  /** How long the journey controls (pause/resume) read are trusted: a pause takes effect within this. */
  CONTROL_TTL_SECONDS: whole(0, 300, 30),
  /**
   * The platform's messaging policies as JSON (journeys/policy.json, validated at synth); the defaults
   * when unset: Asia/Shanghai, quiet 21:00-09:00, 3 marketing a day, 1 per channel per 4 hours.
   */
  POLICY_CONFIG: z.optional(
    z.pipe(
      z.string(),
      z.transform((text, ctx) => {
        try {
          return parsePolicyConfig(JSON.parse(text));
        } catch (error) {
          ctx.issues.push({
            code: "custom",
            input: text,
            message: error instanceof Error ? error.message : String(error),
          });
          return z.NEVER;
        }
      }),
    ),
  ),
});

export const tickEnvironment = z.object({
  ...tableEnvironment,
  WAKE_UP_QUEUE_URL: required(),
  /**
   * Wake-ups handed on per tick at most; the next tick goes on where this one stopped. The function's
   * timeout bounds a tick anyway (it stops 10 s before): the default leaves it to the timeout.
   */
  MAX_WAKE_UPS_PER_TICK: whole(1, 10_000_000, TICK_MAX_WAKE_UPS),
  /** SendMessageBatch calls in flight at once (see TickOptions.sendsInFlight). */
  WAKE_UP_SENDS_IN_FLIGHT: whole(1, 64, TICK_SENDS_IN_FLIGHT),
  /** Where `journey.paused` goes when a guardrail pauses a journey; none: logged and counted only. */
  INGEST_QUEUE_URL: z.optional(z.string().check(z.minLength(1, "must not be empty"))),
  /** The guardrails are checked at most this often (seconds of the clock); 0: every tick (a minute on AWS). */
  GUARDRAIL_CHECK_SECONDS: whole(0, 86_400, 0),
});

const optionalText = () => z.optional(z.string().check(z.minLength(1, "must not be empty")));

/** What every deliver function needs, whatever its channel's provider. */
const deliverCommon = {
  /** Message requests larger than this (bytes) are rejected. */
  MAX_MESSAGE_BYTES: whole(1, 262_144, 65_536),
  /** The channel this function delivers (its queue's), e.g. `push`. */
  CHANNEL: z._default(z.string().check(z.minLength(1, "must not be empty")), "any"),
  /** The channel's rate limit, messages a second (0: unpaced), shared by MAX_CONCURRENCY instances. */
  RATE_PER_SECOND: whole(0, 100_000, 0),
  /** The event source's maximum concurrency: how many instances share the rate. */
  MAX_CONCURRENCY: whole(1, 1000, 1),
  /** The channel's queue: a retryable failure is backed off on it (ChangeMessageVisibility). */
  QUEUE_URL: url(),
  /** The channel's dead-letter queue: a message a provider refused for good goes there at once. */
  DEAD_LETTER_QUEUE_URL: url(),
  /** The first retry's delay; each later receive doubles it, up to 15 minutes. */
  BACKOFF_SECONDS: whole(0, 900, 30),
};

export const deliverEnvironment = z.object({
  ...deliverCommon,
  /** The channel's provider: `log` (ids to the log, the default), or `webhook`. */
  CHANNEL_KIND: z._default(
    z.enum(["log", "webhook"], {
      error: (issue) =>
        `expected "log" or "webhook" (email has a function of its own), got ${JSON.stringify(issue.input)}`,
    }),
    "log",
  ),
  WEBHOOK_URL: url(),
  /** A webhook request abandoned after this many ms is retried. */
  WEBHOOK_TIMEOUT_MS: whole(100, 60_000, 5_000),
  /** The signing secret: a Secrets Manager secret (on AWS), or the secret itself (locally, tests). */
  WEBHOOK_SECRET_ARN: optionalText(),
  NUDGE_WEBHOOK_SECRET: optionalText(),
});

/** The unsubscribe secret, as a Secrets Manager secret (AWS) or the secret itself (locally, tests). */
const unsubscribeSecret = {
  UNSUBSCRIBE_SECRET_ARN: optionalText(),
  NUDGE_UNSUBSCRIBE_SECRET: optionalText(),
};

export const emailDeliverEnvironment = z.object({
  ...tableEnvironment,
  ...deliverCommon,
  ...unsubscribeSecret,
  /** The From address: an identity verified in SES. */
  EMAIL_FROM: required(),
  /** The subject of a message without a title. */
  EMAIL_DEFAULT_SUBJECT: required(),
  SES_CONFIGURATION_SET: optionalText(),
  /** The unsubscribe endpoint (its URL); the token is added as `?token=`. */
  UNSUBSCRIBE_URL: z.string({ error: "required" }).check(z.regex(/^https?:\/\/\S+$/, "expected an http(s) URL")),
  UNSUBSCRIBE_TOKEN_DAYS: whole(1, 365, 60),
});

/**
 * The `sms` blocks of the template files a journey sends, by Nudge template id, as JSON:
 * `{"coupon-sms": {"templateCode": "SMS_153055065", "signName": "好物商城"}}` (signName optional).
 */
const smsTemplates = () =>
  z.pipe(
    z._default(z.string(), "{}"),
    z.transform((text, ctx) => {
      const fail = () => {
        ctx.issues.push({
          code: "custom",
          input: text,
          message: 'expected a JSON object of template ids to {"templateCode": "SMS_…", "signName"?: "…"}',
        });
        return z.NEVER;
      };
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return fail();
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) return fail();
      const entries = Object.values(value as Record<string, unknown>);
      const valid = entries.every((entry) => {
        const { templateCode, signName } = (entry ?? {}) as Record<string, unknown>;
        return typeof templateCode === "string" && (signName === undefined || typeof signName === "string");
      });
      return valid ? (value as Record<string, { templateCode: string; signName?: string }>) : fail();
    }),
  );

export const smsDeliverEnvironment = z.object({
  ...tableEnvironment,
  ...deliverCommon,
  /** Alibaba Cloud SMS's endpoint; a local stand-in's (http://127.0.0.1:…) in tests and on the local platform. */
  SMS_ENDPOINT: z._default(
    z.string().check(z.regex(/^https?:\/\/\S+$/, "expected an http(s) URL such as https://dysmsapi.aliyuncs.com")),
    ALIBABA_SMS_ENDPOINT,
  ),
  /** The approved signature (短信签名) of a template whose `sms` block names none. */
  SMS_SIGN_NAME: required(),
  SMS_TEMPLATES: smsTemplates(),
  /** A SendSms abandoned after this many ms (connect and read) is retried; Alibaba advises 1 s at least. */
  SMS_TIMEOUT_MS: whole(1000, 60_000, 5_000),
  /** The AccessKey, `{"accessKeyId", "accessKeySecret"}`: a Secrets Manager secret (AWS), or the JSON itself (locally, tests). */
  ALIBABA_SMS_SECRET_ARN: optionalText(),
  NUDGE_ALIBABA_SMS_CREDENTIALS: optionalText(),
  /** The bus a `user.unsubscribed` goes to when the provider reports a number unsubscribed. */
  EVENT_BUS_NAME: required(),
});

export const unsubscribeEnvironment = z.object({
  ...unsubscribeSecret,
  /** The bus the `user.unsubscribed` events are published to. */
  EVENT_BUS_NAME: required(),
});

/** The WeChat subscribe message channel's function (deliver-wechat.ts). */
export const wechatDeliverEnvironment = z.object({
  ...tableEnvironment,
  ...deliverCommon,
  /** The app's credentials, `{"appId": "…", "appSecret": "…"}`: a Secrets Manager secret (AWS) or the JSON itself. */
  WECHAT_SECRET_ARN: optionalText(),
  NUDGE_WECHAT_CREDENTIALS: optionalText(),
  /** WeChat's API, or a local stand-in's. */
  WECHAT_API_BASE: z._default(
    z.string().check(z.regex(/^https?:\/\/\S+[^/]$/, "expected an http(s) URL without a trailing /")),
    "https://api.weixin.qq.com",
  ),
  /** Which version of the mini-program the message opens. */
  WECHAT_MINIPROGRAM_STATE: z._default(z.enum(["formal", "trial", "developer"]), "formal"),
  WECHAT_TIMEOUT_MS: whole(100, 60_000, 5_000),
});

/** A secret given as a Secrets Manager ARN or as itself: exactly one of the two variables must be set. */
export function secretSetting(
  config: Record<string, unknown>,
  arnName: string,
  valueName: string,
  what: string,
): { arn: string } | { value: string } {
  const arn = config[arnName];
  const value = config[valueName];
  if (typeof arn === "string") return { arn };
  if (typeof value === "string") return { value };
  throw new ConfigError(`${what}: bad configuration: ${arnName}: required (or ${valueName}, the secret itself)`);
}

/** Parses a function's environment, or throws a ConfigError naming every bad variable. */
export function parseConfig<T extends z.ZodMiniType>(schema: T, env: Environment, what: string): z.output<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new ConfigError(`${what}: bad configuration: ${problems.join("; ")}`);
}

/** The inbox channel's deliver function: the deliver function's settings and the table the messages are kept in. */
export const inboxDeliverEnvironment = z.object({
  ...deliverCommon,
  TABLE_NAME: required(),
  DYNAMODB_ENDPOINT: url(),
});

/** The inbox API function (functions/handlers/inbox-api.ts). */
export const inboxApiEnvironment = z.object({
  TABLE_NAME: required(),
  DYNAMODB_ENDPOINT: url(),
  /** The bus the `inbox.message_*` events are published to. */
  EVENT_BUS_NAME: required(),
  /** The token secret: a Secrets Manager secret (on AWS), or the secret itself (locally, tests). */
  INBOX_SECRET_ARN: optionalText(),
  NUDGE_INBOX_SECRET: optionalText(),
  /** The shop's origins whose pages may call the API, comma-separated (`https://shop.example`); `*`: any; none: no browser. */
  INBOX_ORIGINS: z._default(z.string(), ""),
  /** Requests a user may make a minute, after a burst of INBOX_RATE_BURST, per instance. */
  INBOX_RATE_PER_MINUTE: whole(1, 100_000, DEFAULT_INBOX_RATE.perMinute),
  INBOX_RATE_BURST: whole(1, 1000, DEFAULT_INBOX_RATE.burst),
});
