/**
 * How a channel says a message did not go out. The deliver function reads the class: a retryable failure
 * fails the record (SQS delivers it again, after a backoff), a permanent one goes to the channel's
 * dead-letter queue at once with what the provider answered, and is not retried.
 */
import { NudgeError } from "../engine/errors.ts";

/** The provider may take the message later: a 5xx, a 429, throttling, a network error or a timeout. */
export class RetryableDeliveryError extends NudgeError {}

/** What a provider answered when it refused a message for good. */
export interface Refusal {
  /** The HTTP status, when the provider answered over HTTP. */
  status?: number;
  /** The provider's error code (SES: `MessageRejected`, `BadRequestException`...). */
  code?: string;
  /** The start of the provider's response body (RESPONSE_EXCERPT_CHARACTERS at most). */
  response?: string;
}

/** The provider refused the message and will refuse it again: a 4xx other than 429, SES rejecting it. */
export class PermanentDeliveryError extends NudgeError {
  constructor(
    message: string,
    readonly refusal: Refusal,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How much of a provider's response is kept with a dead letter (SQS message attributes are small). */
export const RESPONSE_EXCERPT_CHARACTERS = 1024;

export const excerpt = (text: string) =>
  text.length > RESPONSE_EXCERPT_CHARACTERS ? `${text.slice(0, RESPONSE_EXCERPT_CHARACTERS - 1)}…` : text;
