import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/** What the findings concern: the stack's two channel secrets and its functions. */
export interface NagSubjects {
  channels: {
    webhookSecret: IConstruct;
    unsubscribeSecret: IConstruct;
    alibabaSmsSecret?: IConstruct | undefined;
    wechatSecret?: IConstruct | undefined;
  };
  inbox?: { secret: IConstruct } | undefined;
  functions: Record<string, { function: IConstruct }>;
}

/**
 * The cdk-nag AwsSolutions findings this stack acknowledges, each on the one construct it concerns and
 * with its reason. Anything else cdk-nag finds fails the synth.
 */
export function acknowledgeFindings(stack: NagSubjects): void {
  for (const secret of [stack.channels.webhookSecret, stack.channels.unsubscribeSecret]) {
    Validations.of(secret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "Rotating the webhook secret needs the receivers to accept the new one first, and rotating the unsubscribe secret would void every unsubscribe link in mailboxes; both are rotated by hand (docs/channels.md), not by a rotation Lambda.",
    });
  }
  if (stack.channels.alibabaSmsSecret !== undefined) {
    Validations.of(stack.channels.alibabaSmsSecret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "An Alibaba Cloud AccessKey is issued by Alibaba Cloud's RAM, not by AWS: it is rotated there and then put in this secret by hand (docs/channels/sms.md); a rotation Lambda could not create one.",
    });
  }
  if (stack.channels.wechatSecret !== undefined) {
    Validations.of(stack.channels.wechatSecret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "The WeChat AppSecret is reset in the WeChat console (mp.weixin.qq.com), not by AWS: a rotation Lambda cannot change it; the operator puts the new one in the secret (docs/channels/wechat.md).",
    });
  }
  if (stack.inbox !== undefined) {
    Validations.of(stack.inbox.secret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "The inbox token secret is shared with the shop's backend, which mints the tokens: a rotation must reach the backend at the same moment, so it is rotated by hand (docs/channels/inbox.md), not by a rotation Lambda.",
    });
  }
  for (const fn of Object.values(stack.functions)) {
    Validations.of(fn.function).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "Node.js 22 (LTS, supported by Lambda until 2027) is the runtime the bundles target and were measured on (lib/bundling.ts); moving to Node.js 24 is a deliberate upgrade with its own test and benchmark pass.",
    });
  }
}
