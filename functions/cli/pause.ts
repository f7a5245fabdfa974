/**
 * `nudge pause <journey> [--reason text]` and `nudge resume <journey>`: an operator's control, written to
 * the platform's state (the local platform's, or a table on AWS: see store-source.ts). No deploy: every
 * ingest function reads the controls at most every 30 s (CONTROL_TTL_SECONDS), so a pause takes effect
 * within a minute; the tick hands a resumed journey's held runs back within a minute.
 *
 * Only a journey that exists can be paused: one of the journey files (`--journeys`, default journeys/) or
 * one with runs or timers in the platform's state; a resume also takes a journey paused earlier. Any
 * other id is a typo, refused with exit code 2 and the nearest id, rather than a pause of nothing while
 * the real journey runs on.
 */

import { userInfo } from "node:os";
import { resolve } from "node:path";
import { didYouMean } from "../journey/checks/common.ts";
import { setPaused } from "../runtime/control-cache.ts";
import { UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { loadJourneys } from "./journey-folder.ts";
import { openStoreSource, type StoreSource } from "./store-source.ts";
import { parseCommandArgs } from "./usage.ts";

function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

/**
 * The journeys an operator may pause (or resume) that include `journeyId` if it is one: the journey files,
 * then (a resume) the journeys paused, then the journeys with state in the store. The store's inventory
 * scans the table: it is read only when the files and the controls do not name the journey.
 */
async function knownJourneys(
  source: StoreSource,
  options: { journeyId: string; journeysDir: string; io: CliIo; resuming: boolean },
): Promise<Set<string>> {
  const { journeyId, journeysDir, io, resuming } = options;
  // A journey file with a problem must not stand in the way of pausing: the store's journeys still count.
  const loaded = await loadJourneys(journeysDir, { ...io, stderr: () => undefined }).catch(() => undefined);
  const known = new Set((loaded?.journeys ?? []).map((journey) => journey.id));
  if (resuming && !known.has(journeyId)) {
    for (const control of await source.store.getControls({ consistent: true })) {
      if (control.value.paused) known.add(control.value.journeyId);
    }
  }
  if (!known.has(journeyId)) for (const id of (await source.store.journeyInventory()).keys()) known.add(id);
  return known;
}

async function control(args: string[], io: CliIo, paused: boolean): Promise<number> {
  const { values, positional } = parseCommandArgs(paused ? "pause" : "resume", args);
  const [journeyId, ...extra] = positional;
  if (journeyId === undefined || extra.length > 0) throw new UsageError("expected one journey id");
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(journeyId))
    throw new UsageError(`expected a journey id such as "new-user-coupon", got "${journeyId}"`);
  const reason = values.get("reason");
  const source = await openStoreSource(values, io.cwd);
  try {
    const journeysDir = resolve(io.cwd, values.get("journeys") ?? "journeys");
    const known = await knownJourneys(source, { journeyId, journeysDir, io, resuming: !paused });
    if (!known.has(journeyId)) {
      io.stderr(
        `nudge ${paused ? "pause" : "resume"}: no journey "${journeyId}" in ${journeysDir} or ${source.where}${didYouMean(journeyId, known)}; nothing ${paused ? "paused" : "resumed"}`,
      );
      return ExitCode.usage;
    }
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
