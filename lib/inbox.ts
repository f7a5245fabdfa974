/**
 * The inbox API on AWS (docs/channels/inbox.md): a function behind a Lambda function URL (auth NONE: the
 * short-lived token the shop's backend mints is the authorisation, checked in the function), the secret
 * the tokens are signed with, and exactly the table access the API needs: its role may read and update
 * items of the inbox partitions (`INBOX#<userId>`) and read coupons (`COUPON#<couponId>`, to hide a
 * message whose coupon was redeemed), and nothing else of the table, by the `dynamodb:LeadingKeys`
 * condition (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 * Its reserved concurrency bounds what a flood of requests can cost, and with the per-instance rate limit
 * bounds each user's requests.
 *
 * CORS is answered by the function itself, as the local platform answers it (the function URL's own CORS
 * setting is left off, so that there is one answer, the tested one).
 */
import { CfnOutput, Duration, type RemovalPolicy } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { DEFAULT_INBOX_RATE } from "../functions/channels/inbox-api.ts";
import type { Journey } from "../functions/language/schema.ts";
import { keys } from "../functions/store/dynamodb/table.ts";
import { NudgeFunction } from "./functions.ts";

export interface InboxApiProps {
  projectRoot: string;
  journeys: readonly Journey[];
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  table: dynamodb.ITable;
  bus: events.IEventBus;
  /** The shop's origins whose pages may call the API (`https://shop.example`). */
  origins: readonly string[];
  /** Instances at most (default 10): with the per-instance rate limit, what bounds a user's and the whole cost. */
  reservedConcurrency?: number;
}

/** Table actions on the inbox partitions only. */
export function inboxTableStatement(table: dynamodb.ITable, actions: string[], prefixes: string[]) {
  return new iam.PolicyStatement({
    actions,
    resources: [table.tableArn],
    conditions: {
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": prefixes.map((prefix) => `${prefix}*`) },
    },
  });
}

export class InboxApi extends Construct {
  readonly api: NudgeFunction;
  readonly url: lambda.FunctionUrl;
  /** Signs the inbox tokens; shared with the shop's backend, which mints them. */
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: InboxApiProps) {
    super(scope, id);
    for (const origin of props.origins) {
      if (origin !== "*" && !/^https?:\/\/[^/\s,]+$/.test(origin)) {
        throw new Error(`inbox: origin ${JSON.stringify(origin)}: expected https://host[:port], no path`);
      }
    }
    this.secret = new secretsmanager.Secret(this, "TokenSecret", {
      description: "Nudge: the HMAC key of inbox tokens, shared with the shop's backend that mints them",
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      removalPolicy: props.removalPolicy,
    });
    this.api = new NudgeFunction(this, "Api", {
      projectRoot: props.projectRoot,
      journeys: props.journeys,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      handler: "inboxApi",
      memorySize: 256,
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency ?? 10,
      environment: {
        TABLE_NAME: props.table.tableName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        INBOX_SECRET_ARN: this.secret.secretArn,
        INBOX_ORIGINS: props.origins.join(","),
        INBOX_RATE_PER_MINUTE: String(DEFAULT_INBOX_RATE.perMinute),
        INBOX_RATE_BURST: String(DEFAULT_INBOX_RATE.burst),
      },
    });
    this.url = this.api.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    this.secret.grantRead(this.api.role);
    props.bus.grantPutEventsTo(this.api.role);
    this.api.role.addToPrincipalPolicy(
      inboxTableStatement(
        props.table,
        ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:UpdateItem"],
        [keys.inboxPrefix],
      ),
    );
    this.api.role.addToPrincipalPolicy(inboxTableStatement(props.table, ["dynamodb:GetItem"], [keys.couponPrefix]));
    new CfnOutput(scope, "InboxApiUrl", {
      value: this.url.url,
      description: "The inbox API the shop's site calls (GET <url>inbox/messages?placement=…)",
    });
    new CfnOutput(scope, "InboxSecretArn", {
      value: this.secret.secretArn,
      description: "The inbox token secret, for the shop's backend that mints the tokens",
    });
  }
}
