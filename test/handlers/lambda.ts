import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { vi } from "vitest";

/**
 * Builders for handler tests: SQS records as Lambda receives them, EventBridge events as a rule's SQS
 * target delivers them, a Lambda context, and a capture of what a function writes to stdout (its JSON
 * log lines and embedded-metric-format records), kept off the test output.
 */

/** The queue the records of `sqsRecord` come from. */
export const QUEUE_ARN = "arn:aws:sqs:cn-north-1:123456789012:nudge-ingest";

let counter = 0;

/** An EventBridge event exactly as the bus delivers it to a rule's target. */
export function bridgeEvent(
  detailType: string,
  detail: Record<string, unknown>,
  options: { id?: string; time?: string; source?: string } = {},
) {
  counter += 1;
  return {
    version: "0",
    id: options.id ?? `0b7e2f6c-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    "detail-type": detailType,
    source: options.source ?? "shop",
    account: "123456789012",
    time: options.time ?? "2026-11-18T02:14:09Z",
    region: "cn-north-1",
    resources: [],
    detail,
  };
}

export function sqsRecord(
  body: unknown,
  options: { messageId?: string; receiveCount?: number; attributes?: SQSRecord["messageAttributes"] } = {},
): SQSRecord {
  counter += 1;
  return {
    messageId: options.messageId ?? `msg-${counter}`,
    receiptHandle: `receipt-${counter}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: "1795000000000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1795000000000",
    },
    messageAttributes: options.attributes ?? {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: QUEUE_ARN,
    awsRegion: "cn-north-1",
  };
}

export const sqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: "nudge-test",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:cn-north-1:123456789012:function:nudge-test",
  memoryLimitInMB: "512",
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
  logGroupName: "/aws/lambda/nudge-test",
  logStreamName: "2026/11/18/[$LATEST]abc",
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

export type OutputLine = Record<string, unknown>;

/**
 * Runs `act` with stdout and stderr captured (Powertools writes errors to stderr): their JSON lines (logs
 * and EMF records), and the raw text.
 */
export async function captureOutput<T>(
  act: () => Promise<T>,
): Promise<{ result: T; lines: OutputLine[]; text: string }> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture),
    vi.spyOn(process.stderr, "write").mockImplementation(capture),
  ];
  try {
    const result = await act();
    const text = chunks.join("");
    const lines = text
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as OutputLine);
    return { result, lines, text };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** The log lines (not EMF records) at a level. */
export const logLines = (lines: OutputLine[], level?: string) =>
  lines.filter((line) => "level" in line && (level === undefined || line.level === level));

/** The metrics of the EMF records: name, value and the record's dimensions. */
export function emfMetrics(lines: OutputLine[]) {
  const metrics: { name: string; value: number; dimensions: Record<string, string> }[] = [];
  for (const line of lines) {
    const aws = line._aws as { CloudWatchMetrics?: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      const dimensions = Object.fromEntries((directive.Dimensions[0] ?? []).map((name) => [name, String(line[name])]));
      for (const { Name } of directive.Metrics) metrics.push({ name: Name, value: Number(line[Name]), dimensions });
    }
  }
  return metrics;
}

/** The sum of a metric over the EMF records, optionally for one journey. */
export const metricSum = (lines: OutputLine[], name: string, journey?: string) =>
  emfMetrics(lines)
    .filter((m) => m.name === name && (journey === undefined || m.dimensions.journey === journey))
    .reduce((sum, m) => sum + m.value, 0);
