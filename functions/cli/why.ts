/**
 * `nudge why <userId>`: what each journey did for a user, and what the policies held back and why, from
 * the local platform's state (`--dir`, default .nudge: through the running platform's database, or the
 * data on disk when none runs) or from a DynamoDB table on AWS (`--table`, with `--region` or the
 * environment's AWS settings; `--dynamodb-endpoint` for another endpoint).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadPolicyFile } from "../journey/policy-file.ts";
import { type LocalDatabase, openLocalDatabase, runningDatabase } from "../local/database.ts";
import { clientOptions } from "../simulator/embedded-dynamodb.ts";
import { DynamoDbStore } from "../store/dynamodb/dynamodb-store.ts";
import { createDocumentClient } from "../store/dynamodb/table.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { formatWhy } from "./why-report.ts";

interface Source {
  store: DynamoDbStore;
  where: string;
  close(): Promise<void>;
}

async function openSource(values: Map<string, string>, cwd: string): Promise<Source> {
  const table = values.get("table");
  const endpoint = values.get("dynamodb-endpoint");
  if (table !== undefined) {
    const region = values.get("region") ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    const client = createDocumentClient({
      ...(endpoint === undefined ? {} : clientOptions(endpoint)),
      ...(region === undefined ? {} : { region }),
    });
    return {
      store: new DynamoDbStore(client, { tableName: table }),
      where: `table ${table}${endpoint === undefined ? "" : ` at ${endpoint}`}`,
      close: async () => client.destroy(),
    };
  }
  if (endpoint !== undefined) throw new UsageError("--dynamodb-endpoint needs --table");
  const dir = resolve(cwd, values.get("dir") ?? ".nudge");
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
    store: new DynamoDbStore(database.client, { tableName: database.tableName }),
    where: `${dir}${running === undefined ? "" : " (the running platform)"}`,
    close: () => database.close(),
  };
}

export async function whyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseArgs(args, {
    values: ["dir", "table", "region", "dynamodb-endpoint", "journeys", "format"],
  });
  const [userId, ...extra] = positional;
  if (userId === undefined || extra.length > 0) throw new UsageError("expected one user id");
  const format = values.get("format") ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format: expected text or json, got "${format}"`);
  const policy = await loadPolicyFile(resolve(io.cwd, values.get("journeys") ?? "journeys"), io.cwd);
  const source = await openSource(values, io.cwd);
  try {
    const [profile, journal] = await Promise.all([
      source.store.getProfile(userId, { consistent: true }),
      source.store.readJournal(userId),
    ]);
    const report = {
      userId,
      timeZone: policy.config.defaultTimezone,
      ...(profile === undefined ? {} : { profile: profile.value }),
      journal,
    };
    if (format === "json") io.stdout(JSON.stringify(report));
    else {
      io.stdout(`From ${source.where}.`);
      for (const line of formatWhy(report)) io.stdout(line);
    }
    return ExitCode.ok;
  } finally {
    await source.close();
  }
}
