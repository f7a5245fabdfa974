import { Duration, Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { TraitsFile } from "../functions/engine/traits/config.ts";
import { type JourneyRuleSpec, platformRuleSpecs } from "../functions/journey/rules.ts";
import type { Journey } from "../functions/language/schema.ts";

export {
  canonicalJson,
  type JourneyRuleSpec,
  journeyRuleSpecs,
  PROFILE_RULE,
  platformRuleSpecs,
  profileRule,
} from "../functions/journey/rules.ts";

export interface JourneyRulesProps {
  bus: events.IEventBus;
  journeys: readonly Journey[];
  /** The computed traits: the events they learn from join the profile events' rule. */
  traits?: TraitsFile;
  /** Where matching events go: the ingest function's queue. */
  queue: sqs.IQueue;
  /**
   * Where events go that EventBridge could not deliver to the queue after its retries: the ingest queue's
   * own dead-letter queue, so that one redrive sends every event that did not make it back to ingest.
   */
  deadLetterQueue: sqs.IQueue;
}

/**
 * The EventBridge rules generated from the journey files: each rule's pattern is a journey's own
 * (trigger, exit, goal, wait), so the ingest queue receives only events some journey needs, and one for
 * the profile events (registrations, updates, consent, orders, refunds), which every profile needs. All target
 * the ingest queue, with its dead-letter queue as theirs; each queue's policy lets EventBridge send from
 * the rules of the platform bus only (one statement, however many rules).
 */
export class JourneyRules extends Construct {
  readonly specs: JourneyRuleSpec[];
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: JourneyRulesProps) {
    super(scope, id);
    // The journeys' patterns, and the profile events, which every profile needs (journey/rules.ts).
    this.specs = platformRuleSpecs(props.journeys, props.traits);
    const target: events.IRuleTarget = {
      bind: () => ({
        arn: props.queue.queueArn,
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
        retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: Duration.hours(24).toSeconds() },
      }),
    };
    this.rules = this.specs.map(
      (spec) =>
        new events.Rule(this, spec.id, {
          eventBus: props.bus,
          description: `Nudge: ${spec.uses.join(", ")}`.slice(0, 512),
          // The journey's pattern as it is: CDK passes keys it does not know ("detail-type", "$or") through.
          eventPattern: spec.pattern as events.EventPattern,
          targets: [target],
        }),
    );
    const stack = Stack.of(this);
    const busName = props.bus.eventBusName;
    const rulesOfBus = stack.formatArn({
      service: "events",
      resource: "rule",
      // Rules of the default bus are `rule/<name>`; of any other bus `rule/<bus>/<name>`.
      resourceName: busName === "default" ? "*" : `${busName}/*`,
    });
    for (const queue of [props.queue, props.deadLetterQueue]) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: "JourneyRulesSend",
          principals: [new iam.ServicePrincipal("events.amazonaws.com")],
          actions: ["sqs:SendMessage"],
          resources: [queue.queueArn],
          conditions: {
            ArnLike: { "aws:SourceArn": rulesOfBus },
            StringEquals: { "aws:SourceAccount": stack.account },
          },
        }),
      );
    }
  }
}
