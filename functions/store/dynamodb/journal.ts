import type { JournalEntry } from "../../engine/journal.ts";
import { journalEntriesByUser } from "../../engine/journal.ts";
import type { JourneyEffect } from "../../engine/model.ts";
import { decodeJson, encodeJson } from "./records.ts";
import { keys } from "./table.ts";
import type { TableClient } from "./table-client.ts";

/**
 * The user's journal (what `nudge why` reads): one item per carried-out decision, in the user's own
 * partition beside the profile, `USER#<id>` / `JOURNAL#<at>#<first effect id>`, so a user's history is
 * one Query. The key is the decision's, so writing it again (an outbox carried out again) replaces the
 * same item. Items expire with the retention (TTL).
 */
export async function appendJournal(table: TableClient, effects: readonly JourneyEffect[], ttl: number): Promise<void> {
  const groups = [...journalEntriesByUser(effects)];
  const put = ([userId, entries]: (typeof groups)[number]) => {
    const first = entries[0];
    if (first === undefined) return undefined;
    return table.put("appendJournal", {
      Item: { ...keys.journal(userId, first.at, first.id), ...encodeJson("doc", entries), ttl },
    });
  };
  // The first effect's user's item last: it is what isJournaled reads as proof that all are written.
  await Promise.all(groups.slice(1).map(put));
  const firstGroup = groups[0];
  if (firstGroup !== undefined) await put(firstGroup);
}

/** Whether the decision whose first effect this is was journaled: a GetItem of its key (0.5 RCU). */
export async function isJournaled(table: TableClient, first: JourneyEffect): Promise<boolean> {
  const output = await table.get("isJournaled", {
    Key: keys.journal(first.user, first.at, first.id),
    ProjectionExpression: "pk",
  });
  return output.Item !== undefined;
}

export async function readJournal(table: TableClient, userId: string): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const output = await table.query("readJournal", {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :journal)",
      ExpressionAttributeValues: { ":pk": keys.profile(userId).pk, ":journal": keys.journalPrefix },
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    });
    for (const item of output.Items ?? []) entries.push(...((decodeJson(item, "doc") as JournalEntry[]) ?? []));
    start = output.LastEvaluatedKey;
  } while (start !== undefined);
  return entries;
}
