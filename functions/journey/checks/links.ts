import type { Journey, Step } from "../../language/schema.ts";
import type { JourneyProblem } from "../load.ts";
import { type CheckInput, closestMatch, didYouMean, listOf, type Path, problemAt, quote } from "./common.ts";

/**
 * The step graph: which step follows which. Shared by the checks below and by the Mermaid chart.
 */

/** One way out of a step: where it is written (relative to the step), where it leads, and its edge label. */
export interface StepLink {
  path: Path;
  /** The next step's id; undefined means the run ends there. */
  target: string | undefined;
  label?: string;
}

export function stepLinks(step: Step): StepLink[] {
  switch (step.type) {
    case "wait-for-event":
      return [
        { path: ["onEvent"], target: step.onEvent, label: "event" },
        { path: ["onTimeout"], target: step.onTimeout, label: "timeout" },
      ];
    case "branch":
      return [
        ...step.branches.map((branch, i) => ({
          path: ["branches", i, "next"],
          target: branch.next,
          label: String(i + 1),
        })),
        { path: ["otherwise"], target: step.otherwise, label: "otherwise" },
      ];
    case "split":
      return step.variants.map((variant, i) => ({
        path: ["variants", i, "next"],
        target: variant.next,
        label: variant.name,
      }));
    case "exit":
      return [];
    default:
      return [{ path: ["next"], target: step.next }];
  }
}

/** Steps that always let time pass: a `wait-until` (or a wait-for-event `until`) already past continues at once. */
export function isWaiting(step: Step): boolean {
  return step.type === "wait" || (step.type === "wait-for-event" && step.until === undefined);
}

/** The first step of each id, with its index in `steps`. */
export function stepsById(journey: Journey): Map<string, { step: Step; index: number }> {
  const byId = new Map<string, { step: Step; index: number }>();
  journey.steps.forEach((step, index) => {
    if (!byId.has(step.id)) byId.set(step.id, { step, index });
  });
  return byId;
}

/** The steps some path leads to after a step of the type: e.g. the steps a run may reach holding a coupon. */
export function stepsAfter(journey: Journey, type: Step["type"]): Set<string> {
  const byId = stepsById(journey);
  const after = new Set<string>();
  const queue = journey.steps.filter((step) => step.type === type).map((step) => step.id);
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const step = byId.get(id)?.step;
    for (const link of step === undefined ? [] : stepLinks(step)) {
      if (link.target === undefined || after.has(link.target)) continue;
      after.add(link.target);
      queue.push(link.target);
    }
  }
  return after;
}

/**
 * The step graph as its author most likely meant it, for the checks that follow the graph (reachability,
 * loops, what comes before a step): each link to an unknown step id leads to the step it is a likely typo
 * of. `complete` is false when some link (or the start) names no step close to any: the graph is not
 * known, and conclusions drawn from it would be follow-ons of that one problem, not problems of their own.
 */
export function intendedGraph(journey: Journey): { journey: Journey; complete: boolean } {
  const known = new Set(journey.steps.map((step) => step.id));
  let complete = true;
  const fix = (target: string): string => {
    if (known.has(target)) return target;
    const match = closestMatch(target, known);
    if (match === undefined) complete = false;
    return match ?? target;
  };
  const start = fix(journey.start);
  const steps = journey.steps.map((step) => {
    const links = stepLinks(step).filter((link) => link.target !== undefined && !known.has(link.target));
    if (links.length === 0) return step;
    const copy = structuredClone(step);
    for (const link of links) setAt(copy, link.path, fix(link.target as string));
    return copy;
  });
  return { journey: { ...journey, start, steps }, complete };
}

function setAt(target: object, path: Path, value: string): void {
  let at = target as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) at = at[segment] as Record<string | number, unknown>;
  at[path.at(-1) as string | number] = value;
}

/** Unknown and duplicate step ids, unreachable steps, and loops a run would go round without ever waiting. */
export function checkLinks({ file, journey }: CheckInput): JourneyProblem[] {
  const problems: JourneyProblem[] = [];
  const byId = stepsById(journey);
  const known = [...byId.keys()];

  journey.steps.forEach((step, index) => {
    const first = byId.get(step.id);
    if (first !== undefined && first.index !== index) {
      problems.push(
        problemAt(
          file,
          ["steps", index, "id"],
          `duplicate step id ${quote(step.id)}, already used by steps[${first.index}]; step ids must be unique`,
        ),
      );
    }
  });

  const unknown = (target: string) =>
    `unknown step ${quote(target)}${didYouMean(target, known)}; known steps: ${listOf(known)}`;
  const startKnown = byId.has(journey.start);
  if (!startKnown) problems.push(problemAt(file, ["start"], unknown(journey.start)));
  journey.steps.forEach((step, index) => {
    for (const link of stepLinks(step)) {
      if (link.target !== undefined && !byId.has(link.target)) {
        problems.push(problemAt(file, ["steps", index, ...link.path], unknown(link.target)));
      }
    }
  });

  // Reachability and loops on the graph as meant: a typo'd link is one problem, not also every step after it.
  const intended = intendedGraph(journey);
  const intendedById = stepsById(intended.journey);
  if (intended.complete) problems.push(...unreachable({ file, journey: intended.journey }, intendedById));
  problems.push(...loopsWithoutWait(file, intendedById));
  return problems;
}

function successors(step: Step, byId: Map<string, unknown>): string[] {
  return stepLinks(step).flatMap((link) => (link.target !== undefined && byId.has(link.target) ? [link.target] : []));
}

function unreachable(
  { file, journey }: CheckInput,
  byId: Map<string, { step: Step; index: number }>,
): JourneyProblem[] {
  const reached = new Set([journey.start]);
  const queue = [journey.start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const step = byId.get(id)?.step;
    for (const next of step === undefined ? [] : successors(step, byId)) {
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
    }
  }
  return journey.steps.flatMap((step, index) =>
    reached.has(step.id)
      ? []
      : [
          problemAt(
            file,
            ["steps", index],
            `step ${quote(step.id)} is unreachable: no path leads to it from the start step ${quote(journey.start)}; link to it from another step, or remove it`,
          ),
        ],
  );
}

/**
 * Cycles through no waiting step: the strongly connected components of the graph without `wait` and
 * `wait-for-event` steps (Tarjan). Each is reported once, at the link that closes the loop.
 */
function loopsWithoutWait(file: string, byId: Map<string, { step: Step; index: number }>): JourneyProblem[] {
  const graph = new Map<string, string[]>();
  for (const [id, { step }] of byId) {
    if (isWaiting(step)) continue;
    graph.set(
      id,
      successors(step, byId).filter((next) => {
        const target = byId.get(next)?.step;
        return target !== undefined && !isWaiting(target);
      }),
    );
  }

  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (id: string) => {
    order.set(id, order.size);
    low.set(id, order.get(id) ?? 0);
    stack.push(id);
    onStack.add(id);
    for (const next of graph.get(id) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(id, Math.min(low.get(id) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id) ?? 0, order.get(next) ?? 0));
      }
    }
    if (low.get(id) === order.get(id)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member !== undefined) {
          onStack.delete(member);
          component.push(member);
        }
      } while (member !== undefined && member !== id);
      components.push(component);
    }
  };
  for (const id of graph.keys()) if (!order.has(id)) visit(id);

  const found: { index: number; problem: JourneyProblem }[] = [];
  for (const component of components) {
    const members = new Set(component);
    const first = component.toSorted((a, b) => (byId.get(a)?.index ?? 0) - (byId.get(b)?.index ?? 0))[0];
    if (first === undefined) continue;
    const cycle = shortestCycle(first, members, byId);
    if (cycle === undefined) continue;
    const closing = cycle.at(-2) ?? first;
    const closingEntry = byId.get(closing);
    if (closingEntry === undefined) continue;
    const link = stepLinks(closingEntry.step).find((l) => l.target === first);
    const hasWaitUntil = cycle.some((id) => byId.get(id)?.step.type === "wait-until");
    found.push({
      index: closingEntry.index,
      problem: problemAt(
        file,
        ["steps", closingEntry.index, ...(link?.path ?? [])],
        `loop with no wait: ${cycle.join(" -> ")}; a run would go round it without pause. Put a "wait" or "wait-for-event" step in it${hasWaitUntil ? ' (a "wait-until" whose time has passed continues at once)' : ""}`,
      ),
    });
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.problem);
}

/** The shortest path from `start` back to itself inside `members`, as ids (first and last equal). */
function shortestCycle(
  start: string,
  members: ReadonlySet<string>,
  byId: Map<string, { step: Step; index: number }>,
): string[] | undefined {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const step = byId.get(id)?.step;
    for (const next of step === undefined ? [] : successors(step, byId)) {
      if (!members.has(next)) continue;
      if (next === start) {
        const chain: string[] = [];
        for (let at: string | undefined = id; at !== undefined && at !== start; at = parent.get(at)) chain.unshift(at);
        return [start, ...chain, start];
      }
      if (!parent.has(next)) {
        parent.set(next, id);
        queue.push(next);
      }
    }
  }
  return undefined;
}
