import type { CapacityRun } from "./dynamodb.ts";

/**
 * What a million steps cost on AWS (docs/cost-model.md), worked out from a measured capacity run: DynamoDB's
 * units as dynalite reported them, and the queues' and Lambda's requests from the inputs the run took. On-demand
 * list prices, us-east-1, arm64:
 * https://aws.amazon.com/dynamodb/pricing/on-demand/ · https://aws.amazon.com/sqs/pricing/ ·
 * https://aws.amazon.com/lambda/pricing/
 */
const PRICE = {
  writeUnit: 0.625e-6,
  readUnit: 0.125e-6,
  sqsRequest: 0.4e-6,
  lambdaRequest: 0.2e-6,
  lambdaGbSecond: 0.0000133334,
} as const;

/** SQS batches hold 10 messages; the ingest function takes up to 100 inputs an invocation (batching.ts). */
const SQS_BATCH = 10;
const LAMBDA_BATCH = 100;
/** An ingest invocation: at most 500 ms at 512 MB (5 DynamoDB requests an input, about 5 ms each, concurrently). */
const LAMBDA_GB_SECONDS_A_BATCH = 0.5 * 0.5;
/** On AWS only: a decision in another instance than the last reads the outbox's proof, 0.5 RCU, at most once. */
const PROOF_READ_UNITS_A_DECISION = 0.5;
/**
 * The tick's takes a wake-up (`npm run bench -- --only timers`): 0.049 read and 0.002 write units measured, and its
 * 0.072 Queries counted again at their 0.5-unit minimum, to err on the dear side.
 */
const TICK_UNITS_A_WAKE_UP = { read: 0.049 + 0.072 * 0.5, write: 0.002 };

export interface StepCost {
  /** Dollars per million steps, by part, and in all. */
  dynamoDbWrites: number;
  dynamoDbReads: number;
  proofReads: number;
  tick: number;
  sqs: number;
  lambda: number;
  total: number;
}

/**
 * The cost per million steps of a run. `skipKinds`: operation kinds left out of the reads, the simulator's
 * guardrail checks (`readStats`), which on AWS the tick runs once a minute, a fixed cost.
 */
export function costPerMillionSteps(run: CapacityRun, skipKinds: readonly string[] = ["readStats"]): StepCost {
  const perStep = (n: number) => (1_000_000 * n) / run.steps;
  const skipped = skipKinds.reduce((sum, kind) => sum + (run.byKind[kind]?.read ?? 0), 0);
  const { events, emitted, wakeUps } = run.inputsByKind;
  const inputs = events + emitted + wakeUps;
  // Each shop event is one rule send; each emitted event one send back; wake-ups and receives/deletes in tens.
  const sqsRequests = events + emitted + wakeUps / SQS_BATCH + (2 * inputs) / SQS_BATCH;
  const batches = inputs / LAMBDA_BATCH;
  const parts = {
    dynamoDbWrites: perStep((run.write + run.conditionFailures) * PRICE.writeUnit),
    dynamoDbReads: perStep((run.read - skipped) * PRICE.readUnit),
    proofReads: perStep(run.decisions * PROOF_READ_UNITS_A_DECISION * PRICE.readUnit),
    tick: perStep(
      wakeUps * (TICK_UNITS_A_WAKE_UP.read * PRICE.readUnit + TICK_UNITS_A_WAKE_UP.write * PRICE.writeUnit),
    ),
    sqs: perStep(sqsRequests * PRICE.sqsRequest),
    lambda: perStep(batches * (PRICE.lambdaRequest + LAMBDA_GB_SECONDS_A_BATCH * PRICE.lambdaGbSecond)),
  };
  const total = Object.values(parts).reduce((sum, dollars) => sum + dollars, 0);
  return { ...parts, total };
}
