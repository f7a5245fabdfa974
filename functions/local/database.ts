/**
 * The local platform's DynamoDB: dynalite in a thread of this process (dynalite-thread.ts) with its data
 * kept on disk (a restart loses nothing), or any endpoint given (DynamoDB Local, AWS). The table is created when missing and used as
 * it is otherwise: it holds the platform's state from the last run.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { clientOptions, ensureTable } from "../simulator/embedded-dynamodb.ts";
import { createDocumentClient } from "../store/dynamodb/table.ts";
import { startDynaliteThread } from "./dynalite-thread.ts";
import { isRunning } from "./lock.ts";

export const LOCAL_TABLE = "nudge-local";

/**
 * The local platform's timer shards (DynamoDbStoreConfig.timerShards): one process, one tick. Whoever
 * schedules wake-ups in its table (the platform, `nudge import`) must use this count, or the tick misses them.
 */
export const LOCAL_TIMER_SHARDS = 1;

/**
 * The local platform's timer buckets, in minutes (DynamoDbStoreConfig.timerBucketMinutes): the demo's
 * virtual clock walks 35 days in about a minute, an hour a bucket rather than a minute. The same rule as
 * the shards: whoever schedules wake-ups in its table must use it.
 */
export const LOCAL_TIMER_BUCKET_MINUTES = 60;

export interface LocalDatabase {
  endpoint: string;
  tableName: string;
  client: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/** Opens the platform's table: on dynalite kept in `dataPath`, or at `endpoint` when given. */
export async function openLocalDatabase(options: {
  dataPath: string;
  endpoint?: string | undefined;
  tableName?: string;
}): Promise<LocalDatabase> {
  const tableName = options.tableName ?? LOCAL_TABLE;
  const server = options.endpoint === undefined ? await startDynaliteThread({ path: options.dataPath }) : undefined;
  const endpoint = server?.endpoint ?? (options.endpoint as string);
  try {
    await ensureTable(clientOptions(endpoint), tableName);
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

/** Where a running platform says which database it serves (its dynalite's endpoint, and the table). */
const DATABASE_FILE = "database.json";

export function writeDatabaseFile(dir: string, database: { endpoint: string; tableName: string }): void {
  writeFileSync(join(dir, DATABASE_FILE), `${JSON.stringify({ ...database, pid: process.pid })}\n`);
}

export function removeDatabaseFile(dir: string): void {
  rmSync(join(dir, DATABASE_FILE), { force: true });
}

/** The database of the platform running on `dir`, if one does (its process is alive); undefined otherwise. */
export function runningDatabase(dir: string): { endpoint: string; tableName: string } | undefined {
  let saved: { endpoint?: unknown; tableName?: unknown; pid?: unknown };
  try {
    saved = JSON.parse(readFileSync(join(dir, DATABASE_FILE), "utf8"));
  } catch {
    return undefined;
  }
  const { endpoint, tableName, pid } = saved;
  if (typeof endpoint !== "string" || typeof tableName !== "string" || typeof pid !== "number") return undefined;
  return isRunning(pid) ? { endpoint, tableName } : undefined;
}
