import { join } from "node:path";
import type { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { TraitsFile } from "../functions/engine/traits/config.ts";
import type { Journey } from "../functions/language/schema.ts";
import { HANDLERS, type HandlerName, nodejsBundling } from "./bundling.ts";

/** The Lambda runtime; lib/bundling.ts targets its Node.js version. */
export const RUNTIME = lambda.Runtime.NODEJS_22_X;

export interface NudgeFunctionProps {
  handler: HandlerName;
  /** The project root: entries, package-lock.json and tsconfig.json are found from it. */
  projectRoot: string;
  journeys: readonly Journey[];
  /** The computed traits, for the function that maintains them (ingest); none for the others. */
  traits?: TraitsFile;
  environment: Record<string, string>;
  memorySize: number;
  timeout: Duration;
  reservedConcurrentExecutions?: number;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * One of Nudge's functions: bundled by the local esbuild (never Docker), arm64, Node.js 22, with a log
 * group of its own and a role that may write to that log group and nothing else until the stack grants
 * it exactly what it uses.
 */
export class NudgeFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NudgeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Nudge ${props.handler} function: its log group, and the grants of the stack`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, "Function", {
      entry: join(props.projectRoot, HANDLERS[props.handler]),
      handler: "handler",
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, "package-lock.json"),
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      bundling: nodejsBundling(props.journeys, props.traits),
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
    });
  }
}
