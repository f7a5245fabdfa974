/**
 * `nudge segment list | count <segment> | sample <segment> [--limit 20]`: the segments defined beside the
 * journeys (journeys/segments/) and their members, from the local platform or a table on AWS
 * (store-source.ts). Counting and sampling read the members' index (SegmentIndex), in proportion to the
 * segment's members, never every profile.
 */
import { resolve } from "node:path";
import type { SegmentDefinition } from "../engine/segments/config.ts";
import { didYouMean } from "../journey/suggestions.ts";
import { loadTraitsFile } from "../journey/traits-file.ts";
import { countOption, formatOption, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { openStoreSource } from "./store-source.ts";
import { parseCommandArgs } from "./usage.ts";

const DEFAULT_SAMPLE = 20;

export async function segmentCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("segment", args);
  const [action, id, extra] = positional;
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  if (action !== "list" && action !== "count" && action !== "sample")
    throw new UsageError(`expected list, count <segment> or sample <segment>, got ${JSON.stringify(action ?? "")}`);
  const format = formatOption(values);
  const limit = countOption(values, "limit", DEFAULT_SAMPLE);
  const loaded = await loadTraitsFile(resolve(io.cwd, values.get("journeys") ?? "journeys"), io.cwd);
  if (loaded.problems.length > 0) throw new UsageError(`the segments have problems: run \`nudge validate\``);
  const segments = Object.values(loaded.traits?.segments ?? {});
  if (action !== "list" && id === undefined) throw new UsageError(`${action} needs a segment's id`);
  if (action === "list" && id !== undefined) throw new UsageError(`unexpected argument "${id}"`);
  const chosen = id === undefined ? undefined : segmentNamed(segments, id);
  const source = await openStoreSource(values, io.cwd);
  try {
    const { store } = source;
    if (chosen === undefined) {
      const rows = [];
      for (const segment of segments)
        rows.push({ id: segment.id, name: segment.name, members: await store.countSegmentMembers(segment.id) });
      if (format === "json") io.stdout(JSON.stringify({ segments: rows }));
      else {
        io.stdout(`From ${source.where}.`);
        for (const line of table(rows)) io.stdout(line);
      }
    } else if (action === "count") {
      const members = await store.countSegmentMembers(chosen.id);
      io.stdout(
        format === "json" ? JSON.stringify({ segment: chosen.id, members }) : `${chosen.id}: ${members} members`,
      );
    } else {
      const { members } = await store.segmentMembers(chosen.id, { limit });
      if (format === "json") io.stdout(JSON.stringify({ segment: chosen.id, members }));
      else for (const member of members) io.stdout(`${member.userId}  since ${member.since}`);
    }
    return ExitCode.ok;
  } finally {
    await source.close();
  }
}

function segmentNamed(segments: readonly SegmentDefinition[], id: string): SegmentDefinition {
  const segment = segments.find((s) => s.id === id);
  if (segment !== undefined) return segment;
  const ids = segments.map((s) => s.id);
  throw new UsageError(
    `no segment "${id}" in journeys/segments/${didYouMean(id, ids)}; segments: ${ids.join(", ") || "none"}`,
  );
}

function table(rows: readonly { id: string; name: string; members: number }[]): string[] {
  const cells = [["segment", "members", "name"], ...rows.map((row) => [row.id, String(row.members), row.name])];
  const widths = [0, 1].map((column) => Math.max(...cells.map((line) => line[column]?.length ?? 0)));
  return cells.map((line) =>
    line
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell))
      .join("  ")
      .trimEnd(),
  );
}
