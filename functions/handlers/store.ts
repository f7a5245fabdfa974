import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDbStore } from "../store/dynamodb/dynamodb-store.ts";
import { createDocumentClient } from "../store/dynamodb/table.ts";

/** The table part of a function's configuration (config.ts). */
export interface TableConfig {
  TABLE_NAME: string;
  DYNAMODB_ENDPOINT?: string | undefined;
  SETTLE_SECONDS: number;
  LOOKAHEAD_SECONDS: number;
  TIMER_SHARDS: number;
  TIMER_BUCKET_MINUTES: number;
  STATS_SHARDS: number;
}

/**
 * The DynamoDB store as the platform runs it: a table shared by every function (so the timer wheel walks
 * its cursor), with the tick's lookahead and the settle time, which together say where a wake-up due soon
 * is written so that no tick has passed it (see the store's README, Timers).
 */
export function platformStore(
  config: TableConfig,
  client: DynamoDBDocumentClient = createDocumentClient(
    config.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: config.DYNAMODB_ENDPOINT },
  ),
  clock: () => number = Date.now,
): DynamoDbStore {
  return new DynamoDbStore(client, {
    tableName: config.TABLE_NAME,
    settleMs: config.SETTLE_SECONDS * 1000,
    lookaheadMs: config.LOOKAHEAD_SECONDS * 1000,
    timerShards: config.TIMER_SHARDS,
    timerBucketMinutes: config.TIMER_BUCKET_MINUTES,
    statsShards: config.STATS_SHARDS,
    clock,
  });
}
