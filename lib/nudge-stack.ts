import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import type { PolicyConfig } from "../functions/engine/policies/config.ts";
import type { TraitsFile } from "../functions/engine/traits/config.ts";
import { INGEST_BATCH_SIZE, TICK_TIMEOUT_SECONDS, WAKE_UP_MAX_CONCURRENCY } from "../functions/handlers/batching.ts";
import { LANES } from "../functions/handlers/lanes.ts";
import type { Journey } from "../functions/language/schema.ts";
import { InvalidJourneyError } from "../functions/shared/errors.ts";
import { NudgeAlarms } from "./alarms.ts";
import { CampaignSchedules } from "./campaigns.ts";
import { type ChannelProps, DEFAULT_CHANNELS, journeyChannels, pascalCase } from "./channel-props.ts";
import { DeliveryChannels } from "./channels.ts";
import { NudgeDashboard } from "./dashboard.ts";
import { NudgeFunction } from "./functions.ts";
import { InboxApi } from "./inbox.ts";
import { JourneyRules } from "./journey-rules.ts";
import { acknowledgeFindings } from "./nag.ts";
import { DurableQueue } from "./queues.ts";
import { JourneyTable } from "./table.ts";

/**
 * The DynamoDB actions each function's store calls (functions/store/dynamodb/). The runtime (ingest)
 * reads and conditionally writes items and adds to counters; the tick walks timer buckets (Query) and
 * moves its cursor past what it handed on.
 */
export const TABLE_ACTIONS = {
  // Query: the journey controls, one partition read at most every 30 s (functions/store/dynamodb/controls.ts).
  // Nothing is deleted: an outbox is never claimed, only handed on and proven (one UpdateItem a batch).
  ingest: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
  // The cursor walk: Query the buckets, read and write the cursor; PutItem also for wake-ups written back.
  // Journey controls: Query the controls and the statistics (guardrails), PutItem a pause, DeleteItem a
  // held wake-up handed back on resume.
  tick: ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
} as const;

export interface NudgeStackProps extends StackProps {
  /** `prod` keeps the table, dead-letter queues and logs when the stack goes, and keeps them longer. */
  stage: string;
  /** The validated journeys (lib/app.ts): embedded in the functions, and the source of the rules. */
  journeys: readonly Journey[];
  /** The platform's messaging policies (journeys/policy.json, validated); the defaults when absent. */
  policies?: PolicyConfig;
  /** The platform's computed traits (journeys/traits.json, validated); none when absent. */
  traits?: TraitsFile;
  /** Where the function entries, package-lock.json and tsconfig.json are. */
  projectRoot: string;
  /** An existing event bus to use; none: the stack creates `nudge-<stage>`. */
  busName?: string;
  /** An address that receives the alarms by email. */
  alarmEmail?: string;
  /**
   * The delivery channels, each with its queue, deliver function and rate limit (default
   * DEFAULT_CHANNELS: push, sms and wechat by webhook, email by SES). Every channel a journey sends on
   * must be one of them: the synth fails otherwise.
   */
  channels?: Readonly<Record<string, ChannelProps>>;
  /** The shop's origins whose pages may call the inbox API (lib/inbox.ts); none: browsers are refused. */
  inboxOrigins?: readonly string[];
}

/**
 * Nudge on AWS: the platform publishes events to the bus; rules generated from the journeys send the
 * events journeys need to the ingest queue; the ingest function runs the engine over DynamoDB; the tick
 * (every minute) hands due wake-ups to the wake-up queue, which the ingest function also consumes, as it
 * does the campaigns' occurrences that EventBridge Scheduler sends there (lib/campaigns.ts); the
 * message requests the engine makes go through their channel's queue to the channel's deliver function
 * (lib/channels.ts), and unsubscribe links come back through the unsubscribe function's URL to the bus.
 */
export class NudgeStack extends Stack {
  readonly bus: events.IEventBus;
  readonly table: JourneyTable;
  readonly queues: { ingest: DurableQueue; wakeUps: DurableQueue };
  /** Every function: ingest, tick, unsubscribe, and each channel's deliver function (`deliver-<channel>`). */
  readonly functions: { ingest: NudgeFunction; tick: NudgeFunction } & Record<string, NudgeFunction>;
  readonly channels: DeliveryChannels;
  /** The inbox API, when a channel's provider is `inbox`. */
  readonly inbox: InboxApi | undefined;
  readonly rules: JourneyRules;
  /** An EventBridge Scheduler schedule per campaign. */
  readonly campaigns: CampaignSchedules;
  readonly alarms: NudgeAlarms;

  constructor(scope: Construct, id: string, props: NudgeStackProps) {
    super(scope, id, props);
    const production = props.stage === "prod";
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = production ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS;

    this.table = new JourneyTable(this, "State", { production });

    this.bus =
      props.busName === undefined
        ? new events.EventBus(this, "Bus", { eventBusName: `nudge-${props.stage}` })
        : events.EventBus.fromEventBusName(this, "Bus", props.busName);
    const archive = new events.Archive(this, "Archive", {
      sourceEventBus: this.bus,
      description: "Every event on the platform bus, for replay after an incident",
      eventPattern: { account: [this.account] },
      retention: Duration.days(production ? 365 : 30),
    });

    // Visibility timeouts are six times the consuming function's timeout (30 s).
    const queueProps = { visibilityTimeout: Duration.seconds(180), maxReceiveCount: 5, removalPolicy };
    this.queues = {
      ingest: new DurableQueue(this, "IngestQueue", queueProps),
      wakeUps: new DurableQueue(this, "WakeUpQueue", queueProps),
    };

    const channels = props.channels ?? DEFAULT_CHANNELS;
    for (const [channel, uses] of journeyChannels(props.journeys)) {
      if (!Object.hasOwn(channels, channel)) {
        throw new InvalidJourneyError(
          `${uses.join(", ")}: sends on channel "${channel}", which this stack has no queue for (channels: ${Object.keys(channels).join(", ")}; lib/channels.ts)`,
        );
      }
    }
    const common = { projectRoot: props.projectRoot, journeys: props.journeys, logRetention, removalPolicy };
    this.channels = new DeliveryChannels(this, "Channels", {
      ...common,
      channels,
      table: this.table.table,
      bus: this.bus,
    });
    // The inbox API, when a channel keeps messages for the shop's site.
    this.inbox = Object.values(channels).some((channel) => channel.provider === "inbox")
      ? new InboxApi(this, "Inbox", {
          ...common,
          table: this.table.table,
          bus: this.bus,
          origins: props.inboxOrigins ?? [],
        })
      : undefined;
    const tableName = this.table.table.tableName;
    // Each lane's queue URLs by channel, in the variable the lane names (functions/handlers/lanes.ts); a lane no
    // channel has (the campaigns' without campaigns): no variable. The URLs are tokens until deploy:
    // CloudFormation joins the JSON (Stack.toJsonString).
    const laneVariables: Record<string, string> = {};
    for (const spec of LANES) {
      const lane = this.channels.channels.filter((c) => c.lane === spec.lane);
      if (lane.length > 0)
        laneVariables[spec.variable] = this.toJsonString(
          Object.fromEntries(lane.map((c) => [c.name, c.queue.queue.queueUrl])),
        );
    }
    const ingestFunction = new NudgeFunction(this, "Ingest", {
      ...common,
      ...(props.traits === undefined ? {} : { traits: props.traits }),
      handler: "ingest",
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: {
        TABLE_NAME: tableName,
        INGEST_QUEUE_URL: this.queues.ingest.queue.queueUrl,
        // Campaigns: EventBridge Scheduler raises each occurrence (CampaignSchedules below); a fan-out hands
        // the parts and pages of its listing on through the wake-up queue.
        CAMPAIGN_OCCURRENCES: "scheduler",
        WAKE_UP_QUEUE_URL: this.queues.wakeUps.queue.queueUrl,
        ...laneVariables,
        // A record that can never be processed goes to its queue's dead-letter queue at once, with its reason.
        DEAD_LETTER_QUEUE_URLS: this.toJsonString(
          Object.fromEntries(
            [this.queues.ingest, this.queues.wakeUps].map((q) => [q.queue.queueArn, q.deadLetterQueue.queueUrl]),
          ),
        ),
        ...(props.policies === undefined ? {} : { POLICY_CONFIG: JSON.stringify(props.policies) }),
      },
    });
    this.functions = {
      ingest: ingestFunction,
      tick: new NudgeFunction(this, "Tick", {
        ...common,
        handler: "tick",
        memorySize: 256,
        timeout: Duration.seconds(TICK_TIMEOUT_SECONDS),
        // One tick at a time: two would walk the same buckets.
        reservedConcurrentExecutions: 1,
        environment: {
          TABLE_NAME: tableName,
          WAKE_UP_QUEUE_URL: this.queues.wakeUps.queue.queueUrl,
          // journey.paused, when a guardrail pauses a journey.
          INGEST_QUEUE_URL: this.queues.ingest.queue.queueUrl,
        },
      }),
      unsubscribe: this.channels.unsubscribe,
      ...(this.inbox === undefined ? {} : { "inbox-api": this.inbox.api }),
      ...Object.fromEntries(this.channels.channels.map((c) => [`deliver-${c.key}`, c.function])),
    };
    const { ingest, tick } = this.functions;

    // Exactly what each function uses; the event sources add the consuming rights on their queue.
    this.table.table.grant(ingest.role, ...TABLE_ACTIONS.ingest);
    for (const channel of this.channels.channels) channel.queue.queue.grantSendMessages(ingest.role);
    this.queues.ingest.queue.grantSendMessages(ingest.role);
    this.queues.wakeUps.queue.grantSendMessages(ingest.role);
    this.queues.ingest.deadLetterQueue.grantSendMessages(ingest.role);
    this.queues.wakeUps.deadLetterQueue.grantSendMessages(ingest.role);
    this.table.table.grant(tick.role, ...TABLE_ACTIONS.tick);
    this.queues.wakeUps.queue.grantSendMessages(tick.role);
    this.queues.ingest.queue.grantSendMessages(tick.role);

    // Batches of 100, gathered for up to a second: the batch's proof, settlements and statistics are written once
    // for all of it (a lone event waits at most that second).
    // (over 10 needs a window of at least 1 s: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html)
    const batch = {
      batchSize: INGEST_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
    };
    ingest.function.addEventSource(new SqsEventSource(this.queues.ingest.queue, batch));
    // Capped, the ingest queue's never: a campaign's backlog of entries cannot starve the shop's events.
    ingest.function.addEventSource(
      new SqsEventSource(this.queues.wakeUps.queue, { ...batch, maxConcurrency: WAKE_UP_MAX_CONCURRENCY }),
    );

    // A tick that failed or was throttled is not retried: the next minute's tick goes on from the cursor.
    tick.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new events.Rule(this, "TickSchedule", {
      description: "Nudge: the timer wheel's tick, every minute",
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(tick.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });

    this.campaigns = new CampaignSchedules(this, "Campaigns", {
      journeys: props.journeys,
      queue: this.queues.wakeUps.queue,
      deadLetterQueue: this.queues.wakeUps.deadLetterQueue,
    });

    this.rules = new JourneyRules(this, "JourneyRules", {
      bus: this.bus,
      journeys: props.journeys,
      ...(props.traits === undefined ? {} : { traits: props.traits }),
      queue: this.queues.ingest.queue,
      deadLetterQueue: this.queues.ingest.deadLetterQueue,
    });

    const deadLetterQueues = {
      Ingest: this.queues.ingest.deadLetterQueue,
      WakeUp: this.queues.wakeUps.deadLetterQueue,
      ...Object.fromEntries(
        this.channels.channels.map((c) => [`Delivery${pascalCase(c.key)}`, c.queue.deadLetterQueue]),
      ),
    };
    const fns = {
      Ingest: ingest.function,
      Tick: tick.function,
      Unsubscribe: this.channels.unsubscribe.function,
      ...(this.inbox === undefined ? {} : { InboxApi: this.inbox.api.function }),
      ...Object.fromEntries(this.channels.channels.map((c) => [`Deliver${pascalCase(c.key)}`, c.function.function])),
    };
    this.alarms = new NudgeAlarms(this, "Alarms", {
      deadLetterQueues,
      functions: fns,
      ingestQueue: this.queues.ingest.queue,
      ...(props.alarmEmail === undefined ? {} : { email: props.alarmEmail }),
    });
    const dashboard = new NudgeDashboard(this, "Dashboard", {
      dashboardName: `Nudge-${props.stage}`,
      journeyIds: [...new Set(props.journeys.filter((j) => j.enabled).map((j) => j.id))],
      functions: fns,
      queues: {
        Ingest: this.queues.ingest.queue,
        WakeUp: this.queues.wakeUps.queue,
        ...Object.fromEntries(this.channels.channels.map((c) => [`Delivery${pascalCase(c.key)}`, c.queue.queue])),
      },
      deadLetterQueues,
    });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output("EventBusName", this.bus.eventBusName, "Publish platform events here (PutEvents)");
    output("EventBusArn", this.bus.eventBusArn, "The platform bus");
    output("ArchiveArn", archive.archiveArn, "Every event on the bus, for replay (aws events start-replay)");
    output("IngestQueueArn", this.queues.ingest.queue.queueArn, "Where the journey rules send events");
    output("TableName", tableName, "The journey state");
    for (const [name, queue] of Object.entries(deadLetterQueues))
      output(
        `${name}DeadLetterQueueArn`,
        queue.queueArn,
        `The ${name.toLowerCase()} dead-letter queue (redrive source)`,
      );
    output("UnsubscribeUrl", this.channels.unsubscribeUrl.url, "The unsubscribe route (the links in messages)");
    output("WebhookSecretArn", this.channels.webhookSecret.secretArn, "The webhook signing secret, for the receivers");
    output("DashboardName", dashboard.dashboard.dashboardName, "The journeys' CloudWatch dashboard");
    output("AlarmTopicArn", this.alarms.topic.topicArn, "Subscribe to receive the alarms");

    acknowledgeFindings(this);
  }
}
