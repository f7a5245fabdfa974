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
 * Lanes (functions/handlers/lanes.ts). Every channel has a journeys' lane and a transactional one; a channel a
 * campaign sends on (a journey with a schedule trigger) has a campaigns' lane too. Each is a queue, a
 * dead-letter queue and a deliver function of its own, with its share of the channel's rate: the transactional
 * lane a reserved slice (`transactionalShare`, default a tenth, at least 1 a second), the campaigns'
 * `campaignShare` (default half), the journeys' the rest. A campaign's backlog of a million messages waits in
 * its own queue: a registration's welcome never queues behind it, and a service message (a failed payment, a
 * `message.requested`) queues behind neither. The slice is reserved, not borrowed: the service messages' own
 * rate is what they get even when the other lanes are idle, so size it by the service messages' peak.
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
import { type Lane, laneKey } from "../functions/handlers/lanes.ts";
import type { Journey } from "../functions/language/schema.ts";
import { keys } from "../functions/store/dynamodb/table.ts";
import type { HandlerName } from "./bundling.ts";
import {
  type AlibabaSmsChannelProps,
  batchSizeFor,
  type ChannelProps,
  checkShares,
  type EmailChannelProps,
  journeyChannels,
  laneRates,
  lanesOf,
  maxConcurrencyFor,
  pascalCase,
} from "./channel-props.ts";
import { NudgeFunction } from "./functions.ts";
import { inboxTableStatement } from "./inbox.ts";
import { DurableQueue } from "./queues.ts";

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
  /** The channel's name, and the lane's suffix (`push-campaigns`, `push-transactional`; lanes.ts). */
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
  /** The Alibaba Cloud SMS AccessKey, when a channel sends through it. */
  readonly alibabaSmsSecret: secretsmanager.Secret | undefined;
  /** The WeChat mini-program's AppID and AppSecret, when a channel sends subscribe messages. */
  readonly wechatSecret: secretsmanager.Secret | undefined;

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

    this.alibabaSmsSecret = Object.values(props.channels).some((channel) => alibabaSmsOf(channel) !== undefined)
      ? providerSecret(this, {
          id: "AlibabaSmsSecret",
          description:
            'Nudge: the Alibaba Cloud SMS AccessKey of the SMS channel, {"accessKeyId": "…", "accessKeySecret": "…"}: replace the generated placeholder with a RAM user\'s key allowed dysms:SendSms',
          placeholder: { accessKeyId: "replace-with-the-RAM-user-AccessKey-ID" },
          generated: "accessKeySecret",
          removalPolicy,
        })
      : undefined;
    this.wechatSecret = Object.values(props.channels).some((channel) => channel.provider === "wechat-subscribe")
      ? providerSecret(this, {
          id: "WechatSecret",
          description:
            'Nudge: the WeChat mini-program\'s credentials for subscribe messages, {"appId": "wx…", "appSecret": "…"}: replace the placeholders with the mini-program\'s AppID and AppSecret',
          placeholder: { appId: "replace-with-the-mini-program-AppID" },
          generated: "appSecret",
          removalPolicy,
        })
      : undefined;

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
      const lanes = lanesOf(name, campaignChannels);
      checkShares(name, channel, lanes);
      const rates = laneRates(channel, lanes);
      for (const lane of lanes)
        this.channels.push(this.addLane({ name, channel, lane, rate: rates[lane] ?? 1 }, common, props));
    }
  }

  private addLane(
    of: { name: string; channel: ChannelProps; lane: Lane; rate: number },
    common: Pick<DeliveryChannelsProps, "projectRoot" | "journeys" | "logRetention" | "removalPolicy">,
    where: Pick<DeliveryChannelsProps, "table" | "bus">,
  ): DeliveryChannel {
    const { table, bus } = where;
    const { name, channel, lane, rate } = of;
    const key = laneKey(name, lane);
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
    const sms = alibabaSmsOf(channel);
    const wechat = channel.provider === "wechat-subscribe" ? channel : undefined;
    if (wechat !== undefined) {
      Object.assign(environment, {
        TABLE_NAME: table.tableName,
        WECHAT_SECRET_ARN: this.wechatSecret?.secretArn ?? "",
        WECHAT_MINIPROGRAM_STATE: wechat.miniprogramState ?? "formal",
        ...(wechat.apiBase === undefined ? {} : { WECHAT_API_BASE: wechat.apiBase }),
      });
    } else if (email !== undefined) {
      Object.assign(environment, {
        TABLE_NAME: table.tableName,
        EMAIL_FROM: email.from,
        EMAIL_DEFAULT_SUBJECT: email.defaultSubject ?? "News from the shop",
        UNSUBSCRIBE_URL: this.unsubscribeUrl.url,
        UNSUBSCRIBE_SECRET_ARN: this.unsubscribeSecret.secretArn,
        ...(email.configurationSet === undefined ? {} : { SES_CONFIGURATION_SET: email.configurationSet }),
      });
    } else if (sms !== undefined) {
      Object.assign(environment, smsEnvironment(sms, { table, bus, secret: this.alibabaSmsSecret }));
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
      handler: handlerOf({ email, sms, wechat, inbox: channel.provider === "inbox" ? channel : undefined }),
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
    } else if (sms !== undefined) {
      // GetItem: the profile (number, consent) and the ledger of message ids; PutItem: the ledger.
      table.grant(fn.role, "dynamodb:GetItem", "dynamodb:PutItem");
      this.alibabaSmsSecret?.grantRead(fn.role);
      // A number the provider reports unsubscribed becomes a user.unsubscribed event.
      bus.grantPutEventsTo(fn.role);
    } else if (wechat !== undefined) {
      this.wechatSecret?.grantRead(fn.role);
      fn.role.addToPrincipalPolicy(wechatTableStatement(table));
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
      key,
      props: channel,
      queue,
      function: fn,
      maxConcurrency,
    };
  }
}

/** A channel that sends through Alibaba Cloud SMS, when it has its signature (else its messages go to the log). */
function alibabaSmsOf(channel: ChannelProps): AlibabaSmsChannelProps | undefined {
  return channel.provider === "alibaba-sms" && channel.signName !== undefined ? channel : undefined;
}

/** The SMS deliver function's environment (functions/handlers/config.ts smsDeliverEnvironment). */
function smsEnvironment(
  sms: AlibabaSmsChannelProps,
  where: { table: dynamodb.ITable; bus: events.IEventBus; secret: secretsmanager.Secret | undefined },
): Record<string, string> {
  return {
    TABLE_NAME: where.table.tableName,
    SMS_SIGN_NAME: sms.signName ?? "",
    SMS_TEMPLATES: JSON.stringify(sms.templates ?? {}),
    ALIBABA_SMS_SECRET_ARN: where.secret?.secretArn ?? "",
    EVENT_BUS_NAME: where.bus.eventBusName,
    ...(sms.endpoint === undefined ? {} : { SMS_ENDPOINT: sms.endpoint }),
  };
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

/**
 * What the WeChat deliver function may do to the table, and to which items only (the leading keys): read a
 * user's profile (openid, consent) and clear their grants after a refusal (`USER#`), read and write the
 * ledger of message ids (`EFFECT#`) and the shared access token (`SHARED#wechat-token#`).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
function wechatTableStatement(table: dynamodb.ITable): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    resources: [table.tableArn],
    conditions: {
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["USER#*", "EFFECT#*", "SHARED#wechat-token#*"] },
    },
  });
}

/**
 * A provider's credentials as a secret the stack creates with a placeholder (`placeholder`) and a generated value
 * (`generated`), for the operator to replace with what the provider issued: the provider, not AWS, rotates them.
 */
function providerSecret(
  scope: Construct,
  options: {
    id: string;
    description: string;
    placeholder: Record<string, string>;
    generated: string;
    removalPolicy: RemovalPolicy;
  },
): secretsmanager.Secret {
  return new secretsmanager.Secret(scope, options.id, {
    description: options.description,
    generateSecretString: {
      secretStringTemplate: JSON.stringify(options.placeholder),
      generateStringKey: options.generated,
      excludePunctuation: true,
    },
    removalPolicy: options.removalPolicy,
  });
}

/** The deliver function's handler for a channel's provider (lib/bundling.ts builds one bundle each). */
function handlerOf(provider: { email?: unknown; sms?: unknown; wechat?: unknown; inbox?: unknown }): HandlerName {
  if (provider.inbox !== undefined) return "deliverInbox";
  if (provider.wechat !== undefined) return "deliverWechat";
  if (provider.email !== undefined) return "deliverEmail";
  return provider.sms !== undefined ? "deliverSms" : "deliver";
}
