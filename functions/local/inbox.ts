/**
 * The local platform's inbox: the real inbox channel over the local table, each message kept also in the
 * outbox (so the console prints it), and the inbox API's dependencies as `/inbox/` of the platform's port
 * serves them (endpoint.ts): the token secret (`NUDGE_INBOX_SECRET`, else `<dir>/secrets.json`'s), the
 * origins (`NUDGE_INBOX_ORIGINS`, default the usual local development servers), the rate limit.
 */
import type { MessageChannel, MessageRequest, SendResult } from "../channels/channel.ts";
import { InboxChannel } from "../channels/inbox.ts";
import { DEFAULT_INBOX_RATE, type InboxApiDependencies } from "../channels/inbox-api.ts";
import { RateLimiter } from "../channels/rate-limit.ts";
import { fixedSecret } from "../channels/secret.ts";
import type { InboxStore } from "../runtime/ports.ts";
import type { OutboxChannel } from "./outbox.ts";

/** The origins a local shop page is usually served from, allowed when NUDGE_INBOX_ORIGINS is not set. */
export const LOCAL_INBOX_ORIGINS: readonly string[] = [
  "http://localhost:3000",
  "http://127.0.0.1:3000",
  "http://localhost:5173",
  "http://127.0.0.1:5173",
];

export class LocalInboxChannel implements MessageChannel {
  private readonly inbox: InboxChannel;

  constructor(
    private readonly outbox: OutboxChannel,
    store: InboxStore,
  ) {
    this.inbox = new InboxChannel(store);
  }

  async send(message: MessageRequest): Promise<SendResult> {
    const result = await this.inbox.send(message);
    this.outbox.record(message, { via: "inbox" });
    return result;
  }
}

/** The API's dependencies but the publishing, which the endpoint does as a PutEvents entry. */
export function localInboxApi(options: {
  store: InboxStore;
  secret: string;
  origins?: readonly string[] | undefined;
  clock: () => number;
}): Omit<InboxApiDependencies, "publish"> {
  return {
    store: options.store,
    secret: fixedSecret(options.secret),
    origins: options.origins ?? LOCAL_INBOX_ORIGINS,
    limiter: new RateLimiter({ ...DEFAULT_INBOX_RATE, clock: options.clock }),
    clock: options.clock,
  };
}
