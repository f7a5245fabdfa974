import { DETAIL_TYPES, detailFields, isKnownDetailType } from "../../../events/catalog.ts";
import { patternDetailTypes } from "../../engine/compile.ts";
import type { Journey } from "../../language/schema.ts";
import type { JourneyProblem } from "../load.ts";
import { type CheckInput, didYouMean, listOf, type Path, problemAt, quote } from "./common.ts";

/** The event types journeys may name: the catalog's, and those the emit steps of the loaded journeys send. */
export interface EventTypes {
  readonly known: ReadonlySet<string>;
  /** A type's detail fields: the catalog's, or `userId` plus the fields emit steps give it; undefined when unknown. */
  fields(type: string): readonly string[] | undefined;
}

export function eventTypesOf(journeys: readonly Journey[]): EventTypes {
  const emitted = new Map<string, Set<string>>();
  for (const journey of journeys) {
    for (const step of journey.steps) {
      if (step.type !== "emit" || isKnownDetailType(step.detailType)) continue;
      const fields = emitted.get(step.detailType) ?? new Set(["userId"]);
      for (const field of Object.keys(step.detail)) fields.add(field);
      emitted.set(step.detailType, fields);
    }
  }
  return {
    known: new Set([...DETAIL_TYPES, ...emitted.keys()]),
    fields(type) {
      if (isKnownDetailType(type)) return detailFields(type);
      const fields = emitted.get(type);
      return fields === undefined ? undefined : [...fields];
    },
  };
}

type Pattern = Record<string, unknown>;

/** Every event pattern of a journey, with where it is written; branch conditions and the audience match no event. */
export function eventPatterns(journey: Journey): { path: Path; pattern: Pattern }[] {
  return [
    ...triggerPatternsOf(journey.trigger),
    ...journey.exitOn.map((pattern, i) => ({ path: ["exitOn", i], pattern })),
    ...(journey.goal ? [{ path: ["goal", "pattern"], pattern: journey.goal.pattern }] : []),
    ...journey.steps.flatMap((step, i) =>
      step.type === "wait-for-event" ? [{ path: ["steps", i, "pattern"], pattern: step.pattern }] : [],
    ),
  ];
}

/** The trigger's patterns with their paths; a campaign relative to an event has that event's (its runs' trigger). */
function triggerPatternsOf(trigger: Journey["trigger"]): { path: Path; pattern: Pattern }[] {
  switch (trigger.type) {
    case "event":
      return [{ path: ["trigger", "pattern"], pattern: trigger.pattern }];
    case "inactivity":
      return [
        { path: ["trigger", "absent"], pattern: trigger.absent },
        ...(trigger.countFrom ? [{ path: ["trigger", "countFrom"], pattern: trigger.countFrom }] : []),
      ];
    case "schedule":
      return trigger.relativeTo
        ? [{ path: ["trigger", "relativeTo", "event"], pattern: trigger.relativeTo.event }]
        : [];
  }
}

/**
 * The trigger's patterns: the event trigger's, the inactivity trigger's `absent` and `countFrom`, a campaign's
 * `relativeTo.event`.
 */
function triggerPatterns(journey: Journey): { path: Path; pattern: Pattern }[] {
  return eventPatterns(journey).filter((p) => p.path[0] === "trigger");
}

/**
 * The detail-types a run's trigger event can have, or undefined when a trigger pattern does not pin them, or
 * when a campaign on a schedule expression has no trigger event to name (what its runs' `trigger` holds is the
 * engine's to say when it runs schedules: not checked until then).
 */
export function triggerTypes(journey: Journey): string[] | undefined {
  if (journey.trigger.type === "schedule" && journey.trigger.relativeTo === undefined) return undefined;
  const lists = triggerPatterns(journey).map((p) => patternDetailTypes(p.pattern));
  return lists.every((types) => types !== undefined) ? [...new Set(lists.flat())] : undefined;
}

/** The detail-types a run's `event` can have: the trigger's and those of its wait-for-event steps. */
export function eventTypes(journey: Journey): string[] | undefined {
  const lists = [
    triggerTypes(journey),
    ...journey.steps.map((step) => (step.type === "wait-for-event" ? patternDetailTypes(step.pattern) : [])),
  ];
  return lists.every((types) => types !== undefined) ? [...new Set(lists.flat())] : undefined;
}

/** The exact `detail-type` values a pattern names, at the top and inside `$or`, with their paths. */
function namedTypes(pattern: Pattern, path: Path): { path: Path; type: string }[] {
  const found: { path: Path; type: string }[] = [];
  const values = pattern["detail-type"];
  if (Array.isArray(values)) {
    values.forEach((value, i) => {
      if (typeof value === "string") found.push({ path: [...path, "detail-type", i], type: value });
    });
  }
  const alternatives = pattern.$or;
  if (Array.isArray(alternatives)) {
    alternatives.forEach((alternative, i) => {
      if (typeof alternative === "object" && alternative !== null && !Array.isArray(alternative)) {
        found.push(...namedTypes(alternative as Pattern, [...path, "$or", i]));
      }
    });
  }
  return found;
}

/** `"x" is not a field of a or b; their fields: ...`, for a field missing from every one of the types. */
export function notAFieldOf(field: string, types: readonly string[], fields: readonly string[]): string {
  const unique = new Set(fields);
  return `${quote(field)} is not a field of ${types.join(" or ")}${didYouMean(field, unique)}; ${types.length === 1 ? "its" : "their"} fields: ${listOf(unique)}`;
}

/** Unknown event types, triggers that do not pin their event type, and a key the trigger events lack. */
export function checkEvents({ file, journey }: CheckInput, types: EventTypes): JourneyProblem[] {
  const problems: JourneyProblem[] = [];
  for (const { path, pattern } of eventPatterns(journey)) {
    for (const named of namedTypes(pattern, path)) {
      if (types.known.has(named.type)) continue;
      problems.push(
        problemAt(
          file,
          named.path,
          `unknown event type ${quote(named.type)}${didYouMean(named.type, types.known)}: it is not in the event catalog and no journey emits it; catalog types: ${listOf(DETAIL_TYPES)}`,
        ),
      );
    }
  }

  for (const { path, pattern } of triggerPatterns(journey)) {
    if (patternDetailTypes(pattern) === undefined) {
      problems.push(
        problemAt(file, path, 'a trigger must name its detail-type, e.g. {"detail-type": ["user.registered"]}'),
      );
    }
  }

  // A campaign's key is checked with its schedule (schedule.ts): its events carry no user.
  if (journey.trigger.type === "schedule") return problems;
  if (journey.trigger.type === "inactivity" && journey.key !== "userId") {
    problems.push(
      problemAt(
        file,
        ["key"],
        `an inactivity trigger keys its runs by user: expected "userId", got ${quote(journey.key)}`,
      ),
    );
  } else {
    for (const type of triggerTypes(journey) ?? []) {
      const fields = types.fields(type);
      if (fields !== undefined && !fields.includes(journey.key)) {
        problems.push(problemAt(file, ["key"], notAFieldOf(journey.key, [type], fields)));
      }
    }
  }
  return problems;
}
