import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { refId, resourcesOf, synthesize } from "./synth.ts";

// The app as `cdk deploy -c inboxOrigins=…` builds it: the shop's two origins.
const { stack, template } = await synthesize({ inboxOrigins: "https://shop.example.cn, https://m.shop.example.cn" });

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };
/** The statements of a role's policies (`roleId`: the role's construct path, `InboxApiRole`). */
function statementsOf(roleId: string): Statement[] {
  return Object.entries(resourcesOf(template, "AWS::IAM::Policy"))
    .filter(([id]) => id.startsWith(`${roleId}DefaultPolicy`))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe("the inbox on AWS", () => {
  it("serves the API as a public function URL of a function with a reserved concurrency, the origins, the bus and the token secret", () => {
    // Act
    const api = stack.inbox?.api;
    const url = Object.values(resourcesOf(template, "AWS::Lambda::Url")).find(
      (u) => api !== undefined && refId(u.Properties.TargetFunctionArn) === logicalId(api.function),
    );
    // Assess: no CORS on the URL itself: the function answers it (one answer, the tested one)
    expect(url?.Properties.AuthType).toBe("NONE");
    expect(url?.Properties.Cors).toBeUndefined();
    template.hasResourceProperties("AWS::Lambda::Function", {
      ReservedConcurrentExecutions: 10,
      Environment: {
        Variables: Match.objectLike({
          INBOX_ORIGINS: "https://shop.example.cn,https://m.shop.example.cn",
          INBOX_SECRET_ARN: Match.anyValue(),
          EVENT_BUS_NAME: Match.anyValue(),
          TABLE_NAME: Match.anyValue(),
        }),
      },
    });
    template.hasOutput("InboxApiUrl", {});
    template.hasOutput("InboxSecretArn", {});
  });

  it("lets the API read and update the inbox partitions and read coupons, and nothing else of the table", () => {
    // Act
    const table = statementsOf("InboxApiRole").filter((s) => [s.Action].flat().some((a) => a.startsWith("dynamodb:")));
    const other = statementsOf("InboxApiRole")
      .flatMap((s) => [s.Action].flat())
      .filter((a) => !a.startsWith("dynamodb:") && !a.startsWith("logs:"));
    // Assess
    expect(table.map((s) => ({ actions: [s.Action].flat().sort(), condition: s.Condition }))).toEqual([
      {
        actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
        condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["INBOX#*"] } },
      },
      {
        actions: ["dynamodb:GetItem"],
        condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["COUPON#*"] } },
      },
    ]);
    expect(other.sort()).toEqual([
      "events:PutEvents",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
    ]);
  });

  it("gives the inbox channel a queue with a dead-letter queue and a deliver function that may only put inbox items", () => {
    // Act
    const lane = stack.channels.channels.find((c) => c.name === "inbox");
    const statements = statementsOf("ChannelsDeliverInboxRole");
    // Assess
    expect(lane?.queue.deadLetterQueue).toBeDefined();
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => !/^(logs|sqs):/.test(a))).toEqual([
      "dynamodb:PutItem",
    ]);
    expect(statements.find((s) => s.Action === "dynamodb:PutItem")?.Condition).toEqual({
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["INBOX#*"] },
    });
    template.hasOutput("DeliveryInboxDeadLetterQueueArn", {});
  });
});
