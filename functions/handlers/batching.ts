/**
 * Inputs per ingest invocation: the SQS event sources' batch size (lib/nudge-stack.ts). A batch ends with one
 * flush (the hand-on proof, the coupon settlements no charge carried, the statistics), so the per-batch writes
 * a step costs depend on it; the DynamoDB benchmark simulates with the same batch.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
 */
export const INGEST_BATCH_SIZE = 100;
