/**
 * Where the commands that read or write Nudge's state (`nudge why`, `report`, `pause`, `resume`, `status`) find
 * it: the local platform's folder (`--dir`, default .nudge: through the running platform's database, or the data
 * on disk when none runs), or a DynamoDB table on AWS (`--table`, with `--region` or the environment's AWS
 * settings and the usual AWS credentials; `--dynamodb-endpoint` for another endpoint).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { readSavedClock } from "../local/clock.ts";
import {
  LOCAL_TIMER_BUCKET_MINUTES,
  LOCAL_TIMER_SHARDS,
  type LocalDatabase,
  openLocalDatabase,
  runningDatabase,
} from "../local/database.ts";
import { clientOptions } from "../simulator/embedded-dynamodb.ts";
import { DynamoDbStore } from "../store/dynamodb/dynamodb-store.ts";
import { createDocumentClient } from "../store/dynamodb/table.ts";
import { UsageError } from "./args.ts";

/** The options a command takes to name its source. */
export const STORE_SOURCE_OPTIONS = ["dir", "table", "region", "dynamodb-endpoint"] as const;

export interface StoreSource {
  store: DynamoDbStore;
  /** Where, in words, for the command's first line. */
  where: string;
  /** The local platform's folder, when the source is one. */
  dir?: string;
  close(): Promise<void>;
}

/** The local platform's folder the options name (`--dir`, default .nudge), or undefined with `--table`. */
export function localDirOf(values: Map<string, string>, cwd: string): string | undefined {
  return values.has("table") ? undefined : resolve(cwd, values.get("dir") ?? ".nudge");
}

/**
 * Opens the store the options name. `clock`: the platform's clock, for a command that schedules wake-ups
 * (`nudge import`): the store files a wake-up by the time it may be taken, which is the platform's.
 */
/**
 * The platform's clock: `--now`, else the local platform's virtual clock as it last saved it (`nudge start
 * --speed`), else the real one.
 */
export function platformNow(values: Map<string, string>, cwd: string): number {
  const text = values.get("now");
  if (text !== undefined) {
    const now = Date.parse(text);
    if (Number.isNaN(now)) throw new UsageError(`--now: expected an ISO-8601 time such as "2026-12-01T00:00:00Z"`);
    return now;
  }
  const dir = localDirOf(values, cwd);
  return (dir === undefined ? undefined : readSavedClock(join(dir, "clock.json")).now) ?? Date.now();
}

export async function openStoreSource(
  values: Map<string, string>,
  cwd: string,
  options: { clock?: () => number } = {},
): Promise<StoreSource> {
  const table = values.get("table");
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  const endpoint = values.get("dynamodb-endpoint");
  if (table !== undefined) {
    const region = values.get("region") ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    const client = createDocumentClient({
      ...(endpoint === undefined ? {} : clientOptions(endpoint)),
      ...(region === undefined ? {} : { region }),
    });
    return {
      store: new DynamoDbStore(client, { tableName: table, ...clock }),
      where: `table ${table}${endpoint === undefined ? "" : ` at ${endpoint}`}`,
      close: async () => client.destroy(),
    };
  }
  if (endpoint !== undefined) throw new UsageError("--dynamodb-endpoint needs --table");
  const dir = localDirOf(values, cwd) ?? resolve(cwd, ".nudge");
  const running = runningDatabase(dir);
  let database: LocalDatabase;
  if (running !== undefined) {
    const client = createDocumentClient(clientOptions(running.endpoint));
    database = { ...running, client, close: async () => client.destroy() };
  } else if (existsSync(join(dir, "dynamodb"))) {
    database = await openLocalDatabase({ dataPath: join(dir, "dynamodb") });
  } else {
    throw new UsageError(`no local platform state in ${dir}: run \`nudge start\` first, or give --table for AWS`);
  }
  return {
    store: new DynamoDbStore(database.client, {
      tableName: database.tableName,
      timerShards: LOCAL_TIMER_SHARDS,
      timerBucketMinutes: LOCAL_TIMER_BUCKET_MINUTES,
      ...clock,
    }),
    where: `${dir}${running === undefined ? "" : " (the running platform)"}`,
    dir,
    close: () => database.close(),
  };
}
