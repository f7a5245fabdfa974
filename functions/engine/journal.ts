import type { JourneyEffect } from "./model.ts";

/**
 * The user's journal: what each journey did for a user and what the policies held back, kept for
 * `nudge why`. An entry is a carried-out effect without its payload (a message's text, an emitted event's
 * detail, the values of profile attributes): the journal says what happened and why, not what was said.
 */
export type JournalEntry =
  | Exclude<JourneyEffect, { type: "message.sent" | "event.emitted" | "profile.updated" }>
  | Omit<Extract<JourneyEffect, { type: "message.sent" }>, "text">
  | (Omit<Extract<JourneyEffect, { type: "event.emitted" }>, "event"> & { detailType: string })
  | (Omit<Extract<JourneyEffect, { type: "profile.updated" }>, "attributes"> & { attributes: string[] });

export function journalEntryOf(effect: JourneyEffect): JournalEntry {
  switch (effect.type) {
    case "message.sent": {
      const { text: _text, ...entry } = effect;
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

/** A decision's effects grouped by user (a decision concerns one run, so almost always one group). */
export function journalEntriesByUser(effects: readonly JourneyEffect[]): Map<string, JournalEntry[]> {
  const byUser = new Map<string, JournalEntry[]>();
  for (const effect of effects) {
    let entries = byUser.get(effect.user);
    if (entries === undefined) {
      entries = [];
      byUser.set(effect.user, entries);
    }
    entries.push(journalEntryOf(effect));
  }
  return byUser;
}
