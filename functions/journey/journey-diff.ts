import type { Journey } from "../language/schema.ts";

/**
 * What changed between two versions of a journey, in the journey language's own terms (`nudge plan`): steps
 * added, removed, retimed or otherwise changed; the trigger, audience, policy, goal, exits and coupons; the
 * texts of its templates. Not a text diff: a moved line or a reformatted file changes nothing here.
 */

export type ChangeKind =
  | "step-added"
  | "step-removed"
  | "step-retimed"
  | "step-rewired"
  | "coupon"
  | "message"
  | "step-changed"
  | "trigger"
  | "audience"
  | "policy"
  | "goal"
  | "exits"
  | "template"
  | "journey";

export interface JourneyChange {
  kind: ChangeKind;
  /** Where, as a path in the journey file: `steps.wait-7-days.for`, `trigger.for`, `policy.couponBudget.perDay`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface JourneyDiff {
  journeyId: string;
  fromVersion: number;
  toVersion: number;
  changes: JourneyChange[];
}

/** Step fields that say when something happens: a change to one is a retiming. */
const TIMING_FIELDS = new Set(["for", "timeout", "until", "time", "offset", "localTime", "days", "validUntil"]);
/** Step fields that say where a run goes next. */
const WIRING_FIELDS = new Set(["next", "branches", "otherwise", "onEvent", "onTimeout", "paths"]);
const COUPON_FIELDS = new Set(["amountOff", "minSpend", "currency", "freeShipping", "validFor", "codePrefix"]);
const MESSAGE_FIELDS = new Set(["channel", "template", "category", "consent"]);

/** Fields of the journey that are bookkeeping, not behaviour. */
const IGNORED = new Set(["$schema", "name", "description", "version", "steps", "templates"]);

const TOP_LEVEL_KIND: Readonly<Record<string, ChangeKind>> = {
  trigger: "trigger",
  reentry: "trigger",
  key: "trigger",
  audience: "audience",
  holdoutPercent: "audience",
  policy: "policy",
  guardrails: "policy",
  priority: "policy",
  goal: "goal",
  exitOn: "exits",
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The leaves that differ between two JSON values, by path; arrays compared whole (their order matters). */
function differences(before: unknown, after: unknown, path: string): JourneyChange[] {
  if (same(before, after)) return [];
  if (!isRecord(before) || !isRecord(after)) return [{ kind: "journey", path, before, after }];
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return names.flatMap((name) => differences(before[name], after[name], `${path}.${name}`));
}

function stepKind(field: string, type: unknown): ChangeKind {
  if (TIMING_FIELDS.has(field)) return "step-retimed";
  if (WIRING_FIELDS.has(field)) return "step-rewired";
  if (type === "issue-coupon" && COUPON_FIELDS.has(field)) return field === "validFor" ? "step-retimed" : "coupon";
  if (MESSAGE_FIELDS.has(field)) return "message";
  return "step-changed";
}

function stepChanges(base: Journey, next: Journey): JourneyChange[] {
  const before = new Map(base.steps.map((step) => [step.id, step]));
  const after = new Map(next.steps.map((step) => [step.id, step]));
  const changes: JourneyChange[] = [];
  for (const [id, step] of before) {
    if (!after.has(id)) changes.push({ kind: "step-removed", path: `steps.${id}`, before: step.type });
  }
  for (const [id, step] of after) {
    const old = before.get(id);
    if (old === undefined) {
      changes.push({ kind: "step-added", path: `steps.${id}`, after: step.type });
      continue;
    }
    for (const change of differences(old, step, `steps.${id}`)) {
      const field = change.path.split(".")[2] ?? "";
      changes.push({ ...change, kind: field === "type" ? "step-changed" : stepKind(field, step.type) });
    }
  }
  return changes;
}

/** The templates a journey's send steps use whose texts differ (a template file edited). */
function templateChanges(base: Journey, next: Journey): JourneyChange[] {
  const used = new Set(next.steps.flatMap((step) => (step.type === "send" ? [step.template] : [])));
  const changes: JourneyChange[] = [];
  for (const id of used) {
    const before = base.templates?.[id];
    const after = next.templates?.[id];
    if (before !== undefined && !same(before, after)) changes.push({ kind: "template", path: `templates.${id}` });
  }
  return changes;
}

export function diffJourneys(base: Journey, next: Journey): JourneyDiff {
  const changes: JourneyChange[] = [];
  const names = [...new Set([...Object.keys(base), ...Object.keys(next)])].filter((name) => !IGNORED.has(name));
  for (const name of names) {
    const kind = TOP_LEVEL_KIND[name] ?? "journey";
    const found = differences((base as Record<string, unknown>)[name], (next as Record<string, unknown>)[name], name);
    changes.push(...found.map((change) => ({ ...change, kind })));
  }
  changes.push(...stepChanges(base, next), ...templateChanges(base, next));
  return { journeyId: next.id, fromVersion: base.version, toVersion: next.version, changes };
}

/** `trigger.for: "P30D" -> "P45D"`, `steps.send-reminder: removed (send)`: a change in a line. */
export function describeChange(change: JourneyChange): string {
  const text = (value: unknown) => (value === undefined ? "(none)" : JSON.stringify(value));
  switch (change.kind) {
    case "step-added":
      return `${change.path}: added (${String(change.after)})`;
    case "step-removed":
      return `${change.path}: removed (${String(change.before)})`;
    case "template":
      return `${change.path}: texts changed`;
    default:
      return `${change.path}: ${text(change.before)} -> ${text(change.after)}`;
  }
}
