import { Duration, TimeZone } from "aws-cdk-lib";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as schedulerTargets from "aws-cdk-lib/aws-scheduler-targets";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { FURTHEST_AHEAD_ZONE } from "../functions/engine/campaigns.ts";
import { raisedOccurrenceBody } from "../functions/handlers/wire.ts";
import type { ScheduleTrigger } from "../functions/language/schedule-trigger.ts";
import type { Journey } from "../functions/language/schema.ts";

export interface CampaignSchedulesProps {
  journeys: readonly Journey[];
  /** Where the occurrences go: the wake-up queue, which the ingest function consumes. */
  queue: sqs.IQueue;
  /** Where an occurrence goes that Scheduler could not send after its retries: the wake-up queue's own. */
  deadLetterQueue: sqs.IQueue;
}

/** The expression and zone of a campaign's schedule; undefined for one relative to an event's time. */
export function campaignScheduleOf(trigger: ScheduleTrigger): { expression: string; timeZone: string } | undefined {
  if (trigger.schedule === undefined) return undefined;
  // In each user's own zone: raised where the clocks show the time first (UTC+14), when the fan-out lists the
  // audience; each member then enters when their own clocks show it (functions/engine/campaigns.ts).
  const timeZone = trigger.timezone === "user" ? FURTHEST_AHEAD_ZONE : trigger.timezone;
  return { expression: trigger.schedule, timeZone };
}

/**
 * One EventBridge Scheduler schedule per enabled campaign (a journey with a schedule trigger), not one per
 * user: at each occurrence it sends `{"nudge": "campaign.occurrence", "journeyId", "at": <scheduled time>}`
 * to the wake-up queue, and the ingest function fans the occurrence out over the segment's index in parts
 * (functions/runtime/campaign-fan-out.ts). Scheduler evaluates cron() in the schedule's zone and handles
 * daylight saving time as the engine does; it retries a failed send for up to a day, then dead-letters it.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
export class CampaignSchedules extends Construct {
  readonly schedules: Record<string, scheduler.Schedule> = {};

  constructor(scope: Construct, id: string, props: CampaignSchedulesProps) {
    super(scope, id);
    for (const journey of props.journeys) {
      if (!journey.enabled || journey.trigger.type !== "schedule") continue;
      const schedule = campaignScheduleOf(journey.trigger);
      if (schedule === undefined) continue;
      const body = raisedOccurrenceBody(journey.id, scheduler.ContextAttribute.scheduledTime);
      this.schedules[journey.id] = new scheduler.Schedule(this, journey.id, {
        description: `Nudge campaign ${journey.id}: its occurrences (${schedule.expression}, ${journey.trigger.timezone})`,
        schedule: scheduler.ScheduleExpression.expression(schedule.expression, TimeZone.of(schedule.timeZone)),
        target: new schedulerTargets.SqsSendMessage(props.queue, {
          input: scheduler.ScheduleTargetInput.fromObject(body),
          deadLetterQueue: props.deadLetterQueue,
          maxEventAge: Duration.hours(24),
          retryAttempts: 185,
        }),
      });
    }
  }
}
