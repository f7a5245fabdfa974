import { readFileSync } from "node:fs";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import type { ShopEvent } from "../../events/catalog.ts";
import { PROFILE_DETAIL_TYPES } from "../../functions/engine/profile.ts";
import { parseTraitsFile } from "../../functions/engine/traits/config.ts";
import { INGEST_BATCH_SIZE, WAKE_UP_MAX_CONCURRENCY } from "../../functions/handlers/batching.ts";
import { METRICS_NAMESPACE } from "../../functions/handlers/metric-names.ts";
import { compilePattern } from "../../functions/language/pattern/index.ts";
import { tableDefinition } from "../../functions/store/dynamodb/table.ts";
import { canonicalJson, profileRule } from "../../lib/journey-rules.ts";
import { loadSeedJourneys } from "../scenarios/helpers.ts";
import { PROJECT_ROOT, refId, resourcesOf, synthesize } from "./synth.ts";

/** The shipped traits file, which the app embeds and whose events join the profile events' rule. */
const SHIPPED_TRAITS = parseTraitsFile(JSON.parse(readFileSync(`${PROJECT_ROOT}/journeys/traits.json`, "utf8")));

// One synth for the whole file (the default stage, a bus of its own).
const { stack, template } = await synthesize();
const journeys = loadSeedJourneys();

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every statement of every identity and resource policy in the template. */
function statements(): { policy: string; statement: Statement }[] {
  const out: { policy: string; statement: Statement }[] = [];
  for (const type of ["AWS::IAM::Policy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"]) {
    for (const [id, resource] of Object.entries(resourcesOf(template, type))) {
      const document = resource.Properties.PolicyDocument as { Statement: Statement[] };
      for (const statement of document.Statement) out.push({ policy: id, statement });
    }
  }
  return out;
}

describe("NudgeStack", () => {
  it("gives every queue a dead-letter queue: a redrive policy, or it is one (the ingest queue's is the rule targets' too)", () => {
    // Prepare
    const queues = resourcesOf(template, "AWS::SQS::Queue");
    const rules = resourcesOf(template, "AWS::Events::Rule");
    // Act
    const redriven = Object.entries(queues).filter(([, q]) => q.Properties.RedrivePolicy !== undefined);
    const deadLetterIds = new Set([
      ...redriven.map(([, q]) =>
        refId((q.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn),
      ),
      ...Object.values(rules).flatMap((rule) =>
        ((rule.Properties.Targets as { DeadLetterConfig?: { Arn: unknown } }[]) ?? []).map((t) =>
          refId(t.DeadLetterConfig?.Arn),
        ),
      ),
    ]);
    // Assess: ingest, wake-ups, two lanes per channel (push, sms, wechat, email, inbox: journeys', transactional)
    // and push's campaigns' lane.
    expect(redriven).toHaveLength(13);
    for (const [, queue] of redriven) {
      expect(queue.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
      // Six times the consuming function's timeout: 30 s for ingest, 60 s for the deliver functions.
      expect([180, 360]).toContain(queue.Properties.VisibilityTimeout);
    }
    for (const id of Object.keys(queues)) {
      expect(deadLetterIds.has(id) || redriven.some(([queueId]) => queueId === id), id).toBe(true);
    }
    deadLetterIds.delete(undefined);
    expect(deadLetterIds.size).toBe(13);
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it("makes each enabled journey's trigger a rule whose pattern is the journey's own filter, to the ingest queue", () => {
    // Prepare
    const rules = Object.values(resourcesOf(template, "AWS::Events::Rule")).filter((r) => r.Properties.EventPattern);
    const patterns = rules.map((rule) => canonicalJson(rule.Properties.EventPattern));
    const ingestQueue = stack.getLogicalId(stack.queues.ingest.queue.node.defaultChild as never);
    // Act
    // No shipped journey is a campaign (schedule trigger): those need no entry rule.
    const triggers = journeys.flatMap((j) =>
      j.trigger.type === "event" ? [j.trigger.pattern] : j.trigger.type === "inactivity" ? [j.trigger.absent] : [],
    );
    // Assess
    expect(journeys.every((j) => j.enabled)).toBe(true);
    for (const trigger of triggers) expect(patterns).toContain(canonicalJson(trigger));
    expect(patterns).toContain(
      canonicalJson({ "detail-type": ["order.delivered"], detail: { promotionId: [{ exists: true }] } }),
    );
    for (const rule of rules) {
      expect(rule.Properties.EventBusName).toEqual({ Ref: stack.getLogicalId(stack.bus.node.defaultChild as never) });
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { "Fn::GetAtt": [ingestQueue, "Arn"] },
          DeadLetterConfig: { Arn: expect.anything() },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        }),
      ]);
    }
  });

  it("routes every event the journeys' runs wait for, exit on or count as goals, that sets a campaign's occurrence, and the profile events, each pattern once", () => {
    // Prepare
    const needed = new Set(
      journeys
        .flatMap((j) => [
          ...(j.trigger.type === "event"
            ? [j.trigger.pattern]
            : j.trigger.type === "inactivity"
              ? [j.trigger.absent, j.trigger.countFrom ?? {}]
              : j.trigger.relativeTo !== undefined
                ? [j.trigger.relativeTo.event]
                : []),
          ...j.exitOn,
          ...(j.goal ? [j.goal.pattern] : []),
          ...j.steps.flatMap((s) => (s.type === "wait-for-event" ? [s.pattern] : [])),
        ])
        .map(canonicalJson),
    );
    needed.delete("{}");
    needed.add(canonicalJson(profileRule(SHIPPED_TRAITS).pattern));
    // Act
    const routed = Object.values(resourcesOf(template, "AWS::Events::Rule"))
      .filter((r) => r.Properties.EventPattern)
      .map((r) => canonicalJson(r.Properties.EventPattern));
    // Assess
    expect(routed.sort()).toEqual([...needed].sort());
  });

  it("routes every profile-carrying event type to the ingest queue, whether or not a journey listens to it", () => {
    // Prepare: the catalog's sample event of each type the profile learns from (no seed journey listens to
    // user.updated or user.subscribed).
    const ingestQueue = stack.getLogicalId(stack.queues.ingest.queue.node.defaultChild as never);
    const rules = Object.values(resourcesOf(template, "AWS::Events::Rule")).filter((r) => r.Properties.EventPattern);
    const samples = PROFILE_DETAIL_TYPES.map(
      (type) => JSON.parse(readFileSync(`${PROJECT_ROOT}/events/samples/${type}.json`, "utf8")) as ShopEvent,
    );
    // Act: which rules match each sample, by EventBridge's pattern semantics.
    const routedTo = samples.map((sample) => ({
      type: sample["detail-type"],
      targets: rules
        .filter((rule) => compilePattern(rule.Properties.EventPattern as Record<string, unknown>).matches(sample))
        .flatMap((rule) => (rule.Properties.Targets as { Arn: unknown }[]).map((target) => refId(target.Arn))),
    }));
    // Assess
    expect(routedTo.map((routed) => routed.type)).toEqual([...PROFILE_DETAIL_TYPES]);
    for (const routed of routedTo) expect(new Set(routed.targets), routed.type).toEqual(new Set([ingestQueue]));
  });

  it("grants no action or resource `*` in any policy (none is acknowledged)", () => {
    // Act
    const allowed = statements().filter(({ statement }) => statement.Effect === "Allow");
    // Assess
    expect(allowed.length).toBeGreaterThan(10);
    for (const { policy, statement } of allowed) {
      const actions = [statement.Action].flat();
      expect(
        actions.filter((action) => action.includes("*")),
        policy,
      ).toEqual([]);
      const resources = [statement.Resource].flat();
      expect(
        resources.filter((r) => typeof r === "string" && r.includes("*")),
        policy,
      ).toEqual([]);
    }
    // What cdk-nag was told to let pass: only these, each with a reason.
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata.filter((m) => m.type === "aws:cdk:acknowledged-rules").map((m) => [c.node.path, m.data]),
      )
      .map(([path, data]) => [path, Object.keys(data as object)[0], Object.values(data as object)[0]]);
    expect(acknowledged.map(([path, id]) => `${path} ${id}`).sort()).toEqual([
      "Nudge-dev/Channels/DeliverEmail/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverEmailTransactional/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverInbox/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverInboxTransactional/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverPush/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverPushCampaigns/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverPushTransactional/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverSms/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverSmsTransactional/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverWechat/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/DeliverWechatTransactional/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/Unsubscribe/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Channels/UnsubscribeSecret Annotation::AwsSolutions-SMG4",
      "Nudge-dev/Channels/WebhookSecret Annotation::AwsSolutions-SMG4",
      "Nudge-dev/Inbox/Api/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Inbox/TokenSecret Annotation::AwsSolutions-SMG4",
      "Nudge-dev/Ingest/Function Annotation::AwsSolutions-L1",
      "Nudge-dev/Tick/Function Annotation::AwsSolutions-L1",
    ]);
    for (const [, , reason] of acknowledged) expect(String(reason).length).toBeGreaterThan(40);
  });

  it("gives each function exactly what it uses: the table actions of its store, its queues", () => {
    // Act
    const byRole = Object.fromEntries(
      Object.entries(resourcesOf(template, "AWS::IAM::Policy")).map(([id, policy]) => [
        id.replace(/RoleDefaultPolicy.*/, ""),
        (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((s) => [s.Action].flat()),
      ]),
    );
    // Assess: ingest sends to the delivery queue and back to its own (events the journeys emit), and
    // deletes nothing; the tick walks the timer buckets and sends wake-ups; neither uses the bus.
    expect(byRole.Ingest).toEqual(
      expect.arrayContaining(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "sqs:SendMessage"]),
    );
    expect(byRole.Ingest).not.toContain("dynamodb:DeleteItem");
    expect(byRole.Ingest).not.toContain("events:PutEvents");
    expect(byRole.Tick).toEqual(
      expect.arrayContaining(["dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "sqs:SendMessage"]),
    );
    expect(byRole.Tick).not.toContain("events:PutEvents");
    // Without a provider configured (this synth has none) the channels log: their queues and logs only.
    for (const channel of ["Push", "Sms", "Wechat", "Email"]) {
      const actions = byRole[`ChannelsDeliver${channel}`];
      expect(actions, channel).toEqual(expect.arrayContaining(["sqs:SendMessage", "sqs:ChangeMessageVisibility"]));
      expect(actions?.filter((a) => !a.startsWith("logs:") && !a.startsWith("sqs:"))).toEqual([]);
    }
    // The unsubscribe route publishes to the bus and reads its token secret, nothing else.
    expect(byRole.ChannelsUnsubscribe?.filter((a) => !a.startsWith("logs:")).sort()).toEqual([
      "events:PutEvents",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
    ]);
    template.resourceCountIs("AWS::IAM::ManagedPolicy", 0);
    for (const role of Object.values(resourcesOf(template, "AWS::IAM::Role"))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it("runs the functions on arm64 and Node.js 22, consuming their queues with partial batch responses", () => {
    // Act
    const functions = Object.values(resourcesOf(template, "AWS::Lambda::Function"));
    // Assess: ingest, tick, unsubscribe, the inbox API and a deliver function per lane (five channels' journeys'
    // and transactional lanes, push's campaigns').
    expect(functions).toHaveLength(15);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Architectures: ["arm64"],
        Runtime: "nodejs22.x",
        Handler: "index.handler",
      });
    }
    template.hasResourceProperties("AWS::Lambda::Function", {
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: Match.objectLike({ WAKE_UP_QUEUE_URL: Match.anyValue() }) },
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: Match.anyValue(),
          INGEST_QUEUE_URL: Match.anyValue(),
          DELIVERY_QUEUE_URLS: Match.anyValue(),
          CAMPAIGN_DELIVERY_QUEUE_URLS: Match.anyValue(),
          // Rejected records to their queue's dead letters at once, with the reason (ingest and wake-ups).
          DEAD_LETTER_QUEUE_URLS: {
            "Fn::Join": ["", Match.arrayWith([Match.stringLikeRegexp('^\\{"$')])],
          },
        }),
      },
    });
    const mappings = Object.values(resourcesOf(template, "AWS::Lambda::EventSourceMapping"));
    // Ingest's two queues, and one per lane.
    expect(mappings).toHaveLength(13);
    for (const mapping of mappings) {
      expect(mapping.Properties).toMatchObject({ FunctionResponseTypes: ["ReportBatchItemFailures"] });
    }
    // Ingest takes batches of INGEST_BATCH_SIZE, gathered for up to a second: its per-batch writes are shared.
    const ingestBatches = mappings.filter((m) => m.Properties.BatchSize === INGEST_BATCH_SIZE);
    expect(ingestBatches.map((m) => m.Properties.MaximumBatchingWindowInSeconds)).toEqual([1, 1]);
    expect(mappings.filter((m) => m.Properties.BatchSize === 10)).toHaveLength(11);
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })],
    });
  });

  it("makes the table from the store's definition: on demand, PITR, encrypted, TTL on `ttl`, destroyed with a dev stack", () => {
    // Prepare
    const definition = tableDefinition("x");
    // Act
    const [table] = Object.values(resourcesOf(template, "AWS::DynamoDB::Table"));
    // Assess
    expect(table?.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: definition.KeySchema,
      AttributeDefinitions: definition.AttributeDefinitions,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
    });
    expect(table?.DeletionPolicy).toBe("Delete");
  });

  it("has a bus of its own with an archive, alarms on dead letters, errors, ingest age and tick lateness, and the journeys' dashboard", () => {
    // Act
    const alarms = Object.values(resourcesOf(template, "AWS::CloudWatch::Alarm")).map((a) => a.Properties ?? {});
    const [dashboard] = Object.values(resourcesOf(template, "AWS::CloudWatch::Dashboard"));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    // Assess
    template.hasResourceProperties("AWS::Events::EventBus", { Name: "nudge-dev" });
    template.hasResourceProperties("AWS::Events::Archive", { RetentionDays: 30 });
    // A dead-letter alarm per queue (ingest, wake-ups, eleven lanes), an error alarm per function (fifteen).
    expect(alarms.filter((a) => a.MetricName === "ApproximateNumberOfMessagesVisible")).toHaveLength(13);
    expect(alarms.filter((a) => a.MetricName === "Errors" && a.Namespace === "AWS/Lambda")).toHaveLength(15);
    expect(alarms).toContainEqual(
      expect.objectContaining({ MetricName: "ApproximateAgeOfOldestMessage", Threshold: 300 }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: METRICS_NAMESPACE,
        MetricName: "TickLateness",
        Threshold: 120_000,
        TreatMissingData: "breaching",
      }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({ Namespace: METRICS_NAMESPACE, MetricName: "JourneysPaused", Threshold: 1 }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({ Namespace: METRICS_NAMESPACE, MetricName: "RecordsRejected", Threshold: 1 }),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
    for (const metric of ["Entered", "MessagesSent", "CouponsIssued", "Conversions"]) expect(body).toContain(metric);
    for (const journey of journeys) expect(body).toContain(`\\"journey\\",\\"${journey.id}\\"`);
  });

  it("in production keeps the table, queues and logs, and uses an existing bus named by context", async () => {
    // Act
    const prod = await synthesize({ stage: "prod", busName: "shop-events" });
    // Assess
    expect(prod.stack.stackName).toBe("Nudge-prod");
    prod.template.resourceCountIs("AWS::Events::EventBus", 0);
    const [table] = Object.values(resourcesOf(prod.template, "AWS::DynamoDB::Table"));
    expect(table?.DeletionPolicy).toBe("Retain");
    expect(table?.Properties.DeletionProtectionEnabled).toBe(true);
    for (const queue of Object.values(resourcesOf(prod.template, "AWS::SQS::Queue"))) {
      expect(queue.DeletionPolicy).toBe("Retain");
    }
    for (const rule of Object.values(resourcesOf(prod.template, "AWS::Events::Rule"))) {
      if (rule.Properties.EventPattern) expect(rule.Properties.EventBusName).toBe("shop-events");
    }
    prod.template.hasResourceProperties("AWS::Events::Archive", {
      RetentionDays: 365,
      SourceArn: { "Fn::Join": ["", Match.arrayWith([Match.stringLikeRegexp(":event-bus/shop-events$")])] },
    });
    prod.template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: "JourneyRulesSend",
            Condition: Match.objectLike({
              ArnLike: { "aws:SourceArn": { "Fn::Join": ["", Match.arrayWith([":rule/shop-events/*"])] } },
            }),
          }),
        ]),
      },
    });
  });

  it("raises each campaign's occurrences with an EventBridge Scheduler schedule to the wake-up queue, not one per user", () => {
    // Prepare
    const campaigns = journeys.filter((j) => j.enabled && j.trigger.type === "schedule" && j.trigger.schedule);
    const queues = stack.queues.wakeUps;
    // Act
    const schedules = Object.values(resourcesOf(template, "AWS::Scheduler::Schedule"));
    // Assess: member-day (Fridays 10:00 in each member's zone) is raised where that time comes first, UTC+14.
    expect(campaigns.map((j) => j.id)).toContain("member-day");
    expect(schedules).toHaveLength(campaigns.length);
    const memberDay = schedules.find((s) => JSON.stringify(s.Properties).includes("member-day"));
    expect(memberDay?.Properties).toMatchObject({
      ScheduleExpression: "cron(0 10 ? * FRI *)",
      ScheduleExpressionTimezone: "Etc/GMT-14",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
    });
    const target = memberDay?.Properties.Target as { Arn: unknown; Input: string; DeadLetterConfig: { Arn: unknown } };
    expect(refId(target.Arn)).toBe(stack.getLogicalId(queues.queue.node.defaultChild as never));
    expect(refId(target.DeadLetterConfig.Arn)).toBe(
      stack.getLogicalId(queues.deadLetterQueue.node.defaultChild as never),
    );
    expect(JSON.parse(target.Input)).toEqual({
      nudge: "campaign.occurrence",
      journeyId: "member-day",
      at: "<aws.scheduler.scheduled-time>",
    });
    // The wake-up queue's event source is capped, the ingest queue's not: a campaign's backlog of entries
    // cannot take the concurrency a registration's welcome needs.
    const mappings = Object.values(resourcesOf(template, "AWS::Lambda::EventSourceMapping")).map((m) => m.Properties);
    const fromQueue = (queue: typeof queues.queue) =>
      mappings.find((m) => refId(m.EventSourceArn) === stack.getLogicalId(queue.node.defaultChild as never));
    expect(fromQueue(queues.queue)?.ScalingConfig).toEqual({ MaximumConcurrency: WAKE_UP_MAX_CONCURRENCY });
    expect(fromQueue(stack.queues.ingest.queue)?.ScalingConfig).toBeUndefined();
    // The ingest function hands the fan-out's parts on through the same queue, and arms no occurrence itself.
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({ CAMPAIGN_OCCURRENCES: "scheduler", WAKE_UP_QUEUE_URL: Match.anyValue() }),
      },
    });
  });
});
