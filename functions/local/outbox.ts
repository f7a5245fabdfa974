/**
 * The local platform's record of messages delivered: each as one JSON line appended to the outbox file
 * (time, journey, user, channel, template, text, and the message id; for an email also `to`, `subject` and
 * where the complete message is; `via` says which provider took it) and as a readable line for the
 * console. As a channel of its own it is where messages go when no provider is configured. Delivery is at least once (a redelivered request carries the same message id): the ids already
 * in the file are skipped, so the outbox holds each message once, across restarts too.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { MessageRequest } from "../channels/channel.ts";
import type { MessageChannel } from "../handlers/deliver.ts";

export interface OutboxLine {
  id: string;
  time: string;
  journey: string;
  user: string;
  channel: string;
  template: string;
  text: string;
  /** The provider that took it: `webhook`, `email`, `alibaba-sms`; absent: the outbox alone. */
  via?: string;
  /** An email's recipient and subject. */
  to?: string;
  subject?: string;
  /** An email as the recipient's mail server would get it: the complete RFC 5322 message, headers and body. */
  raw?: string;
  /** An SMS's template parameters as the provider got them (Alibaba Cloud SMS). */
  params?: Record<string, string>;
}

/** A message as one console line: `time  journey  → user (channel/template): text`. */
export function readableLine(line: OutboxLine): string {
  return `${line.time}  ${line.journey} → ${line.user} (${line.channel}/${line.template}): ${line.text}`;
}

/** The lines of an outbox file (none when it does not exist yet). */
export function readOutbox(path: string): OutboxLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .flatMap((text) => {
      try {
        return [JSON.parse(text) as OutboxLine];
      } catch {
        return []; // blank, or cut short by a crash mid-write
      }
    });
}

export class OutboxChannel implements MessageChannel {
  private readonly sent: Set<string>;
  delivered = 0;

  constructor(
    private readonly path: string,
    private readonly onMessage: (line: OutboxLine) => void = () => undefined,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.sent = new Set(readOutbox(path).map((line) => line.id));
  }

  async send(message: MessageRequest): Promise<undefined> {
    this.record(message);
    return undefined;
  }

  /** Whether the message is in the outbox already (a redelivery of one delivered). */
  has(messageId: string): boolean {
    return this.sent.has(messageId);
  }

  /** Appends the message (once per id), with what its provider adds. */
  record(message: MessageRequest, extra: Pick<OutboxLine, "via" | "to" | "subject" | "raw" | "params"> = {}): void {
    if (this.sent.has(message.id)) return;
    const { id, at, journey, user, channel, template, text } = message;
    const line: OutboxLine = { id, time: at, journey, user, channel, template, text, ...extra };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    this.sent.add(id);
    this.delivered += 1;
    this.onMessage(line);
  }
}
