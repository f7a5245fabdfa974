import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { InvalidJourneyError } from "../../functions/shared/errors.ts";
import { batchSizeFor, DEFAULT_CHANNELS, laneRates, maxConcurrencyFor } from "../../lib/channel-props.ts";
import { NudgeStack } from "../../lib/nudge-stack.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { PROJECT_ROOT, refId, resourcesOf, synthesize } from "./synth.ts";

// One synth with every provider configured, as `cdk deploy -c webhookUrl=… -c emailFrom=…` would.
const { stack, template } = await synthesize({
  webhookUrl: "https://gateway.shop.example.cn/nudge",
  emailFrom: '"好物商城" <news@shop.example.cn>',
  sesConfigurationSet: "nudge-marketing",
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** A resource's function environment variables. */
const variablesOf = (resource: { Properties: Record<string, unknown> } | undefined) =>
  (resource?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};

type Statement = { Action: string | string[]; Resource: unknown };
/** The actions and resources a role's policies grant (`roleId`: the role's construct path, `ChannelsDeliverPushRole`). */
function actionsOf(roleId: string): { actions: string[]; resources: unknown[] } {
  const policies = Object.entries(resourcesOf(template, "AWS::IAM::Policy")).filter(([id]) =>
    id.startsWith(`${roleId}DefaultPolicy`),
  );
  const statements = policies.flatMap(
    ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  return {
    actions: statements.flatMap((s) => [s.Action].flat()),
    resources: statements.flatMap((s) => [s.Resource].flat()),
  };
}

describe("delivery channels", () => {
  it("gives every channel a lane, and one a campaign sends on a second, each a queue with its dead-letter queue and a deliver function consuming it at a bounded concurrency", () => {
    // Act
    const queues = resourcesOf(template, "AWS::SQS::Queue");
    const mappings = Object.values(resourcesOf(template, "AWS::Lambda::EventSourceMapping"));
    // Assess
    // member-day and presale-warmup send on push: its campaigns' lane; every channel has a transactional one.
    expect(stack.channels.channels.map((c) => c.key)).toEqual([
      "push-campaigns",
      "push-transactional",
      "push",
      "sms-transactional",
      "sms",
      "wechat-transactional",
      "wechat",
      "email-transactional",
      "email",
      "inbox-transactional",
      "inbox",
    ]);
    for (const channel of stack.channels.channels) {
      const queue = queues[logicalId(channel.queue.queue)];
      expect(
        refId((queue?.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn),
      ).toBe(logicalId(channel.queue.deadLetterQueue));
      const mapping = mappings.find((m) => refId(m.Properties.EventSourceArn) === logicalId(channel.queue.queue));
      expect(mapping?.Properties).toMatchObject({
        FunctionName: { Ref: logicalId(channel.function.function) },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: channel.maxConcurrency },
      });
    }
  });

  it("tells each lane's deliver function its share of the channel's rate and how many instances share it: together they never exceed the rate", () => {
    // Act
    const functions = resourcesOf(template, "AWS::Lambda::Function");
    const envOf = (key: string) => {
      const channel = stack.channels.channels.find((c) => c.key === key);
      return variablesOf(channel === undefined ? undefined : functions[logicalId(channel.function.function)]);
    };
    // Assess: by default the campaigns' lane half the rate (campaignShare), the transactional a tenth
    // (transactionalShare, at least 1), the journeys' the rest.
    expect(envOf("push")).toMatchObject({ CHANNEL: "push", RATE_PER_SECOND: "40", MAX_CONCURRENCY: "4" });
    expect(envOf("push-campaigns")).toMatchObject({ CHANNEL: "push", RATE_PER_SECOND: "50", MAX_CONCURRENCY: "5" });
    expect(envOf("push-transactional")).toMatchObject({ CHANNEL: "push", RATE_PER_SECOND: "10" });
    expect(envOf("sms")).toMatchObject({ CHANNEL: "sms", RATE_PER_SECOND: "18", MAX_CONCURRENCY: "2" });
    expect(envOf("sms-transactional")).toMatchObject({ CHANNEL: "sms", RATE_PER_SECOND: "2", MAX_CONCURRENCY: "2" });
    expect(envOf("email")).toMatchObject({ CHANNEL: "email", RATE_PER_SECOND: "13", MAX_CONCURRENCY: "2" });
    expect(envOf("email-transactional")).toMatchObject({ CHANNEL: "email", RATE_PER_SECOND: "1" });
    const all = ["campaigns", "transactional", "journeys"] as const;
    for (const channel of Object.values(DEFAULT_CHANNELS)) {
      const rates = laneRates(channel, all);
      expect((rates.journeys ?? 0) + (rates.campaigns ?? 0) + (rates.transactional ?? 0)).toBe(channel.ratePerSecond);
    }
    expect(laneRates({ ratePerSecond: 100, campaignShare: 0.8 }, all)).toEqual({
      campaigns: 80,
      transactional: 10,
      journeys: 10,
    });
    expect(laneRates({ ratePerSecond: 100, transactionalShare: 0.3 }, ["transactional", "journeys"])).toEqual({
      transactional: 30,
      journeys: 70,
    });
    for (const rate of [1, 14, 20, 100, 5_000, 100_000]) {
      const concurrency = maxConcurrencyFor(rate);
      expect(concurrency).toBeGreaterThanOrEqual(2); // SQS event sources' minimum maximum concurrency
      expect(concurrency).toBeLessThanOrEqual(1000);
      // A full batch at one instance's share of the rate fits well within the 60 s timeout.
      expect(batchSizeFor(rate) / (rate / concurrency)).toBeLessThanOrEqual(20);
    }
  });

  it("configures the webhook channels with the URL and the signing secret, and the email channel with SES, the table and the unsubscribe route", () => {
    // Act
    const push = actionsOf("ChannelsDeliverPushRole");
    const email = actionsOf("ChannelsDeliverEmailRole");
    // Assess
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          CHANNEL: "push",
          CHANNEL_KIND: "webhook",
          WEBHOOK_URL: "https://gateway.shop.example.cn/nudge",
          WEBHOOK_SECRET_ARN: { Ref: logicalId(stack.channels.webhookSecret) },
        }),
      },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          CHANNEL: "email",
          EMAIL_FROM: '"好物商城" <news@shop.example.cn>',
          SES_CONFIGURATION_SET: "nudge-marketing",
          UNSUBSCRIBE_URL: {
            "Fn::GetAtt": [Match.stringLikeRegexp("^ChannelsUnsubscribeFunctionFunctionUrl"), "FunctionUrl"],
          },
          UNSUBSCRIBE_SECRET_ARN: { Ref: logicalId(stack.channels.unsubscribeSecret) },
          TABLE_NAME: Match.anyValue(),
        }),
      },
    });
    expect(push.actions).toContain("secretsmanager:GetSecretValue");
    expect(push.actions.filter((a) => a.startsWith("dynamodb:") || a.startsWith("ses:"))).toEqual([]);
    expect(email.actions).toEqual(expect.arrayContaining(["ses:SendEmail", "dynamodb:GetItem"]));
    expect(email.actions.filter((a) => a.startsWith("dynamodb:"))).toEqual(["dynamodb:GetItem", "dynamodb:PutItem"]);
    const ses = JSON.stringify(email.resources);
    for (const part of [
      ":identity/shop.example.cn",
      ":identity/news@shop.example.cn",
      ":configuration-set/nudge-marketing",
    ]) {
      expect(ses).toContain(part);
    }
    // Ingest routes by channel and lane: a JSON map of queue URLs a lane (the journeys' four, the transactional
    // four, the campaigns' one: push), each lane's queues in its own map alone.
    const ingest = resourcesOf(template, "AWS::Lambda::Function")[logicalId(stack.functions.ingest.function)];
    const variables = {
      journeys: JSON.stringify(variablesOf(ingest).DELIVERY_QUEUE_URLS),
      campaigns: JSON.stringify(variablesOf(ingest).CAMPAIGN_DELIVERY_QUEUE_URLS),
      transactional: JSON.stringify(variablesOf(ingest).TRANSACTIONAL_DELIVERY_QUEUE_URLS),
    };
    for (const channel of stack.channels.channels) {
      for (const [lane, urls] of Object.entries(variables)) {
        if (lane === channel.lane) expect(urls).toContain(logicalId(channel.queue.queue));
        else expect(urls).not.toContain(logicalId(channel.queue.queue));
      }
    }
  });

  it("serves the unsubscribe route as a public function URL of a function with a reserved concurrency, and names it in the outputs", () => {
    // Act
    const urls = Object.values(resourcesOf(template, "AWS::Lambda::Url"));
    const unsubscribe = urls.find(
      (url) => refId(url.Properties.TargetFunctionArn) === logicalId(stack.channels.unsubscribe.function),
    );
    // Assess: the unsubscribe route's and the inbox API's
    expect(urls).toHaveLength(2);
    expect(unsubscribe?.Properties).toMatchObject({
      AuthType: "NONE",
      TargetFunctionArn: { "Fn::GetAtt": [logicalId(stack.channels.unsubscribe.function), "Arn"] },
    });
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunctionUrl",
      FunctionUrlAuthType: "NONE",
      Principal: "*",
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      ReservedConcurrentExecutions: 5,
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: Match.anyValue() }) },
    });
    template.hasOutput("UnsubscribeUrl", {});
    template.hasOutput("DeliveryPushDeadLetterQueueArn", {});
    template.hasOutput("DeliveryEmailDeadLetterQueueArn", {});
    template.hasOutput("DeliveryPushTransactionalDeadLetterQueueArn", {});
  });

  it("gives a stack without campaigns no campaigns' lane and no campaigns' map; refuses a share that is none, and shares that leave the journeys none", () => {
    // Prepare: the shipped journeys without the campaigns.
    const journeys = loadSeedJourneys().filter((journey) => journey.trigger.type !== "schedule");
    const app = () => new App({ context: { "aws:cdk:bundling-stacks": [] } });
    // Act
    const plain = new NudgeStack(app(), "Nudge-test", { stage: "test", journeys, projectRoot: PROJECT_ROOT });
    const shared = () =>
      new NudgeStack(app(), "Nudge-test", {
        stage: "test",
        journeys: loadSeedJourneys(),
        projectRoot: PROJECT_ROOT,
        channels: {
          push: { provider: "webhook", ratePerSecond: 100, campaignShare: 1 },
          sms: DEFAULT_CHANNELS.sms as never,
          email: DEFAULT_CHANNELS.email as never,
          inbox: DEFAULT_CHANNELS.inbox as never,
        },
      });
    // Assess
    expect(plain.channels.channels.map((c) => `${c.key} ${c.lane}`)).toEqual([
      "push-transactional transactional",
      "push journeys",
      "sms-transactional transactional",
      "sms journeys",
      "wechat-transactional transactional",
      "wechat journeys",
      "email-transactional transactional",
      "email journeys",
      "inbox-transactional transactional",
      "inbox journeys",
    ]);
    const functions = Object.values(resourcesOf(Template.fromStack(plain), "AWS::Lambda::Function"));
    const ingest = functions.find(
      (fn) => variablesOf(fn).INGEST_QUEUE_URL !== undefined && variablesOf(fn).DELIVERY_QUEUE_URLS,
    );
    expect(Object.keys(variablesOf(ingest))).toContain("DELIVERY_QUEUE_URLS");
    expect(Object.keys(variablesOf(ingest))).not.toContain("CAMPAIGN_DELIVERY_QUEUE_URLS");
    expect(shared).toThrow("channel push: campaignShare: expected a number between 0 and 1");
    const greedy = () =>
      new NudgeStack(app(), "Nudge-test", {
        stage: "test",
        journeys: loadSeedJourneys(),
        projectRoot: PROJECT_ROOT,
        channels: {
          push: { provider: "webhook", ratePerSecond: 100, campaignShare: 0.6, transactionalShare: 0.4 },
          sms: DEFAULT_CHANNELS.sms as never,
          email: DEFAULT_CHANNELS.email as never,
          inbox: DEFAULT_CHANNELS.inbox as never,
        },
      });
    expect(greedy).toThrow("channel push: campaignShare and transactionalShare: together 1, expected less than 1");
  });

  it("refuses a channel rate the deliver function cannot take", () => {
    // Act
    const build = () =>
      new NudgeStack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "Nudge-test", {
        stage: "test",
        journeys: loadSeedJourneys(),
        projectRoot: PROJECT_ROOT,
        channels: { ...DEFAULT_CHANNELS, push: { provider: "webhook", ratePerSecond: 0.5 } },
      });
    // Assess
    expect(build).toThrow("channel push: ratePerSecond: expected a whole number from 1 to 100000");
  });

  it("fails the synth when a journey sends on a channel the stack has no queue for, naming the journey, the step and the channel", () => {
    // Prepare: the stack without its push channel; the seed journeys send by push.
    // Act
    const build = () =>
      new NudgeStack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "Nudge-test", {
        stage: "test",
        journeys: loadSeedJourneys(),
        projectRoot: PROJECT_ROOT,
        channels: { email: { provider: "email", ratePerSecond: 14 } },
      });
    // Assess
    expect(build).toThrow(InvalidJourneyError);
    expect(build).toThrow(
      /coupon-expiry-nudge v1 step send-expiry-nudge.*: sends on channel "push", which this stack has no queue for \(channels: email; lib\/channels.ts\)/,
    );
  });
});
