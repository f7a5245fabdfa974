import { NudgeError } from "../shared/errors.ts";

/** A send to SQS or EventBridge that failed after the client's retries. */
export class SendError extends NudgeError {}

/** A message request for a channel that has no delivery queue (DELIVERY_QUEUE_URLS). */
export class UnroutableMessageError extends NudgeError {}
