/**
 * `nudge why <userId>`: what each journey did for a user, and what the policies held back and why, from
 * the local platform's state (`--dir`, default .nudge: through the running platform's database, or the
 * data on disk when none runs) or from a DynamoDB table on AWS (`--table`, with `--region` or the
 * environment's AWS settings; `--dynamodb-endpoint` for another endpoint).
 */
import { resolve } from "node:path";
import { loadPolicyFile } from "../journey/policy-file.ts";
import { formatOption, parseArgs, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { openStoreSource, STORE_SOURCE_OPTIONS } from "./store-source.ts";
import { formatWhy } from "./why-report.ts";

export async function whyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseArgs(args, {
    values: [...STORE_SOURCE_OPTIONS, "journeys", "format"],
  });
  const [userId, ...extra] = positional;
  if (userId === undefined || extra.length > 0) throw new UsageError("expected one user id");
  const format = formatOption(values);
  const policy = await loadPolicyFile(resolve(io.cwd, values.get("journeys") ?? "journeys"), io.cwd);
  const source = await openStoreSource(values, io.cwd);
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
