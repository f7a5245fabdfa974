/**
 * The delivery channels on AWS: per channel a DurableQueue (queue and dead-letter queue) and a deliver
 * function of its own, consuming it with a bounded concurrency; and the unsubscribe route.
 *
 * Rate limits. A channel's `ratePerSecond` is enforced in two parts: the event source's maximum
 * concurrency caps how many instances of the channel's function run at once
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html#events-sqs-max-concurrency), and
 * each instance paces its sends at `ratePerSecond / maxConcurrency` (functions/channels/pacer.ts), so
 * together they never exceed the rate. Messages beyond it wait in the queue, where SQS keeps them (no
 * throttling errors, no retries spent on them: with maximum concurrency Lambda does not even receive
 * what it cannot run).
 *
 * Lanes. A channel a campaign sends on (a journey with a schedule trigger) has two: the journeys' queue and
 * function, and the campaigns', each with its share of the rate (`campaignShare`, default half). A campaign's
 * backlog of a million messages waits in its own queue; a registration's welcome on the same channel never queues
 * behind it. A channel no campaign sends on has the journeys' lane alone, at the whole rate.
 *
 * The unsubscribe route is a Lambda function URL (auth NONE): one public GET/POST route whose signed,
 * expiring token is its authorisation, with no API to manage and no API Gateway price per request; its
 * reserved concurrency bounds what a flood of requests can cost.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html
 */
import { Duration, type RemovalPolicy, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { Journey } from "../functions/language/schema.ts";
import { keys } from "../functions/store/dynamodb/table.ts";
import { NudgeFunction } from "./functions.ts";
import { inboxTableStatement } from "./inbox.ts";
import { DurableQueue } from "./queues.ts";

/** How fast a channel may send, and how that is shared between its lanes. */
interface ChannelRate {
  /** Messages a second the channel may send, all instances and both lanes together. */
  ratePerSecond: number;
  /** The campaigns' lane's part of the rate, between 0 and 1 (default DEFAULT_CAMPAIGN_SHARE); the journeys' gets the rest. */
  campaignShare?: number;
}

/** A channel that POSTs to the shop's gateway (push, SMS, WeChat); without a URL its messages go to the log. */
export interface WebhookChannelProps extends ChannelRate {
  provider: "webhook";
  url?: string;
}

/** Email through Amazon SES v2; without a From address its messages go to the log. */
export interface EmailChannelProps extends ChannelRate {
  provider: "email";
  /** An SES verified identity, e.g. `"Shop" <news@shop.example>`. */
  from?: string;
  configurationSet?: string;
  defaultSubject?: string;
}

/** Messages kept for the shop's site to show (pop-ups, cards): lib/inbox.ts serves them. */
export interface InboxChannelProps extends ChannelRate {
  provider: "inbox";
}

export type ChannelProps = WebhookChannelProps | EmailChannelProps | InboxChannelProps;

/**
 * The channels a stack has unless told otherwise. The rates are a starting point: a push gateway takes
 * hundreds a second, SMS gateways are metered tighter, and SES's default production sending quota is
 * 14 a second (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas.html).
 */
export const DEFAULT_CHANNELS: Readonly<Record<string, ChannelProps>> = {
  push: { provider: "webhook", ratePerSecond: 100 },
  sms: { provider: "webhook", ratePerSecond: 20 },
  wechat: { provider: "webhook", ratePerSecond: 50 },
  email: { provider: "email", ratePerSecond: 14 },
  // A table write a message: the rate only paces the deliver function.
  inbox: { provider: "inbox", ratePerSecond: 100 },
};

export const DEFAULT_CAMPAIGN_SHARE = 0.5;

/** `push-campaigns` as construct ids and output names write it: `PushCampaigns`. */
export function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
}

export type Lane = "journeys" | "campaigns";

/** Each lane's whole messages a second: the campaigns' share of the rate, the rest to the journeys, at least 1 each. */
export function laneRates(channel: ChannelRate): Record<Lane, number> {
  const share = channel.campaignShare ?? DEFAULT_CAMPAIGN_SHARE;
  const campaigns = Math.max(1, Math.round(channel.ratePerSecond * share));
  return { journeys: Math.max(1, channel.ratePerSecond - campaigns), campaigns };
}

/** How many instances of a channel's function may run at once: about 10 sends a second each (SQS event sources allow 2-1000). */
export function maxConcurrencyFor(ratePerSecond: number): number {
  return Math.min(1000, Math.max(2, Math.ceil(ratePerSecond / 10)));
}

/** A batch one instance sends within about 20 s at its share of the rate (1-10 records). */
export function batchSizeFor(ratePerSecond: number): number {
  const perInstance = ratePerSecond / maxConcurrencyFor(ratePerSecond);
  return Math.min(10, Math.max(1, Math.floor(perInstance * 20)));
}

/** The channel names the journeys send on, with where (for the synth's error). */
export function journeyChannels(journeys: readonly Journey[]): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const journey of journeys) {
    for (const step of journey.steps) {
      if (step.type !== "send") continue;
      uses.set(step.channel, [...(uses.get(step.channel) ?? []), `${journey.id} v${journey.version} step ${step.id}`]);
    }
  }
  return uses;
}

/** The address inside a From such as `"Shop" <news@shop.example>`. */
const addressOf = (from: string) => /<([^>]+)>/.exec(from)?.[1] ?? from.trim();

export interface DeliveryChannelsProps {
  channels: Readonly<Record<string, ChannelProps>>;
  projectRoot: string;
  journeys: readonly Journey[];
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  table: dynamodb.ITable;
  bus: events.IEventBus;
}

/** One lane of a channel: its queue and deliver function. */
export interface DeliveryChannel {
  name: string;
  lane: Lane;
  /** The channel's name, and `-campaigns` for the campaigns' lane. */
  key: string;
  props: ChannelProps;
  queue: DurableQueue;
  function: NudgeFunction;
  maxConcurrency: number;
}

export class DeliveryChannels extends Construct {
  readonly channels: DeliveryChannel[] = [];
  readonly unsubscribe: NudgeFunction;
  readonly unsubscribeUrl: lambda.FunctionUrl;
  /** Signs webhook requests; shared with the receivers (docs/channels.md). */
  readonly webhookSecret: secretsmanager.Secret;
  /** Signs unsubscribe tokens; never leaves AWS. */
  readonly unsubscribeSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DeliveryChannelsProps) {
    super(scope, id);
    const { removalPolicy } = props;
    const common = {
      projectRoot: props.projectRoot,
      journeys: props.journeys,
      logRetention: props.logRetention,
      removalPolicy,
    };
    const generated = { excludePunctuation: true, passwordLength: 48 };
    this.webhookSecret = new secretsmanager.Secret(this, "WebhookSecret", {
      description:
        "Nudge: the Standard Webhooks secret of webhook requests, shared with the receivers (its 48 characters are the key, base64); two, space-separated, while one is rotated",
      generateSecretString: generated,
      removalPolicy,
    });
    this.unsubscribeSecret = new secretsmanager.Secret(this, "UnsubscribeSecret", {
      description: "Nudge: the HMAC key of unsubscribe tokens",
      generateSecretString: generated,
      removalPolicy,
    });

    this.unsubscribe = new NudgeFunction(this, "Unsubscribe", {
      ...common,
      handler: "unsubscribe",
      memorySize: 256,
      timeout: Duration.seconds(10),
      // A public route: this many at once at most, whatever arrives.
      reservedConcurrentExecutions: 5,
      environment: {
        EVENT_BUS_NAME: props.bus.eventBusName,
        UNSUBSCRIBE_SECRET_ARN: this.unsubscribeSecret.secretArn,
      },
    });
    this.unsubscribeUrl = this.unsubscribe.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    props.bus.grantPutEventsTo(this.unsubscribe.role);
    this.unsubscribeSecret.grantRead(this.unsubscribe.role);

    const campaignChannels = new Set(
      journeyChannels(props.journeys.filter((journey) => journey.trigger.type === "schedule")).keys(),
    );
    for (const [name, channel] of Object.entries(props.channels)) {
      if (!/^[a-z][a-z0-9-]{0,30}$/.test(name)) {
        throw new Error(`channel ${JSON.stringify(name)}: expected lower-case letters, digits and dashes`);
      }
      // Whole messages a second, as the deliver function's RATE_PER_SECOND takes it.
      if (
        !(Number.isInteger(channel.ratePerSecond) && channel.ratePerSecond >= 1 && channel.ratePerSecond <= 100_000)
      ) {
        throw new Error(`channel ${name}: ratePerSecond: expected a whole number from 1 to 100000`);
      }
      const share = channel.campaignShare ?? DEFAULT_CAMPAIGN_SHARE;
      if (!(share > 0 && share < 1))
        throw new Error(`channel ${name}: campaignShare: expected a number between 0 and 1`);
      // A channel no campaign sends on has the journeys' lane alone, at the whole rate.
      const rates: Partial<Record<Lane, number>> = campaignChannels.has(name)
        ? laneRates(channel)
        : { journeys: channel.ratePerSecond };
      for (const [lane, rate] of Object.entries(rates) as [Lane, number][])
        this.channels.push(this.addLane({ name, channel, lane, rate }, common, props.table));
    }
  }

  private addLane(
    of: { name: string; channel: ChannelProps; lane: Lane; rate: number },
    common: Pick<DeliveryChannelsProps, "projectRoot" | "journeys" | "logRetention" | "removalPolicy">,
    table: dynamodb.ITable,
  ): DeliveryChannel {
    const { name, channel, lane, rate } = of;
    const key = lane === "campaigns" ? `${name}-campaigns` : name;
    // The journeys' lane keeps the ids a channel had before it had lanes (no replacement on update).
    const id = pascalCase(key);
    const timeout = Duration.seconds(60);
    // Visibility six times the function's timeout, as AWS advises for SQS event sources.
    const queue = new DurableQueue(this, `${id}Queue`, {
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      maxReceiveCount: 5,
      removalPolicy: common.removalPolicy,
    });
    const maxConcurrency = maxConcurrencyFor(rate);
    const environment: Record<string, string> = {
      CHANNEL: name,
      RATE_PER_SECOND: String(rate),
      MAX_CONCURRENCY: String(maxConcurrency),
      QUEUE_URL: queue.queue.queueUrl,
      DEAD_LETTER_QUEUE_URL: queue.deadLetterQueue.queueUrl,
    };
    const email = channel.provider === "email" && channel.from !== undefined ? channel : undefined;
    if (email !== undefined) {
      Object.assign(environment, {
        TABLE_NAME: table.tableName,
        EMAIL_FROM: email.from,
        EMAIL_DEFAULT_SUBJECT: email.defaultSubject ?? "News from the shop",
        UNSUBSCRIBE_URL: this.unsubscribeUrl.url,
        UNSUBSCRIBE_SECRET_ARN: this.unsubscribeSecret.secretArn,
        ...(email.configurationSet === undefined ? {} : { SES_CONFIGURATION_SET: email.configurationSet }),
      });
    } else if (channel.provider === "webhook" && channel.url !== undefined) {
      Object.assign(environment, {
        CHANNEL_KIND: "webhook",
        WEBHOOK_URL: channel.url,
        WEBHOOK_SECRET_ARN: this.webhookSecret.secretArn,
      });
    } else if (channel.provider === "inbox") environment.TABLE_NAME = table.tableName;
    else environment.CHANNEL_KIND = "log";

    const fn = new NudgeFunction(this, `Deliver${id}`, {
      ...common,
      handler: email !== undefined ? "deliverEmail" : channel.provider === "inbox" ? "deliverInbox" : "deliver",
      memorySize: 256,
      timeout,
      environment,
    });
    queue.deadLetterQueue.grantSendMessages(fn.role);
    if (email !== undefined) {
      // GetItem: the profile (address, consent) and the ledger of message ids; PutItem: the ledger.
      table.grant(fn.role, "dynamodb:GetItem", "dynamodb:PutItem");
      this.unsubscribeSecret.grantRead(fn.role);
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["ses:SendEmail"],
          resources: sesResources(Stack.of(this), email),
        }),
      );
    } else if (environment.CHANNEL_KIND === "webhook") this.webhookSecret.grantRead(fn.role);
    // The inbox keeps a message with one conditional PutItem, in the user's inbox partition only.
    else if (channel.provider === "inbox")
      fn.role.addToPrincipalPolicy(inboxTableStatement(table, ["dynamodb:PutItem"], [keys.inboxPrefix]));
    fn.function.addEventSource(
      new SqsEventSource(queue.queue, {
        batchSize: batchSizeFor(rate),
        reportBatchItemFailures: true,
        maxConcurrency,
      }),
    );
    return {
      name,
      lane,
      key: lane === "campaigns" ? `${name}-campaigns` : name,
      props: channel,
      queue,
      function: fn,
      maxConcurrency,
    };
  }
}

/**
 * What SendEmail is authorised on: the From identity (its domain, and the address itself, whichever is
 * the verified identity) and the configuration set.
 * https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html
 */
function sesResources(stack: Stack, email: EmailChannelProps): string[] {
  const address = addressOf(email.from ?? "");
  const domain = address.slice(address.lastIndexOf("@") + 1);
  const arn = (resource: string, resourceName: string) => stack.formatArn({ service: "ses", resource, resourceName });
  return [
    arn("identity", domain),
    arn("identity", address),
    ...(email.configurationSet === undefined ? [] : [arn("configuration-set", email.configurationSet)]),
  ];
}
