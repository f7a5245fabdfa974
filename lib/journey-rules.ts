import { createHash } from "node:crypto";
import { Duration, Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { patternDetailTypes } from "../functions/engine/compile.ts";
import type { Journey } from "../functions/journey/schema.ts";

/** One EventBridge rule: a pattern and the journey parts that need the events it matches. */
export interface JourneyRuleSpec {
  /** The construct id, from the pattern itself: its detail-types and a hash, e.g. `user-registered-1f0c2e9a`. */
  id: string;
  pattern: Record<string, unknown>;
  /** Every use of the pattern, e.g. `new-user-coupon v1 trigger`, `dormancy-reactivation v1 exitOn[0]`. */
  uses: string[];
}

/**
 * The patterns of a journey whose events it needs: what starts a run (trigger, inactivity clock) while
 * it is enabled, and always what its runs in flight need (exits, goal, waits): a disabled journey admits
 * no one, but its runs still end, convert and move on.
 */
function patternsOf(journey: Journey): { part: string; pattern: Record<string, unknown> }[] {
  const { trigger } = journey;
  const entry = !journey.enabled
    ? []
    : trigger.type === "event"
      ? [{ part: "trigger", pattern: trigger.pattern }]
      : [
          { part: "trigger", pattern: trigger.absent },
          ...(trigger.countFrom ? [{ part: "countFrom", pattern: trigger.countFrom }] : []),
        ];
  return [
    ...entry,
    ...journey.exitOn.map((pattern, index) => ({ part: `exitOn[${index}]`, pattern })),
    ...(journey.goal ? [{ part: "goal", pattern: journey.goal.pattern }] : []),
    ...journey.steps.flatMap((step) =>
      step.type === "wait-for-event" ? [{ part: `step ${step.id}`, pattern: step.pattern }] : [],
    ),
  ];
}

/** JSON with object keys sorted at every level: equal patterns get equal texts. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A rule's id from its pattern alone, so that editing other journeys never renames it. */
function ruleIdOf(pattern: Record<string, unknown>, canonical: string): string {
  const types = patternDetailTypes(pattern);
  const name = types === undefined ? "any" : types.join("-").replace(/[^A-Za-z0-9-]+/g, "-");
  return `${name.slice(0, 60)}-${createHash("sha256").update(canonical).digest("hex").slice(0, 8)}`;
}

/**
 * The rules the journeys need, one per distinct pattern: an event two journeys need is delivered once,
 * and every journey listening to it sees it (the runtime offers an event to each).
 */
export function journeyRuleSpecs(journeys: readonly Journey[]): JourneyRuleSpec[] {
  const byPattern = new Map<string, JourneyRuleSpec>();
  for (const journey of journeys) {
    for (const { part, pattern } of patternsOf(journey)) {
      const use = `${journey.id} v${journey.version} ${part}`;
      const key = canonicalJson(pattern);
      const known = byPattern.get(key);
      if (known) known.uses.push(use);
      else {
        byPattern.set(key, { id: ruleIdOf(pattern, key), pattern, uses: [use] });
      }
    }
  }
  return [...byPattern.values()];
}

export interface JourneyRulesProps {
  bus: events.IEventBus;
  journeys: readonly Journey[];
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
 * (trigger, exit, goal, wait), so the ingest queue receives only events some journey needs. All target
 * the ingest queue, with its dead-letter queue as theirs; each queue's policy lets EventBridge send from
 * the rules of the platform bus only (one statement, however many rules).
 */
export class JourneyRules extends Construct {
  readonly specs: JourneyRuleSpec[];
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: JourneyRulesProps) {
    super(scope, id);
    this.specs = journeyRuleSpecs(props.journeys);
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
