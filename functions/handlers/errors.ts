import { NudgeError } from "../engine/errors.ts";

/** A send to SQS or EventBridge that failed after the client's retries. */
export class SendError extends NudgeError {}
