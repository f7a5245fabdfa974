import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import type { TestProject } from "vitest/node";
import { LOCAL, startDynalite } from "../../functions/simulator/embedded-dynamodb.ts";
import { createDocumentClient, tableDefinition } from "../../functions/store/dynamodb/table.ts";

/**
 * dynalite (DynamoDB on in-memory LevelDB) for the store's integration tests. As vitest's globalSetup it
 * starts one server on a random loopback port and hands its endpoint to the test files (`inject`); each
 * test then makes its own table (`freshTable`), so tests and files never see each other's items.
 */

// The SDK warns about Node 20 at every client creation otherwise; forks inherit the environment.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

declare module "vitest" {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

// One way to start dynalite for the simulator and the tests alike.
export { LOCAL, startDynalite };

/** Creates a table with the store's definition and waits (polling, no 20 s waiter) until it is active. */
export async function createTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, ...LOCAL });
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
    for (let tries = 0; ; tries++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === "ACTIVE") return;
      if (tries > 100) throw new Error(`table ${tableName} is still ${Table?.TableStatus}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    client.destroy();
  }
}

let tables = 0;

/** A new empty table on the shared dynalite and a document client for it. */
export async function freshTable(options: { maxAttempts?: number } = {}) {
  const endpoint = inject("dynamodbEndpoint");
  const tableName = `nudge-test-${process.pid}-${++tables}-${Math.random().toString(36).slice(2, 8)}`;
  await createTable(endpoint, tableName);
  const client = createDocumentClient({ endpoint, ...LOCAL, maxAttempts: options.maxAttempts ?? 3 });
  return { endpoint, tableName, client };
}

export default async function setup(project: TestProject) {
  const { endpoint, stop } = await startDynalite();
  project.provide("dynamodbEndpoint", endpoint);
  return stop;
}
