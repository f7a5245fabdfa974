import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { stackOfTable } from "../../functions/cli/dead-letters.ts";
import { main } from "../../functions/cli/main.ts";
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
