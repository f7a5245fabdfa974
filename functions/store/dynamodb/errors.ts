import { NudgeError } from "../../shared/errors.ts";

/**
 * A DynamoDB request that failed for good: the SDK's standard retry strategy gave up on throttling
 * (`ProvisionedThroughputExceededException`, `ThrottlingException`) or a network error, or the request
 * was refused. The message names the store operation and the item key; the SDK's error is the `cause`.
 */
export class StoreError extends NudgeError {}

/** The condition of a conditional write did not hold (someone else wrote first, or the item exists). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** "ThrottlingException: Rate exceeded (after 3 attempts)" */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
  const code = (error as { code?: unknown }).code;
  const name = error.name === "Error" && typeof code === "string" ? code : error.name;
  return `${name}: ${error.message}${attempts === undefined ? "" : ` (after ${attempts} attempt${attempts === 1 ? "" : "s"})`}`;
}
