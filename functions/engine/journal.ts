import type { JournalEntry, JourneyEffect, Outbox } from "./model.ts";

export type { JournalEntry };

export function journalEntryOf(effect: JourneyEffect): JournalEntry {
  switch (effect.type) {
    case "message.sent": {
      const { text: _text, params: _params, ...entry } = effect;
      return entry;
    }
    case "event.emitted": {
      const { event, ...entry } = effect;
      return { ...entry, detailType: event["detail-type"] };
    }
    case "profile.updated":
      return { ...effect, attributes: Object.keys(effect.attributes) };
    default:
      return effect;
  }
}

/** An outbox's id: its first effect's (or first event's), deterministic like them; none when it is empty. */
export function outboxId(outbox: Pick<Outbox, "effects" | "events">): string | undefined {
  return outbox.effects[0]?.id ?? outbox.events[0]?.id;
}

/**
 * The most entries a run record keeps in its journal, the oldest dropped first: the record stays one
 * write unit (1 KB deflated) for the seed journeys, and `nudge why` still shows each run's recent story.
 */
export const JOURNAL_LIMIT = 16;

/** The record's journal once the outbox it carried (handed on, or about to be replaced) joins it. */
export function journalWith(
  journal: readonly JournalEntry[] | undefined,
  handedOn: Outbox | undefined,
): JournalEntry[] | undefined {
  if (handedOn === undefined || handedOn.effects.length === 0) return journal === undefined ? undefined : [...journal];
  const entries = [...(journal ?? []), ...handedOn.effects.map(journalEntryOf)];
  return entries.length > JOURNAL_LIMIT ? entries.slice(entries.length - JOURNAL_LIMIT) : entries;
}
