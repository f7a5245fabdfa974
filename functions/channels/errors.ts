/**
 * How a channel says a message did not go out. The deliver function reads the class: a retryable failure
 * fails the record (SQS delivers it again, after a backoff), a permanent one goes to the channel's
 * dead-letter queue at once with what the provider answered, and is not retried.
 */
import { NudgeError } from "../shared/errors.ts";

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

/**
 * The start of a provider's answer, as an SQS message attribute may hold it: characters SQS refuses
 * (control characters other than tab and line breaks) replaced.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export function excerpt(text: string): string {
  const allowed = text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD");
  return allowed.length > RESPONSE_EXCERPT_CHARACTERS
    ? `${allowed.slice(0, RESPONSE_EXCERPT_CHARACTERS - 1)}…`
    : allowed;
}
