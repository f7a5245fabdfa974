/**
 * For `nudge why`: the user's messages a channel's provider refused (an SMS to an invalid number, to a number
 * the provider reports unsubscribed...), from the local platform's dead letters. The journal says the journey
 * sent them (it handed them to the channel); the dead letter says the provider did not take them, and why.
 * On AWS the dead-letter queues are read by `nudge dead-letters` (a receive hides a message for a while, so
 * `nudge why` does not read them there).
 */
import { type DeadLetter, reasonOf } from "../local/dead-letter-view.ts";

export interface RefusedMessage {
  /** When it went to the dead letters (ISO). */
  at: string;
  journey: string;
  channel: string;
  template: string;
  messageId: string;
  /** Why, as `nudge dead-letters` says it: `refused by the provider: isv.MOBILE_NUMBER_ILLEGAL …`. */
  reason: string;
}

/** The dead letters that are message requests to `userId`, oldest first. */
export function refusedMessages(letters: readonly DeadLetter[], userId: string): RefusedMessage[] {
  const refused: RefusedMessage[] = [];
  for (const letter of letters) {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(letter.body) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (body.type !== "message.sent" || body.user !== userId) continue;
    refused.push({
      at: letter.sentAt ?? String(body.at),
      journey: String(body.journey),
      channel: String(body.channel),
      template: String(body.template),
      messageId: String(body.id),
      reason: reasonOf(letter),
    });
  }
  return refused.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** The lines `nudge why` shows for them; none when there are none. */
export function refusedLines(refused: readonly RefusedMessage[], localTime: (iso: string) => string): string[] {
  if (refused.length === 0) return [];
  return [
    "",
    "Handed to a channel, NOT taken by its provider (dead letters; `nudge dead-letters` redrives them):",
    ...refused.map(
      (entry) =>
        `  ${localTime(entry.at)}  ${entry.journey}  ${entry.channel} "${entry.template}" REFUSED: ${entry.reason} (message ${entry.messageId})`,
    ),
  ];
}
