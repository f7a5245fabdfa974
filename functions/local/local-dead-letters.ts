/**
 * The local platform's dead letters (the `dead-letters` queue under `<dir>/queues/`), for
 * `nudge dead-letters`: listed from the journal without writing to it (the platform may be running), and
 * redriven to the queue each came from, which needs the folder's lock (the platform stopped): two
 * processes on the same journals would corrupt them.
 */
import { existsSync } from "node:fs";
import { FAILURE_ATTRIBUTES } from "../handlers/delivery-queue.ts";
import { NudgeError } from "../shared/errors.ts";
import type { DeadLetter } from "./dead-letter-view.ts";
import {
  DEAD_LETTER_QUEUE_NAME,
  LocalQueue,
  type QueuedMessage,
  queueJournalPath,
  readQueueJournal,
} from "./local-queue.ts";
import { lockFolder } from "./lock.ts";

/** A dead letter that cannot be redriven: no source queue known, or one that does not exist. */
export class RedriveError extends NudgeError {}

/** The local queue a dead letter came from: moved by its queue, or sent by a function (`nudge-source`'s ARN). */
function sourceOf(message: QueuedMessage): string | undefined {
  const arn = message.attributes[FAILURE_ATTRIBUTES.source]?.StringValue;
  const name = message.source ?? arn?.slice(arn.lastIndexOf(":") + 1);
  // A queue's name is a file name under queues/: nothing that leaves the folder.
  return name !== undefined && /^[a-z0-9][a-z0-9-]*$/.test(name) ? name : undefined;
}

function deadLetterOf(message: QueuedMessage): DeadLetter {
  const source = sourceOf(message);
  return {
    id: message.id,
    queue: DEAD_LETTER_QUEUE_NAME,
    ...(source === undefined ? {} : { source }),
    sentAt: new Date(message.sentAt).toISOString(),
    body: message.body,
    attributes: Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [name, value.StringValue ?? ""]),
    ),
  };
}

export function listLocalDeadLetters(dir: string): DeadLetter[] {
  return readQueueJournal(queueJournalPath(dir, DEAD_LETTER_QUEUE_NAME)).map(deadLetterOf);
}

/**
 * Sends dead letters back to the queue each came from (all, or those of `ids`), then deletes them from the
 * dead letters; returns how many went to each queue. Throws FolderInUseError while the platform runs.
 */
export function redriveLocal(dir: string, ids?: readonly string[]): Map<string, number> {
  const unlock = lockFolder(dir);
  try {
    // Sent at the time it was dead-lettered: the platform's clock may be virtual, and earlier than today.
    let sentAt = 0;
    const options = { clock: () => sentAt, visibilityTimeoutMs: 0 };
    const deadLetters = new LocalQueue({
      ...options,
      name: DEAD_LETTER_QUEUE_NAME,
      journalPath: queueJournalPath(dir, DEAD_LETTER_QUEUE_NAME),
    });
    const chosen = deadLetters.peek().filter((message) => ids === undefined || ids.includes(message.id));
    const unknown = (ids ?? []).filter((id) => !chosen.some((message) => message.id === id));
    if (unknown.length > 0) throw new RedriveError(`no dead letter ${unknown.join(", ")} in ${dir}`);
    const sources = chosen.map((message) => {
      const source = sourceOf(message);
      if (source === undefined || !existsSync(queueJournalPath(dir, source))) {
        throw new RedriveError(`dead letter ${message.id}: the queue it came from is not known`);
      }
      return source;
    });
    const queues = new Map<string, LocalQueue>();
    const moved = new Map<string, number>();
    chosen.forEach((message, index) => {
      const source = sources[index] as string;
      let queue = queues.get(source);
      if (queue === undefined) {
        queue = new LocalQueue({ ...options, name: source, journalPath: queueJournalPath(dir, source) });
        queues.set(source, queue);
      }
      sentAt = message.sentAt;
      queue.send([{ body: message.body, attributes: message.attributes }]);
      deadLetters.delete([message.id]);
      moved.set(source, (moved.get(source) ?? 0) + 1);
    });
    return moved;
  } finally {
    unlock();
  }
}
