import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { stackOfTable } from "../../functions/cli/dead-letters.ts";
import { main } from "../../functions/cli/main.ts";
import { DynamoDbStore } from "../../functions/store/dynamodb/dynamodb-store.ts";
import { freshTable } from "../setup/dynalite.ts";
import { capture } from "./capture-io.ts";

const QUEUES = "https://sqs.cn-north-1.amazonaws.com.cn/123456789012";

describe("nudge status on AWS", () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());

  it("counts the messages in the stack's dead-letter queues, found by name", async () => {
    // Prepare: the stack's queues, two of them dead-letter queues holding messages (SQS can't run here).
    const { endpoint, tableName } = await freshTable();
    sqs.on(ListQueuesCommand, { QueueNamePrefix: "Nudge-test" }).resolves({
      QueueUrls: [
        `${QUEUES}/Nudge-test-QueuesIngestQueue9E1A6B0C-AbC`,
        `${QUEUES}/Nudge-test-QueuesIngestDeadLetterQueue5F2C1D3E-dEf`,
        `${QUEUES}/Nudge-test-ChannelsPushDeadLetterQueueA1B2C3D4-gHi`,
      ],
    });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: `${QUEUES}/Nudge-test-QueuesIngestDeadLetterQueue5F2C1D3E-dEf` })
      .resolves({ Attributes: { ApproximateNumberOfMessages: "3" } })
      .on(GetQueueAttributesCommand, { QueueUrl: `${QUEUES}/Nudge-test-ChannelsPushDeadLetterQueueA1B2C3D4-gHi` })
      .resolves({ Attributes: { ApproximateNumberOfMessages: "2" } });
    const io = capture();
    // Act
    const code = await main(
      [
        "status",
        "--table",
        tableName,
        "--dynamodb-endpoint",
        endpoint,
        "--stack",
        "Nudge-test",
        "--region",
        "cn-north-1",
      ],
      io,
    );
    // Assess
    expect(code).toBe(0);
    expect(io.out.at(-1)).toBe(
      "Dead letters: 5 in 2 dead-letter queues of Nudge-test (QueuesIngestDeadLetterQueue5F2C1D3E-dEf 3, ChannelsPushDeadLetterQueueA1B2C3D4-gHi 2); `nudge dead-letters list --stack Nudge-test` shows why",
    );
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(2);
  });

  it("reads the stack's name from the table's CloudFormation name, or asks for it", () => {
    // Act / Assess
    expect(stackOfTable("Nudge-prod-TableCD117FA1-1X2Y3Z4W5V6U")).toBe("Nudge-prod");
    expect(stackOfTable("my-own-table")).toBeUndefined();
  });
});

describe("nudge status: campaigns", () => {
  it("shows each campaign's last occurrence, entered so far while its members' clocks reach it, its members now and the next", async () => {
    // Prepare: member day's occurrence of Friday 4 December, raised Thursday 20:00 UTC; its members entering
    // zone by zone (two entered, one held out so far), three members in the segment's index.
    const { endpoint, tableName, client } = await freshTable();
    const store = new DynamoDbStore(client, { tableName });
    const counter = (day: string, name: string, amount: number) => ({
      journeyId: "member-day",
      version: 1,
      day,
      name,
      amount,
    });
    await store.addStats([
      counter("2026-12-04", "entered", 2),
      counter("2026-12-04", "holdout", 1),
      counter("2026-11-27", "entered", 9),
    ]);
    await store.indexSegmentChanges(
      ["u1", "u2", "u3"].map((userId) => ({
        id: `seg-${userId}`,
        source: "nudge",
        "detail-type": "segment.entered",
        time: "2026-12-01T00:00:00Z",
        detail: { userId, segment: "silver-and-above" },
      })),
    );
    const status = (now: string) => {
      const io = capture();
      const args = ["status", "--table", tableName, "--dynamodb-endpoint", endpoint, "--now", now];
      return main(args, io).then((code) => ({ code, io }));
    };
    // Act: at noon UTC (Los Angeles still to come), then the next day.
    const sending = await status("2026-12-04T12:00:00Z");
    const done = await status("2026-12-05T12:00:00Z");
    // Assess
    expect(sending.code).toBe(0);
    const line = (io: ReturnType<typeof capture>) => io.out.find((l) => l.startsWith("  member-day:"));
    expect(line(sending.io)).toBe(
      "  member-day: last 2026-12-04T10:00: 2 entered, 1 in the holdout (sending: entries go on until 2026-12-04T22:00:00Z); 3 members now; next 2026-12-11T10:00",
    );
    expect(line(done.io)).toBe(
      "  member-day: last 2026-12-04T10:00: 2 entered, 1 in the holdout (done); 3 members now; next 2026-12-11T10:00",
    );
  });
});
