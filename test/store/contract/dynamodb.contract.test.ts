import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import { clientOptions, ensureTable } from "../../../functions/simulator/embedded-dynamodb.ts";
import { withTimerIndex } from "../../../functions/simulator/timer-index.ts";
import { DynamoDbStore } from "../../../functions/store/dynamodb/dynamodb-store.ts";
import { createDocumentClient, type DynamoDbStoreConfig } from "../../../functions/store/dynamodb/table.ts";
import { type StoreFactory, storeContract } from "./contract.ts";

/**
 * The DynamoDB store under the store contract: on the dynalite that vitest's globalSetup starts
 * (test/setup/dynalite.ts), or on any endpoint in NUDGE_TEST_DYNAMODB_ENDPOINT, such as AWS's own
 * DynamoDB Local (docs/testing.md) or DynamoDB itself (credentials and region from the environment). Each
 * test makes a table of its own, uniquely named, and deletes it afterwards.
 */
const ENDPOINT = process.env.NUDGE_TEST_DYNAMODB_ENDPOINT;

let tables = 0;

function dynamoDbStores(config: Omit<DynamoDbStoreConfig, "tableName" | "clock">, indexed = false): StoreFactory {
  return async ({ clock }) => {
    const connection = clientOptions(ENDPOINT ?? inject("dynamodbEndpoint"));
    const tableName = `nudge-contract-${process.pid}-${++tables}-${Math.random().toString(36).slice(2, 8)}`;
    await ensureTable(connection, tableName);
    const client = createDocumentClient({ ...connection, maxAttempts: 3 });
    return {
      store: indexed
        ? withTimerIndex(new DynamoDbStore(client, { tableName, clock, ...config }))
        : new DynamoDbStore(client, { tableName, clock, ...config }),
      close: async () => {
        client.destroy();
        const admin = new DynamoDBClient(connection);
        try {
          await admin.send(new DeleteTableCommand({ TableName: tableName }));
        } finally {
          admin.destroy();
        }
      },
    };
  };
}

const where = ENDPOINT === undefined ? "dynalite" : ENDPOINT;

// The platform's set-up: a table every function shares, timers by the cursor walk.
storeContract(`DynamoDbStore on ${where}, shared table`, dynamoDbStores({}));
// The simulator's: a table of its own, timers answered from an index in memory (withTimerIndex).
storeContract(`DynamoDbStore on ${where}, the simulator's timer index`, dynamoDbStores({}, true));
// The local platform's: one shard, and buckets an hour wide (LOCAL_TIMER_BUCKET_MINUTES).
storeContract(
  `DynamoDbStore on ${where}, one timer shard and hour buckets`,
  dynamoDbStores({ timerShards: 1, timerBucketMinutes: 60 }),
);
