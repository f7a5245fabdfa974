/**
 * `nudge pause <journey> [--reason text]` and `nudge resume <journey>`: an operator's control, written to
 * the platform's state (the local platform's, or a table on AWS: see store-source.ts). No deploy: every
 * ingest function reads the controls at most every 30 s (CONTROL_TTL_SECONDS), so a pause takes effect
 * within a minute; the tick hands a resumed journey's held runs back within a minute.
 */
import { userInfo } from "node:os";
import { setPaused } from "../engine/controls.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { openStoreSource, STORE_SOURCE_OPTIONS } from "./store-source.ts";

function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

async function control(args: string[], io: CliIo, paused: boolean): Promise<number> {
  const { values, positional } = parseArgs(args, { values: [...STORE_SOURCE_OPTIONS, ...(paused ? ["reason"] : [])] });
  const [journeyId, ...extra] = positional;
  if (journeyId === undefined || extra.length > 0) throw new UsageError("expected one journey id");
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(journeyId))
    throw new UsageError(`expected a journey id such as "new-user-coupon", got "${journeyId}"`);
  const reason = values.get("reason");
  const source = await openStoreSource(values, io.cwd);
  try {
    const changed = await setPaused(source.store, journeyId, {
      paused,
      ...(reason === undefined ? {} : { reason }),
      by: operator(),
      now: Date.now(),
    });
    const state = paused ? "paused" : "running";
    io.stdout(
      changed
        ? `${journeyId}: ${state} (${source.where}). ${paused ? "No one is admitted and its runs hold where they are" : "Its held runs go on"} within a minute.`
        : `${journeyId}: already ${state} (${source.where}).`,
    );
    return ExitCode.ok;
  } finally {
    await source.close();
  }
}

export const pauseCommand = (args: string[], io: CliIo) => control(args, io, true);
export const resumeCommand = (args: string[], io: CliIo) => control(args, io, false);
