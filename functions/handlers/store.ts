import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDbStore } from "../store/dynamodb/dynamodb-store.ts";
import { createDocumentClient } from "../store/dynamodb/table.ts";

/** The table part of a function's configuration (config.ts). */
export interface TableConfig {
  TABLE_NAME: string;
  DYNAMODB_ENDPOINT?: string | undefined;
  SETTLE_SECONDS: number;
}

/**
 * The DynamoDB store as the platform runs it: a table shared by every function (so the timer wheel walks
 * every minute), the tick lagging SETTLE_SECONDS so that a wake-up written while it runs is never passed.
 */
export function platformStore(
  config: TableConfig,
  client: DynamoDBDocumentClient = createDocumentClient(
    config.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: config.DYNAMODB_ENDPOINT },
  ),
  clock: () => number = Date.now,
): DynamoDbStore {
  return new DynamoDbStore(client, { tableName: config.TABLE_NAME, settleMs: config.SETTLE_SECONDS * 1000, clock });
}
