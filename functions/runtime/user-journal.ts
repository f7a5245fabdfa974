import { journalEntryOf } from "../engine/journal.ts";
import type { JournalEntry, RunRecord } from "../engine/model.ts";
import type { HandOnProofStore, RunStore, UserRunIndex } from "./ports.ts";

/** What the journeys did for one user, as `nudge why` shows it. */
export interface UserJournal {
  /** The entries of the user's runs, oldest first: a message here was handed to its channel's queue. */
  entries: JournalEntry[];
  /**
   * Decisions saved and not proven handed on yet (their process died, or a send failed, and the input
   * waits for its redelivery): never shown as sent.
   */
  notHandedOn: JournalEntry[];
  /** Journeys whose trigger matched while they were paused, and would have admitted the user: the latest each. */
  skippedWhilePaused: NonNullable<RunRecord["skippedWhilePaused"]>[];
}

/**
 * Reads a user's journal from the runs' own records (each keeps its journal, see RunRecord.journal): the
 * runs of the journeys keyed by the user id, found by key, and the others through the user's index.
 */
export async function readUserJournal(
  store: RunStore & HandOnProofStore & UserRunIndex,
  userId: string,
  journeys: readonly { id: string; key: string }[],
): Promise<UserJournal> {
  const runs = journeys.filter((j) => j.key === "userId").map((j) => ({ journeyId: j.id, key: userId }));
  runs.push(...(await store.userRuns(userId)));
  // Once a run: two versions of a journey (a file kept for runs in flight) name the same run.
  const unique = new Map(runs.map((run) => [`${run.journeyId}\u0000${run.key}`, run]));
  const journal: UserJournal = { entries: [], notHandedOn: [], skippedWhilePaused: [] };
  for (const { journeyId, key } of unique.values()) {
    const record = (await store.getRecord(journeyId, key, { consistent: true }))?.value;
    if (record !== undefined) await addRecord(journal, record, store, userId);
  }
  const byTime = (a: { at: string }, b: { at: string }) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);
  journal.entries.sort(byTime);
  journal.notHandedOn.sort(byTime);
  journal.skippedWhilePaused.sort(byTime);
  return journal;
}

async function addRecord(journal: UserJournal, record: RunRecord, store: HandOnProofStore, userId: string) {
  journal.entries.push(...(record.journal ?? []).filter((entry) => entry.user === userId));
  if (record.skippedWhilePaused !== undefined) journal.skippedWhilePaused.push(record.skippedWhilePaused);
  const pending = record.pending;
  const first = pending?.effects[0];
  if (pending === undefined || first === undefined) return;
  const proven =
    pending.proof !== undefined && (await store.isHandedOn({ proof: pending.proof, id: first.id, at: first.at }));
  const entries = pending.effects.filter((effect) => effect.user === userId).map(journalEntryOf);
  (proven ? journal.entries : journal.notHandedOn).push(...entries);
}
