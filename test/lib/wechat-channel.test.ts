import { describe, expect, it } from "vitest";
import { refId, resourcesOf, synthesize } from "./synth.ts";

// The stack as `cdk deploy -c wechatSubscribe=formal` builds it: the wechat channel sends subscribe messages.
const { app, stack, template } = await synthesize({ wechatSubscribe: "formal" });

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

describe("the wechat channel through WeChat subscribe messages (CDK)", () => {
  const lane = stack.channels.channels.find((channel) => channel.key === "wechat");

  it("has its own deliver function, consuming a queue with a dead-letter queue, configured with the secret", () => {
    // Act
    const fn = resourcesOf(template, "AWS::Lambda::Function")[logicalId(lane?.function.function as never)];
    const queue = resourcesOf(template, "AWS::SQS::Queue")[logicalId(lane?.queue.queue as never)];

    // Assess
    expect(lane?.props.provider).toBe("wechat-subscribe");
    const variables =
      (fn?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    expect(variables).toMatchObject({ CHANNEL: "wechat", WECHAT_MINIPROGRAM_STATE: "formal" });
    expect(refId(variables.WECHAT_SECRET_ARN)).toBe(logicalId(stack.channels.wechatSecret as never));
    expect(variables.WECHAT_API_BASE).toBeUndefined();
    expect(
      refId((queue?.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn),
    ).toBe(logicalId(lane?.queue.deadLetterQueue as never));
  });

  it("may read its secret and touch only users, the ledger and the shared token in the table", () => {
    // Act
    const roleId = "ChannelsDeliverWechatRole";
    const statements = Object.entries(resourcesOf(template, "AWS::IAM::Policy"))
      .filter(([id]) => id.startsWith(`${roleId}DefaultPolicy`))
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

    // Assess
    const table = statements.find((s) => [s.Action].flat().includes("dynamodb:GetItem"));
    expect([table?.Action].flat().sort()).toEqual(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
    expect(table?.Condition).toEqual({
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["USER#*", "EFFECT#*", "SHARED#wechat-token#*"] },
    });
    const secret = statements.find((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"));
    expect(refId(secret?.Resource)).toBe(logicalId(stack.channels.wechatSecret as never));
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((action) => action.startsWith("dynamodb:"))).toHaveLength(3);
    expect(actions).not.toContain("events:PutEvents");
  });

  it("synthesizes with cdk-nag finding nothing but the acknowledged secret rotation", () => {
    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
    const acknowledged = stack.channels.wechatSecret?.node.metadata.filter(
      (m) => m.type === "aws:cdk:acknowledged-rules",
    );
    expect(acknowledged?.map((m) => Object.keys(m.data as object)[0])).toEqual(["Annotation::AwsSolutions-SMG4"]);
  });
});
