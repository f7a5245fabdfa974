/**
 * The local platform's DynamoDB: dynalite in this process with its data kept on disk (a restart loses
 * nothing), or any endpoint given (DynamoDB Local, AWS). The table is created when missing and used as
 * it is otherwise: it holds the platform's state from the last run.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { NudgeError } from "../engine/errors.ts";
import { clientOptions, startDynalite } from "../simulator/embedded-dynamodb.ts";
import { createDocumentClient, tableDefinition } from "../store/dynamodb/table.ts";

export const LOCAL_TABLE = "nudge-local";

export interface LocalDatabase {
  endpoint: string;
  tableName: string;
  client: DynamoDBDocumentClient;
  close(): Promise<void>;
}

async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient(clientOptions(endpoint));
  try {
    const status = async () => {
      try {
        return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    };
    if ((await status()) === undefined) {
      try {
        await client.send(new CreateTableCommand(tableDefinition(tableName)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error; // created meanwhile: fine
      }
    }
    for (let waited = 0; (await status()) !== "ACTIVE"; waited += 200) {
      if (waited > 120_000) throw new NudgeError(`table ${tableName} at ${endpoint} is not active after 2 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    client.destroy();
  }
}

/** Opens the platform's table: on dynalite kept in `dataPath`, or at `endpoint` when given. */
export async function openLocalDatabase(options: {
  dataPath: string;
  endpoint?: string | undefined;
  tableName?: string;
}): Promise<LocalDatabase> {
  const tableName = options.tableName ?? LOCAL_TABLE;
  const server = options.endpoint === undefined ? await startDynalite({ path: options.dataPath }) : undefined;
  const endpoint = server?.endpoint ?? (options.endpoint as string);
  try {
    await ensureTable(endpoint, tableName);
  } catch (error) {
    await server?.stop();
    throw error;
  }
  const client = createDocumentClient({ ...clientOptions(endpoint), maxAttempts: 5 });
  return {
    endpoint,
    tableName,
    client,
    close: async () => {
      client.destroy();
      await server?.stop();
    },
  };
}
