/**
 * The webhook channel: each message POSTed as JSON to the channel's URL (a push, SMS or WeChat gateway of
 * the shop's own), signed as Standard Webhooks define it so that the receiver knows it comes from Nudge
 * (webhook-signature.ts). The request carries the message id as `webhook-id` and `Idempotency-Key`: delivery
 * is at least once, and a receiver that keeps the ids it has seen sends each message once.
 *
 * Outcomes: a 2xx is delivered; a 5xx, a 429, a network error or a timeout is retryable; any other status
 * (4xx) is permanent: the receiver refused this message and would refuse it again.
 */
import type { MessageChannel, MessageRequest } from "./channel.ts";
import { excerpt, PermanentDeliveryError, RetryableDeliveryError } from "./errors.ts";
import type { SecretSource } from "./secret.ts";
import { signWebhook } from "./webhook-signature.ts";

export interface WebhookChannelOptions {
  url: string;
  secret: SecretSource;
  /** How long a request may take before it is abandoned and retried (default 5 s). */
  timeoutMs?: number;
  /** The clock the timestamp is read from (Unix ms). */
  clock?: () => number;
  fetch?: typeof fetch;
}

/** The JSON body a receiver gets: the message request's fields a receiver needs, `title` when it has one. */
export function webhookBody(message: MessageRequest): string {
  const { id, journey, version, run, user, channel, template, category, locale, text, title } = message;
  return JSON.stringify({
    id,
    idempotencyKey: id,
    journey,
    version,
    run,
    user,
    channel,
    template,
    category,
    locale,
    text,
    ...(title === undefined ? {} : { title }),
  });
}

export class WebhookChannel implements MessageChannel {
  private readonly timeoutMs: number;
  private readonly clock: () => number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: WebhookChannelOptions) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.clock = options.clock ?? Date.now;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async send(message: MessageRequest): Promise<undefined> {
    const body = webhookBody(message);
    const timestamp = Math.floor(this.clock() / 1000);
    const signature = signWebhook(await this.options.secret(), { id: message.id, timestamp, body });
    const what = `message ${message.id} (${message.channel})`;
    let response: Response;
    try {
      response = await this.fetch(this.options.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": message.id,
          "webhook-id": message.id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signature,
        },
        body,
        // https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      const reason = timedOut ? `no answer within ${this.timeoutMs} ms` : "the request failed";
      throw new RetryableDeliveryError(`${what}: webhook: ${reason}`, { cause: error });
    }
    // The body is read in every case: an unread body keeps the connection from going back to the pool.
    const text = await response.text().catch(() => "");
    if (response.ok) return undefined;
    const status = response.status;
    if (status >= 500 || status === 429) {
      // Not the body: logs carry ids only, and a receiver's error page may quote the message.
      throw new RetryableDeliveryError(`${what}: webhook answered ${status}`);
    }
    throw new PermanentDeliveryError(`${what}: webhook refused it with ${status}`, {
      status,
      response: excerpt(text),
    });
  }
}
