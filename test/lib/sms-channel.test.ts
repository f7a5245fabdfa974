import { describe, expect, it } from "vitest";
import { refId, resourcesOf, synthesize } from "./synth.ts";

// One synth with the SMS channel through Alibaba Cloud SMS, as `cdk deploy -c smsSignName=好物商城` would.
const { app, stack, template } = await synthesize({ smsSignName: "好物商城" });

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

type Statement = { Action: string | string[]; Resource: unknown };
function statementsOf(roleId: string): Statement[] {
  return Object.entries(resourcesOf(template, "AWS::IAM::Policy"))
    .filter(([id]) => id.startsWith(`${roleId}DefaultPolicy`))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe("the SMS channel through Alibaba Cloud SMS", () => {
  it("runs the SMS deliver function with the signature, the template files' codes, the AccessKey secret and the bus", () => {
    // Act
    const sms = stack.channels.channels.find((channel) => channel.name === "sms");
    const functions = resourcesOf(template, "AWS::Lambda::Function");
    const environment = functions[logicalId(sms?.function.function as never)]?.Properties.Environment;
    const variables = (environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};

    // Assess
    expect(sms?.props.provider).toBe("alibaba-sms");
    expect(variables).toMatchObject({
      CHANNEL: "sms",
      SMS_SIGN_NAME: "好物商城",
      ALIBABA_SMS_SECRET_ARN: { Ref: logicalId(stack.channels.alibabaSmsSecret as never) },
      TABLE_NAME: { Ref: logicalId(stack.table.table as never) },
    });
    expect(JSON.parse(String(variables.SMS_TEMPLATES))).toMatchObject({
      expiring: { templateCode: expect.stringMatching(/^SMS_\d+$/) },
    });
    expect(variables.CHANNEL_KIND).toBeUndefined();
  });

  it("grants it only what it uses: the profile and ledger items, its secret, PutEvents on the bus, its dead-letter queue", () => {
    // Act
    const statements = statementsOf("ChannelsDeliverSmsRole");
    const actions = statements.flatMap((s) => [s.Action].flat());

    // Assess
    expect(actions.filter((a) => a.startsWith("dynamodb:"))).toEqual(["dynamodb:GetItem", "dynamodb:PutItem"]);
    expect(actions).toEqual(
      expect.arrayContaining(["secretsmanager:GetSecretValue", "events:PutEvents", "sqs:SendMessage"]),
    );
    expect(actions.filter((a) => a.startsWith("ses:"))).toEqual([]);
    const secretStatement = statements.find((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"));
    expect(refId(secretStatement?.Resource)).toBe(logicalId(stack.channels.alibabaSmsSecret as never));
    // The webhook channels no longer read the AccessKey.
    const push = statementsOf("ChannelsDeliverPushRole").flatMap((s) => [s.Resource].flat());
    expect(push.map(refId)).not.toContain(logicalId(stack.channels.alibabaSmsSecret as never));
  });

  it("keeps the AccessKey in a secret of its own, acknowledged by cdk-nag for rotation only, and synthesizes clean", () => {
    // Act
    const acknowledged = (stack.channels.alibabaSmsSecret?.node.metadata ?? []).filter(
      (m) => m.type === "aws:cdk:acknowledged-rules",
    );
    const synth = () => app.synth();

    // Assess
    expect(acknowledged.flatMap((m) => Object.keys(m.data as object))).toEqual(["Annotation::AwsSolutions-SMG4"]);
    expect(synth).not.toThrow();
  });
});
