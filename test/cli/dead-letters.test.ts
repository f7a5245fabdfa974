import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  SQSClient,
  type SQSClientResolvedConfig,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { createIngestHandler, ingestDependencies } from "../../functions/handlers/ingest.ts";
import {
  DEAD_LETTER_QUEUE_NAME,
  LocalQueue,
  queueJournalPath,
  readQueueJournal,
} from "../../functions/local/local-queue.ts";
import { localQueueUrl, localSqsClient } from "../../functions/local/local-sqs.ts";
import { localContext, localQueueArn, recordOf } from "../../functions/local/pump.ts";
import { bridgeEvent, captureOutput } from "../handlers/lambda.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { freshTable } from "../setup/dynalite.ts";
import { capture } from "./capture-io.ts";

const T0 = Date.parse("2026-11-18T02:14:09Z");

/**
 * A local platform's queues as `nudge start` leaves them under `<dir>/queues/`, filled by the real ingest
 * handler over the local queues: one event rejected (a user id of 1,500 characters: dead-lettered at once
 * with its reason) and one event that failed its only delivery (moved by the queue after maxReceiveCount).
 */
async function localPlatformWithDeadLetters() {
  const dir = mkdtempSync(join(tmpdir(), "nudge-dead-letters-"));
  const options = { clock: () => T0, visibilityTimeoutMs: 0 };
  const journal = (name: string) => queueJournalPath(dir, name);
  const deadLetters = new LocalQueue({
    ...options,
    name: DEAD_LETTER_QUEUE_NAME,
    journalPath: journal(DEAD_LETTER_QUEUE_NAME),
  });
  const ingest = new LocalQueue({
    ...options,
    name: "ingest",
    journalPath: journal("ingest"),
    maxReceiveCount: 1,
    deadLetter: deadLetters,
  });
  const { client, tableName } = await freshTable();
  const env = {
    TABLE_NAME: tableName,
    INGEST_QUEUE_URL: localQueueUrl("ingest"),
    DELIVERY_QUEUE_URLS: JSON.stringify({ push: localQueueUrl("ingest") }),
    DEAD_LETTER_QUEUE_URLS: JSON.stringify({ [localQueueArn("ingest")]: localQueueUrl(DEAD_LETTER_QUEUE_NAME) }),
  };
  const sqs = localSqsClient([ingest, deadLetters]);
  const handler = createIngestHandler(
    ingestDependencies(env, { dynamodb: client, sqs, clock: () => T0, journeys: loadSeedJourneys() }),
  );
  const rejected = bridgeEvent("user.registered", { userId: "u".repeat(1_500) }, { id: "evt-long-user" });
  const failing = bridgeEvent(
    "order.placed",
    { userId: "u-1", orderId: "o-1", amount: 10, currency: "CNY" },
    { id: "evt-failing" },
  );
  ingest.send([{ body: JSON.stringify(rejected) }]);
  const [message] = ingest.receive(10);
  if (message === undefined) throw new Error("no message received");
  const { result } = await captureOutput(() => handler({ Records: [recordOf(message, ingest)] }, localContext));
  if (result?.batchItemFailures.length === 0) ingest.delete([message.id]);
  // The failing event: received once, never deleted (its function failed), moved at the next receive.
  ingest.send([{ body: JSON.stringify(failing) }]);
  ingest.receive(10);
  ingest.receive(10);
  sqs.destroy();
  return { dir, ids: deadLetters.peek().map((m) => m.id) };
}

describe("nudge dead-letters, locally", () => {
  it("lists each dead letter with where it came from and why, shows one whole, and redrives them to their queue", async () => {
    // Prepare
    const { dir, ids } = await localPlatformWithDeadLetters();
    const [rejectedId, failedId] = ids;
    // Act
    const list = capture();
    const listed = await main(["dead-letters", "list", "--dir", dir], list);
    const show = capture();
    const shown = await main(["dead-letters", "show", String(rejectedId), "--dir", dir], show);
    const redrive = capture();
    const redriven = await main(["dead-letters", "redrive", "--dir", dir], redrive);
    // Assess
    expect([listed, shown, redriven]).toEqual([0, 0, 0]);
    expect(ids).toHaveLength(2);
    expect(list.out).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${rejectedId}  dead-letters \\(from ingest\\)  2026-11-18T02:14:09.000Z  event user.registered evt-long-user\\n  rejected: event evt-long-user: detail.userId: is 1500 bytes long, more than the 512 an id may have`,
        ),
      ),
      `${failedId}  dead-letters (from ingest)  2026-11-18T02:14:09.000Z  event order.placed evt-failing\n  failed every delivery (the queue's maxReceiveCount): the function's log has why, under its message id`,
    ]);
    expect(show.out).toContain("Attributes:");
    expect(show.out).toContain("  nudge-failure: rejected");
    expect(show.out.join("\n")).toContain('"id": "evt-long-user"');
    expect(redrive.out).toEqual(["2 redriven to ingest."]);
    expect(readQueueJournal(queueJournalPath(dir, DEAD_LETTER_QUEUE_NAME))).toEqual([]);
    const back = readQueueJournal(queueJournalPath(dir, "ingest")).map((m) => JSON.parse(m.body).id);
    expect(back).toEqual(["evt-long-user", "evt-failing"]);
  });

  it("redrives only the ids given, and refuses an unknown id or a folder whose platform runs", async () => {
    // Prepare
    const { dir, ids } = await localPlatformWithDeadLetters();
    // Act
    const unknown = capture();
    const unknownCode = await main(["dead-letters", "redrive", "ingest-nope", "--dir", dir], unknown);
    const one = capture();
    const oneCode = await main(["dead-letters", "redrive", String(ids[1]), "--dir", dir], one);
    writeFileSync(join(dir, "lock"), String(process.pid)); // this process is the running platform
    const locked = capture();
    const lockedCode = await main(["dead-letters", "redrive", "--dir", dir], locked);
    // Assess: the command ran and could not do it (exit 1, as a show of an unknown id), not a usage problem.
    expect(unknownCode).toBe(1);
    expect(unknown.err[0]).toContain("no dead letter ingest-nope");
    expect(oneCode).toBe(0);
    expect(one.out).toEqual(["1 redriven to ingest."]);
    expect(readQueueJournal(queueJournalPath(dir, DEAD_LETTER_QUEUE_NAME)).map((m) => m.id)).toEqual([ids[0]]);
    expect(lockedCode).toBe(1);
    expect(locked.err[0]).toContain(`is in use by process ${process.pid}`);
  });

  it("says so when there are none, and refuses a show of an unknown id", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "nudge-dead-letters-"));
    const list = capture();
    const show = capture();
    // Act
    const listed = await main(["dead-letters", "list", "--dir", dir], list);
    const shown = await main(["dead-letters", "show", "x", "--dir", dir], show);
    // Assess
    expect(listed).toBe(0);
    expect(list.out).toEqual(["No dead letters."]);
    expect(shown).toBe(1);
    expect(show.err).toEqual([`no dead letter x in ${dir}`]);
  });
});

const QUEUES = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012";
const INGEST_DLQ = `${QUEUES}/Nudge-test-IngestQueueDeadLetterQueue5F2C1D3E-dEf`;
const INGEST = `${QUEUES}/Nudge-test-IngestQueue9E1A6B0C-AbC`;
const arnOf = (url: string) => `arn:aws:sqs:cn-north-1:123456789012:${url.slice(url.lastIndexOf("/") + 1)}`;

describe("nudge dead-letters, on AWS", () => {
  // Mocked per test, not for the file: the local tests' SQS client is served by the local queues.
  let sqs: AwsStub<ServiceInputTypes, ServiceOutputTypes, SQSClientResolvedConfig>;
  beforeEach(() => {
    sqs = mockClient(SQSClient);
  });
  afterEach(() => sqs.restore());

  /** The stack's queues as SQS lists them, the ingest dead-letter queue holding what the ingest function sent. */
  function stackQueues() {
    sqs.on(ListQueuesCommand, { QueueNamePrefix: "Nudge-test" }).resolves({ QueueUrls: [INGEST, INGEST_DLQ] });
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: INGEST_DLQ })
      .resolvesOnce({
        Messages: [
          {
            MessageId: "5fea7756-0ea4-451a-a703-a558b933e274",
            Body: JSON.stringify(bridgeEvent("user.registered", { userId: "u".repeat(1_500) }, { id: "evt-1" })),
            Attributes: { SentTimestamp: String(T0) },
            MessageAttributes: {
              "nudge-failure": { DataType: "String", StringValue: "rejected" },
              "nudge-reason": { DataType: "String", StringValue: "event evt-1: detail.userId: is 1500 bytes long" },
            },
          },
          {
            MessageId: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
            Body: JSON.stringify(bridgeEvent("order.placed", { userId: "u-2" }, { id: "evt-2" })),
            Attributes: { SentTimestamp: String(T0), DeadLetterQueueSourceArn: arnOf(INGEST) },
            MessageAttributes: {
              ERROR_CODE: { DataType: "String", StringValue: "SDK_CLIENT_ERROR" },
              ERROR_MESSAGE: { DataType: "String", StringValue: "Unable to invoke the target" },
            },
          },
        ],
      })
      .resolves({ Messages: [] });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: INGEST_DLQ })
      .resolves({ Attributes: { QueueArn: arnOf(INGEST_DLQ) } });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: INGEST }).resolves({ Attributes: { QueueArn: arnOf(INGEST) } });
    sqs.on(ListDeadLetterSourceQueuesCommand, { QueueUrl: INGEST_DLQ }).resolves({ queueUrls: [INGEST] });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "task-1" });
  }

  it("lists the stack's dead letters with their reasons, without deleting them", async () => {
    // Prepare
    stackQueues();
    const io = capture();
    // Act
    const code = await main(["dead-letters", "list", "--stack", "Nudge-test", "--region", "cn-north-1"], io);
    // Assess
    expect(code).toBe(0);
    expect(io.out).toEqual([
      "5fea7756-0ea4-451a-a703-a558b933e274  IngestQueueDeadLetterQueue5F2C1D3E-dEf  2026-11-18T02:14:09.000Z  event user.registered evt-1\n  rejected: event evt-1: detail.userId: is 1500 bytes long",
      "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d  IngestQueueDeadLetterQueue5F2C1D3E-dEf (from Nudge-test-IngestQueue9E1A6B0C-AbC)  2026-11-18T02:14:09.000Z  event order.placed evt-2\n  EventBridge could not deliver it: SDK_CLIENT_ERROR: Unable to invoke the target",
    ]);
    const receive = sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input;
    expect(receive).toMatchObject({ QueueUrl: INGEST_DLQ, MessageAttributeNames: ["All"], VisibilityTimeout: 30 });
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(2);
  });

  it("redrives a stack's dead-letter queue to its source queue with StartMessageMoveTask", async () => {
    // Prepare
    stackQueues();
    const io = capture();
    // Act
    const code = await main(
      ["dead-letters", "redrive", "--stack", "Nudge-test", "--queue", "ingest", "--region", "cn-north-1"],
      io,
    );
    // Assess
    expect(code).toBe(0);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([
      { SourceArn: arnOf(INGEST_DLQ), DestinationArn: arnOf(INGEST) },
    ]);
    expect(io.out).toEqual([
      "IngestQueueDeadLetterQueue5F2C1D3E-dEf: moving its messages to Nudge-test-IngestQueue9E1A6B0C-AbC (task task-1).",
    ]);
  });

  it("refuses a queue name that matches none of the stack's dead-letter queues", async () => {
    // Prepare
    stackQueues();
    const io = capture();
    // Act
    const code = await main(
      ["dead-letters", "redrive", "--stack", "Nudge-test", "--queue", "ingets", "--region", "cn-north-1"],
      io,
    );
    // Assess
    expect(code).toBe(2);
    expect(io.err[0]).toContain('no dead-letter queue of stack Nudge-test matches "ingets"');
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });
});
