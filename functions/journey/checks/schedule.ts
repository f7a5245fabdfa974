import { type DetailType, isKnownDetailType } from "../../../events/catalog.ts";
import { patternDetailTypes } from "../../engine/compile.ts";
import { parseSchedule } from "../../engine/schedule/cron.ts";
import type { ScheduleTrigger } from "../../language/schema.ts";
import { isTimeZone } from "../../shared/local-time.ts";
import type { JourneyProblem } from "../problems.ts";
import { type CheckInput, type DefinedSegments, didYouMean, listOf, problemAt, quote } from "./common.ts";
import { type EventTypes, notAFieldOf } from "./events.ts";

/**
 * A campaign's trigger (`{"type": "schedule"}`) beyond its schema: the schedule expression as EventBridge
 * Scheduler would take it (engine/schedule/cron.ts), the time zone, the segment in the segments folder beside
 * the journey, the event time it is relative to, and its key. The event type of `relativeTo.event` is checked
 * with the journey's other patterns (events.ts).
 */

/**
 * The catalog's detail fields that hold an ISO-8601 instant (events/details.ts's `dateTime()` fields), which a
 * campaign may be relative to. test/journey/schedule-checks.test.ts checks this list against the catalog.
 */
export const INSTANT_FIELDS: Readonly<Partial<Record<DetailType, readonly string[]>>> = {
  "coupon.issued": ["expiresAt"],
  "promotion.scheduled": ["startsAt", "endsAt", "depositStartsAt", "depositEndsAt"],
  "order.deposit_paid": ["balanceStartsAt"],
  "journey.paused": ["pausedAt"],
};

const ZONE_NAMES: readonly string[] = Intl.supportedValuesOf("timeZone");

/** Why a campaign's `timezone` is not one, or undefined when it is. */
function zoneProblem(timezone: string): string | undefined {
  if (timezone === "user" || isTimeZone(timezone)) return undefined;
  return `${quote(timezone)} is not an IANA time zone${didYouMean(timezone, ["user", ...ZONE_NAMES])}: expected "user" (each user's own zone) or a zone name such as "Asia/Shanghai"`;
}

/** Why a campaign's `segment` names no segment beside the journey, or undefined when it names one. */
export function segmentProblem(id: string, segments: DefinedSegments): string | undefined {
  if (segments.ids.includes(id)) return undefined;
  if (!segments.exists) return `unknown segment ${quote(id)}: there is no folder ${segments.dir}/ for segment files`;
  return `unknown segment ${quote(id)}${didYouMean(id, segments.ids)}: no file ${segments.dir}/${id}.json; segments: ${listOf(segments.ids)}`;
}

/** Why `relativeTo.field` is not a field holding an instant of every type the event pattern names. */
function fieldProblem(field: string, event: Record<string, unknown>, types: EventTypes): string | undefined {
  for (const type of patternDetailTypes(event) ?? []) {
    const fields = types.fields(type);
    // An unknown event type, or one a pattern does not pin, is reported by events.ts.
    if (fields === undefined) continue;
    if (!isKnownDetailType(type)) {
      // An event a journey emits: its fields are known by name only.
      if (!fields.includes(field)) return notAFieldOf(field, [type], fields);
      continue;
    }
    const instants = INSTANT_FIELDS[type] ?? [];
    if (instants.includes(field)) continue;
    if (instants.length === 0) return `${type} has no detail field holding an instant (an ISO-8601 time)`;
    const what = fields.includes(field)
      ? `${quote(field)} of ${type} holds no instant`
      : `${quote(field)} is not a field of ${type}${didYouMean(field, instants)}`;
    return `${what}; its fields holding an instant: ${listOf(instants)}`;
  }
  return undefined;
}

/** Every problem of a schedule trigger, at its JSON path. */
function triggerProblems(file: string, trigger: ScheduleTrigger, context: CheckInput & { types: EventTypes }) {
  const problems: JourneyProblem[] = [];
  if (trigger.schedule !== undefined) {
    const parsed = parseSchedule(trigger.schedule);
    if (!parsed.ok) problems.push(problemAt(file, ["trigger", "schedule"], parsed.problem));
  }
  const zone = zoneProblem(trigger.timezone);
  if (zone !== undefined) problems.push(problemAt(file, ["trigger", "timezone"], zone));
  const segment =
    trigger.segment === undefined || context.segments === undefined
      ? undefined
      : segmentProblem(trigger.segment, context.segments);
  if (segment !== undefined) problems.push(problemAt(file, ["trigger", "segment"], segment));
  if (trigger.relativeTo !== undefined) {
    const field = fieldProblem(trigger.relativeTo.field, trigger.relativeTo.event, context.types);
    if (field !== undefined) problems.push(problemAt(file, ["trigger", "relativeTo", "field"], field));
  }
  return problems;
}

/** A campaign's schedule, zone, segment, event time and key; nothing for another journey. */
export function checkSchedule(input: CheckInput, types: EventTypes): JourneyProblem[] {
  const { file, journey } = input;
  if (journey.trigger.type !== "schedule") return [];
  const problems = triggerProblems(file, journey.trigger, { ...input, types });
  if (journey.key !== "userId")
    problems.push(
      problemAt(
        file,
        ["key"],
        `a schedule trigger starts one run per user at each occurrence: expected "userId", got ${quote(journey.key)}`,
      ),
    );
  return problems;
}
