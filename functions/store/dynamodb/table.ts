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
  /** How long finished runs, ledger entries, coupons and spent timers are kept, in days (default 400). */
  retentionDays?: number;
  /** Timer shards per minute bucket (default 16): a million wake-ups due in one minute spread over them. */
  timerShards?: number;
  /** Shards per statistics counter (default 8): a promotion peak makes no hot counter. */
  statsShards?: number;
  /** Strongly consistent reads of records and profiles (default true): fewer lost races, 1 RCU not 0.5. */
  consistentReads?: boolean;
  /**
   * The table is this process's alone (the simulator's embedded database): the store's in-process index
   * of the wake-ups it scheduled is then complete, so `takeDueWakeUps` jumps over minutes it knows to be
   * empty and `nextWakeUpAt` costs nothing. Default false: every minute is walked.
   */
  privateTable?: boolean;
  /**
   * The tick's lag (ms): a minute bucket is passed by the cursor only once it ended this long before
   * `until`, and a wake-up scheduled for an earlier minute is written into the current one (by `clock`),
   * so a wake-up written while the tick runs is never left behind. For the platform (say 60,000); unset
   * in the simulator, whose clock is virtual.
   */
  settleMs?: number;
  /** How many minute buckets `nextWakeUpAt` walks past the cursor when the table is shared (default 60). */
  nextWakeUpHorizonMinutes?: number;
  /** Wall clock (epoch ms) for TTLs and `settleMs`; tests inject one. */
  clock?: () => number;
  /** Picks the statistics shard; tests inject one. */
  random?: () => number;
}

export const DEFAULTS = {
  retentionDays: 400,
  timerShards: 16,
  statsShards: 8,
  nextWakeUpHorizonMinutes: 60,
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
  profile: (userId: string) => ({ pk: `USER#${userId}`, sk: "PROFILE" }),
  effect: (effectId: string) => ({ pk: `EFFECT#${effectId}`, sk: "EFFECT" }),
  coupon: (couponId: string) => ({ pk: `COUPON#${couponId}`, sk: "COUPON" }),
  /** The timer cursor: the earliest minute bucket not yet drained. */
  cursor: () => ({ pk: "TICK", sk: "CURSOR" }),
  /** One shard of one minute bucket of timers; `minute` is `YYYY-MM-DDTHH:MM` (UTC). */
  timerBucket: (minute: string, shard: number) => `TIMER#${minute}#${shard}`,
  /** One shard of one day of a journey's statistics; the sort key is `v<version>#<name>`. */
  statsShard: (journeyId: string, day: string, shard: number) => `STATS#${journeyId}#${day}#${shard}`,
  statsCounter: (version: number, name: string) => `v${version}#${name}`,
};

export type ItemKey = { pk: string; sk: string };
