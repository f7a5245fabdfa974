import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { NudgeError } from "../shared/errors.ts";
import { DynamoDbStore } from "../store/dynamodb/dynamodb-store.ts";
import {
  type ClientOptions,
  createDocumentClient,
  type DynamoDbStoreConfig,
  tableDefinition,
} from "../store/dynamodb/table.ts";
import { withTimerIndex } from "./timer-index.ts";

/**
 * The simulator's DynamoDB: dynalite (DynamoDB on LevelDB, here in memory: no files) started in this
 * process on a random loopback port, or any DynamoDB endpoint given. Either way the simulation gets a
 * table of its own, created if missing, so its wake-ups may be indexed in memory too (withTimerIndex).
 */

export const DEFAULT_SIMULATOR_TABLE = "nudge-simulate";

export interface SimulatorDynamoDb {
  /** The endpoint the store talks to (`http://127.0.0.1:<port>` for the embedded one). */
  endpoint: string;
  tableName: string;
  store: DynamoDbStore;
  /** Lets go of the client and stops the embedded server, so the process can exit. */
  close(): Promise<void>;
}

export interface SimulatorDynamoDbOptions {
  /** Any DynamoDB endpoint; the embedded dynalite when omitted. */
  endpoint?: string;
  /** Default `nudge-simulate`. The table must be empty: a simulation's state is its own. */
  tableName?: string;
  /** Store options over the simulator's. */
  store?: Omit<DynamoDbStoreConfig, "tableName">;
  /**
   * Take wake-ups from an index in memory (default true: withTimerIndex). The timer benchmark turns it off
   * to run the platform's cursor walk on a virtual clock.
   */
  timerIndex?: boolean;
}

/** Credentials and region for a local endpoint, which checks neither. */
export const LOCAL = { region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } };

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === "localhost" || host === "[::1]" || host.startsWith("127.");
}

/** The client settings for an endpoint: local ones need no credentials; others use the SDK's defaults. */
export function clientOptions(endpoint: string): ClientOptions {
  if (isLoopback(endpoint)) return { endpoint, ...LOCAL };
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return { endpoint, ...(region === undefined ? {} : { region }) };
}

/**
 * Starts dynalite in memory in this process on a random 127.0.0.1 port (the local platform's, kept on disk,
 * runs in a thread of its own: functions/local/dynalite-thread.ts).
 */
export async function startDynalite(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A low-level client for an endpoint's table operations (create, describe, scan). */
function tableClient(options: ClientOptions): DynamoDBClient {
  return new DynamoDBClient({
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}

/** Creates the table when it is missing, and waits until it is active (dynalite: at once; DynamoDB: seconds). */
export async function ensureTable(options: ClientOptions, tableName: string): Promise<void> {
  const client = tableClient(options);
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
    for (let waited = 0, current = await status(); current !== "ACTIVE"; current = await status()) {
      if (waited > 120_000) throw new NudgeError(`table ${tableName} is still ${current ?? "missing"} after 2 minutes`);
      const pause = Math.min(1_000, 10 + waited);
      await new Promise((resolve) => setTimeout(resolve, pause));
      waited += pause;
    }
  } finally {
    client.destroy();
  }
}

/**
 * Creates the table when it is missing and waits until it is active; refuses a table with items in it
 * (the simulation would start from someone else's state, and its output would not be the journeys').
 */
async function prepareTable(options: ClientOptions, tableName: string): Promise<void> {
  await ensureTable(options, tableName);
  const client = tableClient(options);
  try {
    const scan = await client.send(new ScanCommand({ TableName: tableName, Limit: 1, Select: "COUNT" }));
    if ((scan.Count ?? 0) > 0 || scan.LastEvaluatedKey !== undefined) {
      throw new NudgeError(
        `table ${tableName} at ${options.endpoint} already has items: a simulation needs an empty table of its own ` +
          "(name another with --table, or delete this one)",
      );
    }
  } finally {
    client.destroy();
  }
}

/** A DynamoDbStore for one simulation: on the embedded dynalite, or on the endpoint given. */
export async function openSimulatorDynamoDb(options: SimulatorDynamoDbOptions = {}): Promise<SimulatorDynamoDb> {
  // The SDK warns on stderr about Node 20 at the first client; the simulator's stderr is for its report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const tableName = options.tableName ?? DEFAULT_SIMULATOR_TABLE;
  const server = options.endpoint === undefined ? await startDynalite() : undefined;
  const endpoint = server?.endpoint ?? (options.endpoint as string);
  try {
    const connection = clientOptions(endpoint);
    await prepareTable(connection, tableName);
    const client = createDocumentClient({ ...connection, maxAttempts: 5 });
    // The table is this simulation's alone (checked empty above): its wake-ups are indexed in memory too.
    const table = new DynamoDbStore(client, { tableName, ...options.store });
    const store = options.timerIndex === false ? table : withTimerIndex(table);
    return {
      endpoint,
      tableName,
      store,
      close: async () => {
        client.destroy();
        await server?.stop();
      },
    };
  } catch (error) {
    await server?.stop();
    throw error;
  }
}

/** The embedded DynamoDB: dynalite in memory on a random 127.0.0.1 port, with the store's table. */
export function startEmbeddedDynamoDb(tableName = DEFAULT_SIMULATOR_TABLE): Promise<SimulatorDynamoDb> {
  return openSimulatorDynamoDb({ tableName });
}
