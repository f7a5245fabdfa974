import type { JournalEntry } from "../../functions/engine/model.ts";
import type { JourneyStore } from "../../functions/runtime/ports.ts";
import { readUserJournal } from "../../functions/runtime/user-journal.ts";

/** The user's journal entries proven handed on, over the given journeys' runs (what `nudge why` shows as done). */
export async function handedOnJournal(
  store: JourneyStore,
  userId: string,
  journeys: readonly { id: string; key: string }[],
): Promise<JournalEntry[]> {
  return (await readUserJournal(store, userId, journeys)).entries;
}
