/**
 * The Lambda functions' configuration: environment variables, checked once at init with a small zod/mini
 * schema per function. A bad or missing variable stops the function at init with every problem named,
 * rather than failing later on the first record.
 */
import * as z from "zod/mini";
import { NudgeError } from "../engine/errors.ts";
import { parsePolicyConfig } from "../engine/policies/config.ts";

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
  LOOKAHEAD_SECONDS: whole(0, 900, 300),
  /**
   * Timer shards per minute bucket (DynamoDbStoreConfig.timerShards). Fixed for the life of a table: the
   * tick reads only the shards it knows. The local platform uses 1 (one process, and a walk of virtual
   * days at --speed reads every bucket).
   */
  TIMER_SHARDS: whole(1, 64, 16),
};

export const ingestEnvironment = z.object({
  ...tableEnvironment,
  /** Where the events the journeys emit go: the ingest queue itself. */
  INGEST_QUEUE_URL: required(),
  DELIVERY_QUEUE_URL: required(),
  /** Events larger than this (the SQS message body, in bytes) are rejected: a run record keeps its trigger. */
  MAX_EVENT_BYTES: whole(1, 262_144, 32_768),
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
  /** Wake-ups handed on per tick at most; the next tick goes on where this one stopped. */
  MAX_WAKE_UPS_PER_TICK: whole(1, 1_000_000, 20_000),
});

export const deliverEnvironment = z.object({
  /** Message requests larger than this (bytes) are rejected. */
  MAX_MESSAGE_BYTES: whole(1, 262_144, 65_536),
  /** The channel messages go out on. Only `log` exists for now (real channels come later). */
  CHANNEL: z._default(
    z.enum(["log"], {
      error: (issue) => `expected "log" (the only channel so far), got ${JSON.stringify(issue.input)}`,
    }),
    "log",
  ),
});

/** Parses a function's environment, or throws a ConfigError naming every bad variable. */
export function parseConfig<T extends z.ZodMiniType>(schema: T, env: Environment, what: string): z.output<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new ConfigError(`${what}: bad configuration: ${problems.join("; ")}`);
}
