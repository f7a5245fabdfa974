import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * The one DynamoDB table of the journey state: its definition as plain data (the CDK stack reuses the
 * key schema), its defaults, and the key of every item kind. README.md beside this file has the design.
 */

export const PARTITION_KEY = "pk";
export const SORT_KEY = "sk";
/** The TTL attribute (epoch seconds). The infrastructure enables TTL on it; the store only writes it. */
export const TTL_ATTRIBUTE = "ttl";

/** The CreateTable input for a table name: on demand, string `pk`/`sk`, no secondary index. */
export function tableDefinition(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: "S" as const },
      { AttributeName: SORT_KEY, AttributeType: "S" as const },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: "HASH" as const },
      { AttributeName: SORT_KEY, KeyType: "RANGE" as const },
    ],
  };
}

export interface DynamoDbStoreConfig {
  tableName: string;
  /** How long finished runs, ledger entries and coupons are kept, in days (default 400). */
  retentionDays?: number;
  /**
   * How long a wake-up's item is kept after its minute, in days (default 30): the tick never deletes one,
   * TTL does; 30 days covers a dead-letter queue's 14 and a redrive of the wake-up.
   */
  timerRetentionDays?: number;
  /** How long hand-on proofs and the user's index of runs are kept, in days (default 90). */
  journalRetentionDays?: number;
  /** Timer shards per bucket (default 16): a million wake-ups due in one minute spread over them. */
  timerShards?: number;
  /**
   * How many minutes a timer bucket holds (default 1). A take walks every bucket from the cursor to its
   * horizon, one Query a shard each, empty or not: on AWS a minute a minute is nothing, but the local
   * platform on a virtual clock walks days in seconds, and wider buckets walk them in fewer Queries. Fixed
   * for the life of a table, like the shards: every writer and the tick must agree.
   */
  timerBucketMinutes?: number;
  /** Shards per statistics counter (default 8): a promotion peak makes no hot counter. */
  statsShards?: number;
  /**
   * Read records and profiles strongly consistent even when the caller allows a stale read (default
   * false): the runtime reads eventually consistent first (0.5 RCU) and consistently only to retry a lost
   * race, which a stale read can cause. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
   */
  consistentReads?: boolean;
  /**
   * How far ahead of the clock a tick takes wake-ups (ms, default 5 minutes; the tick's `lookaheadMs`,
   * at most SQS's 15-minute delay). `takeDueWakeUps` never hands out beyond `clock + lookaheadMs`.
   */
  lookaheadMs?: number;
  /**
   * The clock difference between processes, and the time a write takes to be visible, allowed for (ms,
   * default 60,000). With `lookaheadMs` it sets where a wake-up due soon is written, see README.md.
   */
  settleMs?: number;
  /** How many minute buckets `nextWakeUpAt` walks past the cursor when the table is shared (default 60). */
  nextWakeUpHorizonMinutes?: number;
  /** Wall clock (epoch ms) for TTLs and the timer wheel; tests inject one. */
  clock?: () => number;
  /** Picks the statistics shard; tests inject one. */
  random?: () => number;
}

export const DEFAULTS = {
  retentionDays: 400,
  journalRetentionDays: 90,
  timerRetentionDays: 30,
  timerShards: 16,
  timerBucketMinutes: 1,
  statsShards: 8,
  nextWakeUpHorizonMinutes: 60,
  lookaheadMs: 5 * 60_000,
  settleMs: 60_000,
} as const;

export interface ClientOptions {
  /** Any DynamoDB endpoint (dynalite, DynamoDB Local); the AWS endpoint of the region when omitted. */
  endpoint?: string;
  region?: string;
  /** Attempts per request, retries included, under the SDK's standard retry strategy (default 3). */
  maxAttempts?: number;
  credentials?: DynamoDBClientConfig["credentials"];
  requestHandler?: DynamoDBClientConfig["requestHandler"];
}

/** A document client with the SDK's standard retry strategy; the store takes it through its constructor. */
export function createDocumentClient(options: ClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    retryMode: "standard",
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler }),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The primary key of every item kind. `#` separates the parts; ids in the last part may contain it. */
export const keys = {
  run: (journeyId: string, key: string) => ({ pk: `RUN#${journeyId}#${key}`, sk: "RUN" }),
  /** The user's profile and recent sends (the frequency-cap counter), one item (see users.ts). */
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: "PROFILE" }),
  /** A run of a journey not keyed by the user, indexed in the user's partition for `nudge why`. */
  userRun: (userId: string, journeyId: string, key: string) => ({
    pk: `USER#${userId}`,
    sk: `RUNOF#${journeyId}#${key}`,
  }),
  userRunPrefix: "RUNOF#",
  /** One shard of a segment's members (see segments.ts); the sort key is the user id. */
  segmentShard: (segment: string, shard: number) => `SEGMENT#${segment}#${shard}`,
  /** The proof that a batch's outboxes were handed on (see proofs.ts). */
  proof: (proof: string) => ({ pk: `PROOF#${proof}`, sk: "PROOF" }),
  /**
   * One shard of the coupon value a journey issued on a budget day (see budgets.ts): shard 0 is the unsharded
   * budget's one item, `BUDGET#<journey>#<day>`, as before shards; the others `BUDGET#<journey>#<day>#<shard>`.
   */
  budget: (journeyId: string, day: string, shard = 0) => ({
    pk: shard === 0 ? `BUDGET#${journeyId}#${day}` : `BUDGET#${journeyId}#${day}#${shard}`,
    sk: "BUDGET",
  }),
  /** A value every instance shares (a provider's access token), see shared-values.ts. */
  shared: (key: string) => ({ pk: `SHARED#${key}`, sk: "SHARED" }),
  effect: (effectId: string) => ({ pk: `EFFECT#${effectId}`, sk: "EFFECT" }),
  coupon: (couponId: string) => ({ pk: `COUPON#${couponId}`, sk: "COUPON" }),
  /** What every coupon's partition key starts with (the inbox API's role may read these and inboxes only). */
  couponPrefix: "COUPON#",
  /** A user's inbox (the inbox channel's messages): one partition, one item a message. */
  inbox: (userId: string) => `INBOX#${userId}`,
  inboxMessage: (userId: string, messageId: string) => ({ pk: `INBOX#${userId}`, sk: `MSG#${messageId}` }),
  inboxPrefix: "INBOX#",
  /** The timer cursor: the minute bucket being drained, and how far in each shard. */
  cursor: () => ({ pk: "TICK", sk: "CURSOR" }),
  /** Every shard of one minute bucket of timers starts with this; `minute` is `YYYY-MM-DDTHH:MM` (UTC). */
  timerMinute: (minute: string) => `TIMER#${minute}`,
  /** One shard of one minute bucket of timers. */
  timerBucket: (minute: string, shard: number) => `TIMER#${minute}#${shard}`,
  /** What every timer partition key starts with. */
  timerPrefix: "TIMER#",
  /** One shard of one day of a journey's statistics; the sort key is `v<version>`. */
  statsShard: (journeyId: string, day: string, shard: number) => `STATS#${journeyId}#${day}#${shard}`,
  /** A day's counters of a version, `v<version>`; an hour's, `v<version>#h<HH>`, beside them in the day's partition. */
  statsVersion: (version: number, hour?: string) => (hour === undefined ? `v${version}` : `v${version}#h${hour}`),
  /** Every journey's control (pause/resume) is in this one partition: one Query reads them all. */
  controlPartition: "CONTROL",
  control: (journeyId: string) => ({ pk: "CONTROL", sk: `JOURNEY#${journeyId}` }),
  /** One shard of a paused journey's held wake-ups. */
  held: (journeyId: string, shard: number) => `HELD#${journeyId}#${shard}`,
};

export type ItemKey = { pk: string; sk: string };
