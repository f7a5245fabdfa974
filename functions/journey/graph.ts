import { patternDetailTypes } from "../engine/compile.ts";
import type { Journey, Step, TimeRef } from "../language/schema.ts";
import { scheduleLines } from "./campaign-text.ts";
import { stepLinks } from "./checks/links.ts";
import type { LoadedJourney } from "./load.ts";

/**
 * A journey as a Mermaid flowchart (https://mermaid.js.org/syntax/flowchart.html): the trigger, one node
 * per step with what it does, labelled edges, an end node, and a note with the exit events and the goal.
 * GitHub renders the charts in Markdown, so `nudge graph --all` makes the README's journey gallery.
 */

type Pattern = Record<string, unknown>;

/** Mermaid entity codes for the characters that would end or confuse a quoted label. */
const ENTITIES: Record<string, string> = {
  "#": "#35;",
  '"': "#quot;",
  "<": "#lt;",
  ">": "#gt;",
  "|": "#124;",
  "`": "#96;",
};

function escapeLabel(text: string): string {
  return text.replace(/[#"<>|`]/g, (c) => ENTITIES[c] ?? c);
}

/** A quoted label from lines of text. */
function label(lines: readonly string[]): string {
  return `"${lines.map(escapeLabel).join("<br/>")}"`;
}

const UNITS: Record<string, string> = { W: "week", D: "day", H: "hour", M: "minute", S: "second" };

/** "P7D" -> "7 days", "PT1H" -> "1 hour"; anything else as written. */
export function humanDuration(iso: string): string {
  const match = /^P(?:(\d+)([WD])|T(\d+)([HMS]))$/.exec(iso);
  if (match === null) return iso;
  const count = Number(match[1] ?? match[3]);
  const unit = UNITS[match[2] ?? match[4] ?? ""] ?? "";
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

function value(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}

/** One EventBridge matcher in words: `exists`, `> 0 and <= 5`, `starts with "VIP"`... */
function matcher(m: unknown): string {
  if (m === null || typeof m !== "object" || Array.isArray(m)) return `= ${value(m)}`;
  const [[operator, operand] = ["", undefined]] = Object.entries(m);
  switch (operator) {
    case "exists":
      return operand === false ? "is absent" : "exists";
    case "prefix":
      return `starts with ${value(operand)}`;
    case "suffix":
      return `ends with ${value(operand)}`;
    case "equals-ignore-case":
      return `= ${value(operand)} (any case)`;
    case "wildcard":
      return `matches ${value(operand)}`;
    case "cidr":
      return `in ${String(operand)}`;
    case "anything-but":
      return Array.isArray(operand)
        ? `is none of ${operand.map(value).join(", ")}`
        : typeof operand === "object" && operand !== null
          ? `not ${matcher(operand)}`
          : `is not ${value(operand)}`;
    case "numeric":
      return Array.isArray(operand)
        ? operand.flatMap((x, i) => (i % 2 === 0 ? [] : [`${String(operand[i - 1])} ${String(x)}`])).join(" and ")
        : value(m);
    default:
      return value(m);
  }
}

/** A pattern as conditions, one per matched field: `detail.promotionId exists`, `profile.orderCount > 0`. */
export function describePattern(pattern: Pattern, prefix = ""): string[] {
  const conditions: string[] = [];
  for (const [key, spec] of Object.entries(pattern)) {
    if (key === "$or" && Array.isArray(spec)) {
      const alternatives = spec.map((alt) => describePattern(alt as Pattern, prefix).join(" and "));
      conditions.push(`either ${alternatives.map((a) => `(${a})`).join(" or ")}`);
    } else if (Array.isArray(spec)) {
      const plain = spec.every((m) => m === null || typeof m !== "object");
      conditions.push(
        `${prefix}${key} ${plain ? `= ${spec.map(value).join(" or ")}` : spec.map(matcher).join(" or ")}`,
      );
    } else if (spec !== null && typeof spec === "object") {
      conditions.push(...describePattern(spec as Pattern, `${prefix}${key}.`));
    }
  }
  return conditions;
}

/** The event types of a pattern on the first line, its other conditions after it. */
function describeEvents(pattern: Pattern): { types: string; conditions: string[] } {
  const types = patternDetailTypes(pattern);
  if (types === undefined || pattern.$or !== undefined)
    return { types: "any event", conditions: describePattern(pattern) };
  const { "detail-type": _, ...rest } = pattern;
  return { types: types.join(" or "), conditions: describePattern(rest) };
}

/** `review.posted`, or `review.posted (detail.rating = 5)` with conditions. */
function summary(pattern: Pattern): string {
  const { types, conditions } = describeEvents(pattern);
  return conditions.length === 0 ? types : `${types} (${conditions.join(", ")})`;
}

function timeRef(ref: TimeRef): string {
  const time =
    ref.offset === undefined ? ref.time : `${ref.time} ${ref.offset.startsWith("-") ? ref.offset : `+${ref.offset}`}`;
  if (ref.localTime === undefined) return time;
  // The local date's shift reads as a day count: "20:00 local, 1 day after trigger.time".
  const days = ref.days ?? 0;
  return `${ref.localTime} local, ${days === 0 ? "on the day of" : `${days} day${days === 1 ? "" : "s"} after`} ${time}`;
}

function stepLines(step: Step): string[] {
  switch (step.type) {
    case "wait":
      return [`wait ${step.for}`];
    case "wait-until":
      return [`wait until ${timeRef(step)}`];
    case "wait-for-event": {
      const { types, conditions } = describeEvents(step.pattern);
      const until = step.until === undefined ? `up to ${step.timeout}` : `until ${timeRef(step.until)}`;
      const shared = Object.entries(step.match ?? {}).map(([field, path]) => `${field} = ${path}`);
      return [`wait ${until} for ${types}`, ...conditions, ...shared];
    }
    case "branch":
      return ["branch", ...step.branches.map((b, i) => `${i + 1}: ${describePattern(b.condition).join(" and ")}`)];
    case "split": {
      const total = step.variants.reduce((sum, v) => sum + v.weight, 0);
      return ["split", ...step.variants.map((v) => `${v.name}: ${Math.round((v.weight / total) * 1000) / 10}%`)];
    }
    case "issue-coupon":
      return [
        [
          `issue coupon ${step.amountOff} ${step.currency}`,
          ...(step.minSpend === undefined ? [] : [`min spend ${step.minSpend}`]),
          ...(step.freeShipping ? ["free shipping"] : []),
          humanDuration(step.validFor),
        ].join(", "),
      ];
    case "send":
      return [
        `send ${step.channel}: ${step.template}${step.category === "service" ? " (service)" : ""}`,
        ...(step.validUntil ? [`until ${timeRef(step.validUntil)}`] : []),
      ];
    case "emit":
      return [`emit ${step.detailType}`];
    case "update-profile":
      return [`update profile: ${Object.keys(step.attributes).join(", ")}`];
    case "exit":
      return [`exit: ${step.reason}`];
  }
}

function shape(step: Step, text: string): string {
  switch (step.type) {
    case "wait":
    case "wait-until":
    case "wait-for-event":
      return `(${text})`;
    case "branch":
    case "split":
      return `{${text}}`;
    case "exit":
      return `([${text}])`;
    default:
      return `[${text}]`;
  }
}

function triggerLines(journey: Journey): string[] {
  const trigger = journey.trigger;
  const lines: string[] = [];
  if (trigger.type === "event") {
    const { types, conditions } = describeEvents(trigger.pattern);
    lines.push(`on ${types}`, ...conditions);
  } else if (trigger.type === "schedule") {
    lines.push(...scheduleLines(trigger));
  } else {
    const absent = describeEvents(trigger.absent);
    lines.push(`no ${absent.types} for ${trigger.for}`, ...absent.conditions);
    if (trigger.countFrom)
      lines.push(`counted from the last ${summary(trigger.absent)} or ${summary(trigger.countFrom)}`);
  }
  if (journey.key !== "userId") lines.push(`one run per ${journey.key}`);
  if (journey.audience) lines.push(`audience: ${describePattern(journey.audience).join(" and ")}`);
  return lines;
}

function noteLines(journey: Journey): string[] {
  const lines: string[] = [];
  for (const pattern of journey.exitOn) lines.push(`exits on ${summary(pattern)}`);
  if (journey.goal) lines.push(`goal: ${summary(journey.goal.pattern)} within ${journey.goal.within}`);
  if (journey.holdoutPercent > 0) lines.push(`holdout ${journey.holdoutPercent}%`);
  if (!journey.enabled) lines.push("disabled");
  return lines;
}

/** The journey as a Mermaid `flowchart TD`, without a trailing newline. */
export function journeyGraph(journey: Journey): string {
  const ids = new Map<string, string>();
  const used = new Set(["trigger", "done", "notes"]);
  for (const step of journey.steps) {
    const base = `step_${step.id.replace(/[^A-Za-z0-9_]/g, "_")}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    if (!ids.has(step.id)) ids.set(step.id, id);
  }
  const node = (stepId: string | undefined) => (stepId === undefined ? "done" : (ids.get(stepId) ?? "done"));

  const lines = ["flowchart TD", `  trigger([${label(triggerLines(journey))}])`];
  for (const step of journey.steps) {
    lines.push(`  ${node(step.id)}${shape(step, label([step.label ?? step.id, ...stepLines(step)]))}`);
  }
  lines.push('  done(("end"))');
  lines.push(`  trigger --> ${node(journey.start)}`);
  for (const step of journey.steps) {
    const links = step.type === "exit" ? [{ target: undefined, label: undefined }] : stepLinks(step);
    for (const link of links) {
      const edge = link.label === undefined ? "-->" : `-->|${label([link.label])}|`;
      lines.push(`  ${node(step.id)} ${edge} ${node(link.target)}`);
    }
  }
  const notes = noteLines(journey);
  if (notes.length > 0) {
    lines.push(`  notes>${label(notes)}]`, "  classDef note fill:#fff8c4,stroke:#c9b458", "  class notes note");
  }
  return lines.join("\n");
}

/** Every journey as a Markdown section with its chart, for the README. */
export function journeysMarkdown(loaded: readonly LoadedJourney[]): string {
  return loaded
    .map(({ file, journey }) =>
      [
        `### ${journey.name} (\`${journey.id}\` v${journey.version})`,
        "",
        ...(journey.description === "" ? [] : [journey.description, ""]),
        `Source: \`${file}\``,
        "",
        "```mermaid",
        journeyGraph(journey),
        "```",
      ].join("\n"),
    )
    .join("\n\n");
}
