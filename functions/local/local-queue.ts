/**
 * A queue with the SQS semantics the handlers rely on, for the local platform: at-least-once delivery
 * (a received message stays until deleted), a visibility timeout (a message received and not deleted in
 * time is delivered again), delivery delays, a receive count and a dead-letter queue after
 * `maxReceiveCount` receives. Its contents are kept in an append-only journal file, so that a restart
 * loses no message that was accepted: every send, receive and delete is appended (synchronously: once a
 * send returns, the message is on disk) and the journal is replayed, then compacted, at open.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The local dead-letter queue's name: one for every queue of the local platform. */
export const DEAD_LETTER_QUEUE_NAME = "dead-letters";

/** Where the local platform keeps a queue's journal, under its state folder. */
export const queueJournalPath = (dir: string, name: string) => join(dir, "queues", `${name}.ndjson`);

export type MessageAttributes = Record<string, { DataType: string; StringValue?: string }>;

export interface QueuedMessage {
  id: string;
  body: string;
  attributes: MessageAttributes;
  /** When it was sent (virtual clock, epoch ms). */
  sentAt: number;
  /** When it may first be received (virtual clock: delays are in the journeys' time). */
  availableAt: number;
  receiveCount: number;
  /** In a dead-letter queue: the queue it was moved from (SQS's DeadLetterQueueSourceArn). */
  source?: string;
  /** Until when a receive hides it from other receives (real time: it is about processing, not journeys). */
  invisibleUntil: number;
}

export interface LocalQueueOptions {
  name: string;
  /** The journal; none: in memory only. */
  journalPath?: string;
  /** The virtual clock that delays count on. */
  clock: () => number;
  /** Real time, for visibility timeouts; tests inject one. */
  realClock?: () => number;
  visibilityTimeoutMs: number;
  /** After this many receives a message moves to `deadLetter` instead of being delivered again. */
  maxReceiveCount?: number;
  deadLetter?: LocalQueue;
}

type JournalLine =
  | {
      op: "send";
      id: string;
      body: string;
      attributes: MessageAttributes;
      sentAt: number;
      availableAt: number;
      source?: string;
    }
  | { op: "receive"; id: string; count: number }
  | { op: "delete"; id: string };

let sequence = 0;

/** A message's journal line as sent. */
function sendLine({ id, body, attributes, sentAt, availableAt, source }: QueuedMessage): JournalLine {
  return { op: "send", id, body, attributes, sentAt, availableAt, ...(source === undefined ? {} : { source }) };
}

export class LocalQueue {
  readonly name: string;
  private readonly messages = new Map<string, QueuedMessage>();
  private readonly waiters = new Set<() => void>();
  private readonly realClock: () => number;

  constructor(private readonly options: LocalQueueOptions) {
    this.name = options.name;
    this.realClock = options.realClock ?? Date.now;
    if (options.journalPath !== undefined) this.replay(options.journalPath);
  }

  get size(): number {
    return this.messages.size;
  }

  /** Accepts messages; they are on disk when it returns. `delaySeconds` count on the virtual clock. */
  send(
    entries: readonly { body: string; attributes?: MessageAttributes; delaySeconds?: number; source?: string }[],
  ): string[] {
    const now = this.options.clock();
    const sent = entries.map((entry) => {
      const message: QueuedMessage = {
        id: `${this.name}-${Date.now().toString(36)}-${(sequence++).toString(36)}`,
        body: entry.body,
        attributes: entry.attributes ?? {},
        sentAt: now,
        availableAt: now + (entry.delaySeconds ?? 0) * 1000,
        receiveCount: 0,
        invisibleUntil: 0,
        ...(entry.source === undefined ? {} : { source: entry.source }),
      };
      return message;
    });
    this.journal(sent.map(sendLine));
    for (const message of sent) this.messages.set(message.id, message);
    this.wakeWaiters();
    return sent.map((message) => message.id);
  }

  /**
   * Up to `max` messages that are due and visible, each hidden for the visibility timeout and its receive
   * count raised; one received `maxReceiveCount` times already goes to the dead-letter queue instead.
   */
  receive(max: number): QueuedMessage[] {
    const now = this.options.clock();
    const realNow = this.realClock();
    const received: QueuedMessage[] = [];
    const dead: QueuedMessage[] = [];
    for (const message of this.messages.values()) {
      if (received.length >= max) break;
      if (message.availableAt > now || message.invisibleUntil > realNow) continue;
      const limit = this.options.maxReceiveCount;
      if (limit !== undefined && message.receiveCount >= limit) dead.push(message);
      else received.push(message);
    }
    for (const message of dead) this.moveToDeadLetter(message);
    for (const message of received) {
      message.receiveCount += 1;
      message.invisibleUntil = realNow + this.options.visibilityTimeoutMs;
    }
    if (received.length > 0) {
      this.journal(received.map((message) => ({ op: "receive", id: message.id, count: message.receiveCount })));
    }
    return received.map((message) => ({ ...message }));
  }

  /** Removes messages processed (SQS: DeleteMessage with the receipt). */
  delete(ids: readonly string[]): void {
    const known = ids.filter((id) => this.messages.has(id));
    if (known.length === 0) return;
    this.journal(known.map((id) => ({ op: "delete", id })));
    for (const id of known) this.messages.delete(id);
  }

  /**
   * Hides a received message for `seconds` from now (SQS: ChangeMessageVisibility with its receipt, which
   * the local pump makes `<id>#<receive count>`). False when the message is gone or received again since.
   */
  changeVisibility(receiptHandle: string, seconds: number): boolean {
    const at = receiptHandle.lastIndexOf("#");
    const message = this.messages.get(receiptHandle.slice(0, at));
    if (message === undefined || String(message.receiveCount) !== receiptHandle.slice(at + 1)) return false;
    message.invisibleUntil = this.realClock() + seconds * 1000;
    return true;
  }

  /**
   * Hides messages in hand for another visibility timeout from now (never sooner than they were hidden
   * already), those not received again since: the pump's heartbeat while its function runs (pump.ts).
   */
  keepHidden(messages: readonly QueuedMessage[]): void {
    const until = this.realClock() + this.options.visibilityTimeoutMs;
    for (const { id, receiveCount } of messages) {
      const message = this.messages.get(id);
      if (message?.receiveCount === receiveCount) message.invisibleUntil = Math.max(message.invisibleUntil, until);
    }
  }

  /** Real ms a received message stays hidden. */
  get visibilityTimeoutMs(): number {
    return this.options.visibilityTimeoutMs;
  }

  /** Resolves when a message is sent or after `ms`, whichever comes first (a poller's wait). */
  waitForMessages(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Whether a message is due by the virtual clock's now, visible or not (without copying them all, as peek does). */
  hasDue(): boolean {
    const now = this.options.clock();
    for (const message of this.messages.values()) if (message.availableAt <= now) return true;
    return false;
  }

  /** Every message, for inspection (tests, the console's health line). */
  peek(): QueuedMessage[] {
    return [...this.messages.values()].map((message) => ({ ...message }));
  }

  private moveToDeadLetter(message: QueuedMessage): void {
    this.options.deadLetter?.send([{ body: message.body, attributes: message.attributes, source: this.name }]);
    this.delete([message.id]);
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private journal(lines: JournalLine[]): void {
    const path = this.options.journalPath;
    if (path === undefined) return;
    appendFileSync(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
  }

  /** Rebuilds the queue from its journal, then writes a compacted journal holding only what is left. */
  private replay(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    for (const message of readQueueJournal(path)) this.messages.set(message.id, message);
    const compacted = [...this.messages.values()].flatMap((message): JournalLine[] => {
      const send = sendLine(message);
      return message.receiveCount === 0
        ? [send]
        : [send, { op: "receive", id: message.id, count: message.receiveCount }];
    });
    writeFileSync(`${path}.tmp`, compacted.map((line) => `${JSON.stringify(line)}\n`).join(""));
    renameSync(`${path}.tmp`, path);
  }
}

/**
 * The messages a journal holds (sent and not deleted), in the order sent, without writing to it: it may be
 * in use by a running platform (`nudge status`, `nudge dead-letters list`).
 */
export function readQueueJournal(path: string): QueuedMessage[] {
  const messages = new Map<string, QueuedMessage>();
  if (!existsSync(path)) return [];
  for (const text of readFileSync(path, "utf8").split("\n")) {
    // A line cut short by a crash mid-write is the last one; what it began was not acknowledged.
    let line: JournalLine;
    try {
      line = JSON.parse(text) as JournalLine;
    } catch {
      continue;
    }
    if (line.op === "send") {
      const { op: _op, ...message } = line;
      messages.set(line.id, { ...message, receiveCount: 0, invisibleUntil: 0 });
    } else if (line.op === "receive") {
      const message = messages.get(line.id);
      if (message !== undefined) message.receiveCount = line.count;
    } else messages.delete(line.id);
  }
  return [...messages.values()];
}
