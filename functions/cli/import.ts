/**
 * `nudge import <file.ndjson>`: historical events (a shop's past registrations, orders, refunds, consent)
 * set up the profiles and the inactivity clocks (counted from each user's real last order) of the local
 * platform or a table on AWS, and send nothing (functions/runtime/history.ts). Invalid lines are refused
 * one by one, with their line and what is wrong, and the rest imported; the exit code is then 1.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { JourneyCatalog } from "../engine/catalog.ts";
import { importHistory } from "../runtime/history.ts";
import { parseEventLines } from "../simulator/simulate.ts";
import { UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { loadJourneys } from "./journey-folder.ts";
import { openStoreSource, platformNow } from "./store-source.ts";
import { parseCommandArgs } from "./usage.ts";

export async function importCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("import", args);
  const [file, ...extra] = positional;
  if (file === undefined || extra.length > 0) throw new UsageError("expected one events file (NDJSON)");
  const text = await readFile(resolve(io.cwd, file), "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const loaded = await loadJourneys(resolve(io.cwd, values.get("journeys") ?? "journeys"), io);
  if (loaded === undefined) return ExitCode.failed;
  const { events, invalid } = parseEventLines(text.split("\n"), (problem) => {
    for (const line of problem.message.split("\n")) io.stderr(`line ${problem.line}: not imported: ${line}`);
  });
  const now = platformNow(values, io.cwd);
  const source = await openStoreSource(values, io.cwd, { clock: () => now });
  try {
    const result = await importHistory({
      catalog: new JourneyCatalog(loaded.journeys),
      store: source.store,
      events,
      now,
      policies: loaded.policies,
      ...(loaded.traits === undefined ? {} : { traits: loaded.traits }),
    });
    io.stdout(
      `imported ${result.events} events into ${source.where}: ${result.profileUpdates} profile updates, ` +
        `${result.recordUpdates} journey records (inactivity clocks, exits); nothing sent`,
    );
    return invalid.length > 0 ? ExitCode.failed : ExitCode.ok;
  } finally {
    await source.close();
  }
}
