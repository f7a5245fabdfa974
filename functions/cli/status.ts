/**
 * `nudge status`: each journey's state from the platform's (local, or a table on AWS: store-source.ts):
 * enabled (its file), paused (why, by whom, since when), runs active, timers pending, the oldest pending
 * timer, wake-ups held by a pause; each campaign's latest occurrence and how far it got (campaign-status.ts);
 * and the dead letters (locally: the local dead-letter queue; on AWS: the stack's dead-letter queues).
 */

import { resolve } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DEAD_LETTER_QUEUE_NAME, queueJournalPath, readQueueJournal } from "../local/local-queue.ts";
import type { JourneyControl } from "../runtime/control-cache.ts";
import type { JourneyInventory } from "../store/dynamodb/inventory.ts";
import { formatOption, UsageError } from "./args.ts";
import { type CampaignStatus, campaignStatuses, formatCampaignStatus } from "./campaign-status.ts";
import { deadLetterCounts, stackOfTable } from "./dead-letters.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { loadJourneys } from "./journey-folder.ts";
import { openStoreSource, platformNow } from "./store-source.ts";
import { parseCommandArgs } from "./usage.ts";

export interface JourneyStatus extends JourneyInventory {
  journeyId: string;
  enabled: boolean | undefined;
  paused: boolean;
  control?: JourneyControl;
}

export function formatStatus(
  rows: readonly JourneyStatus[],
  deadLetters: string,
  campaigns: readonly CampaignStatus[] = [],
): string[] {
  const header = ["journey", "enabled", "paused", "runs active", "timers pending", "oldest pending", "of them held"];
  const table = rows.map((row) => [
    row.journeyId,
    row.enabled === undefined ? "?" : row.enabled ? "yes" : "no",
    row.paused
      ? `yes: ${row.control?.reason ?? "no reason given"} (by ${row.control?.by ?? "?"} since ${row.control?.since ?? "?"})`
      : "no",
    String(row.runsActive),
    String(row.timersPending),
    row.oldestPending ?? "-",
    String(row.held),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...table.map((cells) => cells[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  const campaignLines = campaigns.map((campaign) => `  ${formatCampaignStatus(campaign)}`);
  return [
    line(header),
    ...table.map(line),
    ...(campaignLines.length > 0 ? ["Campaigns:", ...campaignLines] : []),
    `Dead letters: ${deadLetters}`,
  ];
}

export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("status", args);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const format = formatOption(values);
  const loaded = await loadJourneys(resolve(io.cwd, values.get("journeys") ?? "journeys"), io);
  if (loaded === undefined) return ExitCode.failed;
  const source = await openStoreSource(values, io.cwd);
  try {
    const now = platformNow(values, io.cwd);
    const [controls, inventory, campaigns] = await Promise.all([
      source.store.getControls({ consistent: true }),
      source.store.journeyInventory(),
      campaignStatuses(loaded.journeys, source.store, now),
    ]);
    const enabled = new Map(loaded.journeys.map((journey) => [journey.id, journey.enabled]));
    // The journeys of the files and those with state; a control alone (a pause of an id no journey has,
    // written before pause refused them) is no journey.
    const ids = [...new Set([...enabled.keys(), ...inventory.keys()])].sort();
    const rows: JourneyStatus[] = ids.map((journeyId) => {
      const control = controls.find((c) => c.value.journeyId === journeyId)?.value;
      return {
        journeyId,
        enabled: enabled.get(journeyId),
        paused: control?.paused === true,
        ...(control === undefined ? {} : { control }),
        ...(inventory.get(journeyId) ?? { runsActive: 0, timersPending: 0, held: 0 }),
      };
    });
    const table = values.get("table");
    const deadLetters =
      table === undefined
        ? localDeadLetters(resolve(io.cwd, values.get("dir") ?? ".nudge"))
        : await stackDeadLetters(values.get("stack") ?? stackOfTable(table), values.get("region"));
    if (format === "json")
      io.stdout(JSON.stringify({ journeys: rows, campaigns, deadLetters: deadLetters.count ?? null }));
    else {
      io.stdout(`From ${source.where}.`);
      for (const line of formatStatus(rows, deadLetters.text, campaigns)) io.stdout(line);
    }
    return ExitCode.ok;
  } finally {
    await source.close();
  }
}

function localDeadLetters(dir: string): { count?: number; text: string } {
  const count = readQueueJournal(queueJournalPath(dir, DEAD_LETTER_QUEUE_NAME)).length;
  const why = count === 0 ? "" : ": `nudge dead-letters list` shows why";
  return { count, text: `${count} (local dead-letter queue${why})` };
}

/** On AWS: the stack's dead-letter queues, found by name (dead-letters.ts). */
async function stackDeadLetters(stack: string | undefined, region: string | undefined) {
  if (stack === undefined) return { text: "unknown: give --stack <name> (the table's name names no stack)" };
  const sqs = new SQSClient(region === undefined ? {} : { region });
  try {
    const queues = await deadLetterCounts(sqs, stack);
    const count = queues.reduce((sum, queue) => sum + queue.messages, 0);
    const each = queues.map((queue) => `${queue.name} ${queue.messages}`).join(", ");
    return {
      count,
      text: `${count} in ${queues.length} dead-letter queues of ${stack}${each === "" ? "" : ` (${each})`}${count === 0 ? "" : `; \`nudge dead-letters list --stack ${stack}\` shows why`}`,
    };
  } finally {
    sqs.destroy();
  }
}
