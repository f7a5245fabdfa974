/**
 * `nudge plan`: what a change to the journeys does before it ships. Compares the working tree's journeys with a
 * base (plan-base.ts), and per changed journey reports the semantic diff (journey/journey-diff.ts), the blast
 * radius (the same events replayed through both, simulator/blast-radius.ts) and the runs in flight with what
 * becomes of them (journey/in-flight.ts). Exit 1 when the change would strand runs (plan-report.ts prints it).
 */
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { describeOutcome, outcomeOf, strandableSteps } from "../journey/in-flight.ts";
import { diffJourneys } from "../journey/journey-diff.ts";
import { migrationPlans, strandedMessage } from "../journey/migration.ts";
import type { Journey } from "../language/schema.ts";
import { DAY_MS } from "../shared/time.ts";
import { replayBlastRadius } from "../simulator/blast-radius.ts";
import type { TestPlatform } from "../simulator/journey-test.ts";
import { generateShop } from "../simulator/synthetic/index.ts";
import type { RunsAtStep } from "../store/dynamodb/inventory.ts";
import { numberOption, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { loadJourneys } from "./journey-folder.ts";
import { baseFolder } from "./plan-base.ts";
import { printPlan } from "./plan-report.ts";
import type { JourneyPlan, PlanResult } from "./plan-result.ts";
import { openStoreSource } from "./store-source.ts";
import { parseCommandArgs } from "./usage.ts";

export const SYNTHETIC_START = "2026-11-02T00:00:00Z";
/** How long the replay follows the runs the events start past the last one, at least. */
const RUN_ON_MS = 30 * DAY_MS;

const newest = (journeys: readonly Journey[]) => journeys.reduce((a, b) => (b.version > a.version ? b : a));

function byId(journeys: readonly Journey[]): Map<string, Journey[]> {
  const map = new Map<string, Journey[]>();
  for (const journey of journeys) map.set(journey.id, [...(map.get(journey.id) ?? []), journey]);
  return map;
}

/** The journeys whose newest version differs, with their changes; new and removed journeys too. */
function comparePlans(base: readonly Journey[], next: readonly Journey[]): JourneyPlan[] {
  const before = byId(base);
  const after = byId(next);
  const plans: JourneyPlan[] = [];
  for (const id of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const old = before.get(id);
    const now = after.get(id);
    if (old === undefined && now !== undefined) {
      plans.push({
        journeyId: id,
        change: "added",
        toVersion: newest(now).version,
        changes: [],
        stranded: [],
        refusals: [],
      });
    } else if (old !== undefined && now === undefined) {
      plans.push({
        journeyId: id,
        change: "removed",
        fromVersion: newest(old).version,
        changes: [],
        stranded: [],
        refusals: [],
      });
    } else if (old !== undefined && now !== undefined) {
      const diff = diffJourneys(newest(old), newest(now));
      const versions = (list: Journey[]) =>
        list
          .map((j) => j.version)
          .sort()
          .join(",");
      if (diff.changes.length === 0 && versions(old) === versions(now)) continue;
      plans.push({
        journeyId: id,
        change: "changed",
        fromVersion: diff.fromVersion,
        toVersion: diff.toVersion,
        changes: diff.changes,
        stranded: [],
        refusals: [],
      });
    }
  }
  return plans;
}

/** The events to replay: a file's lines, or a synthetic shop's; and the window they cover. */
function replayEvents(values: Map<string, string>, cwd: string) {
  const file = values.get("events");
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, file), "utf8");
    } catch (error) {
      throw new UsageError(`--events: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    const times = lines
      .map((line) => Date.parse((JSON.parse(line) as { time?: string }).time ?? ""))
      .filter((t) => !Number.isNaN(t));
    if (times.length === 0) throw new UsageError(`--events: no event with a time in ${file}`);
    const [start, last] = [Math.min(...times), Math.max(...times) + 1];
    // The runs the events start play out after the last one: as long again as the events span, a month at least.
    return { lines, start, eventsEnd: last, end: last + Math.max(last - start, RUN_ON_MS), source: file };
  }
  const users = numberOption(values, "users", 1, 1_000_000) ?? 10_000;
  const days = numberOption(values, "days", 1, 365) ?? 30;
  const seed = numberOption(values, "seed", -(2 ** 31), 2 ** 31) ?? 1;
  const start = Date.parse(SYNTHETIC_START);
  const eventsEnd = start + days * DAY_MS;
  return {
    lines: syntheticMonth({ users, days, seed }),
    start,
    eventsEnd,
    end: eventsEnd + RUN_ON_MS,
    source: `a synthetic shop: ${users.toLocaleString("en")} users registering over ${days} days (seed ${seed})`,
  };
}

/**
 * A synthetic shop's users registering over `days`, and their lives followed for RUN_ON_MS more: the shop runs
 * that much longer at the same pace, and the users registering after `days` are left out, with their events.
 */
function syntheticMonth(options: { users: number; days: number; seed: number }): string[] {
  const { users, days, seed } = options;
  const runOnDays = RUN_ON_MS / DAY_MS;
  const registrationsEnd = Date.parse(SYNTHETIC_START) + days * DAY_MS;
  const late = new Set<string>();
  const lines: string[] = [];
  const shop = generateShop({
    users: Math.round((users * (days + runOnDays)) / days),
    days: days + runOnDays,
    start: SYNTHETIC_START,
    seed,
    engagement: true,
  });
  for (const { event } of shop) {
    const userId = (event.detail as { userId?: unknown } | undefined)?.userId;
    if (
      event["detail-type"] === "user.registered" &&
      Date.parse(event.time) >= registrationsEnd &&
      typeof userId === "string"
    )
      late.add(userId);
    if (typeof userId !== "string" || !late.has(userId)) lines.push(JSON.stringify(event));
  }
  return lines;
}

async function readInFlight(values: Map<string, string>, cwd: string, journeyIds: string[]) {
  let source: Awaited<ReturnType<typeof openStoreSource>>;
  try {
    source = await openStoreSource(values, cwd);
  } catch (error) {
    if (error instanceof UsageError && !values.has("table")) return { where: error.message, runs: undefined };
    throw error;
  }
  try {
    const found = await source.store.runsInFlight(journeyIds);
    // The local folder as the user named it, relative to where they are: the report goes into a pull request.
    const where = source.dir === undefined ? source.where : source.where.replace(source.dir, relative(cwd, source.dir));
    return { where, ...found };
  } finally {
    await source.close();
  }
}

/** Each plan's runs in flight and what becomes of them; the steps that would strand runs. */
function judgeInFlight(plan: JourneyPlan, args: { base: Journey[]; next: Journey[]; runs: RunsAtStep[] | undefined }) {
  const shipped = args.next.filter((journey) => journey.id === plan.journeyId);
  const oldVersions = args.base.filter((journey) => journey.id === plan.journeyId);
  const newestVersion = shipped.length === 0 ? 0 : newest(shipped).version;
  if (args.runs === undefined) {
    // Unknown runs: every step of a replaced version that could strand runs is reported.
    for (const old of oldVersions)
      for (const stepId of strandableSteps(old, shipped)) plan.stranded.push({ version: old.version, stepId });
    return;
  }
  plan.inFlight = args.runs
    .filter((row) => row.journeyId === plan.journeyId)
    .sort((a, b) => a.version - b.version || a.stepId.localeCompare(b.stepId))
    .map((row) => {
      const old = oldVersions.find((journey) => journey.version === row.version);
      const outcome = outcomeOf({ version: row.version, stepId: row.stepId, shipped, old });
      return {
        version: row.version,
        stepId: row.stepId,
        runs: row.runs,
        outcome,
        becomes: describeOutcome(outcome, newestVersion),
      };
    });
  for (const row of plan.inFlight)
    if (row.outcome.kind === "stranded")
      plan.stranded.push({ version: row.version, stepId: row.stepId, runs: row.runs });
}

/**
 * The CDK app's rule, checked here too so that a plan that passes deploys: the newest version may not remove a
 * step of a version kept beside it without mapping its runs (functions/journey/migration.ts); with the runs
 * counted, only steps where runs wait.
 */
function keptVersionRefusals(plan: JourneyPlan, next: Journey[], runs: RunsAtStep[] | undefined): string[] {
  const versions = next.filter((journey) => journey.id === plan.journeyId);
  const waiting = (journeyId: string, version: number) => {
    if (runs === undefined) return undefined;
    const steps = versions.find((journey) => journey.version === version)?.steps ?? [];
    const counted = (stepId: string) =>
      runs.find((row) => row.journeyId === journeyId && row.version === version && row.stepId === stepId)?.runs ?? 0;
    return Object.fromEntries(steps.map((step) => [step.id, counted(step.id)]));
  };
  return migrationPlans(versions, waiting).flatMap((migration) => strandedMessage(migration) ?? []);
}

const platformOf = (loaded: NonNullable<Awaited<ReturnType<typeof loadJourneys>>>): TestPlatform => ({
  journeys: loaded.journeys,
  policies: loaded.policies,
  ...(loaded.traits === undefined ? {} : { traits: loaded.traits }),
});

export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("plan", args);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const format = values.get("format") ?? "text";
  if (format !== "text" && format !== "markdown" && format !== "json")
    throw new UsageError(`--format: expected text, markdown or json, got "${format}"`);
  const journeyDir = resolve(io.cwd, values.get("journeys") ?? "journeys");
  const base = baseFolder(values, journeyDir, io.cwd);
  try {
    const [next, before] = [await loadJourneys(journeyDir, io), await loadJourneys(base.dir, io)];
    if (next === undefined || before === undefined) return ExitCode.failed;
    const result: PlanResult = {
      base: base.label,
      inFlightSource: "",
      inFlightKnown: false,
      journeys: comparePlans(before.journeys, next.journeys),
    };
    const changed = result.journeys.filter((plan) => plan.change !== "removed").map((plan) => plan.journeyId);
    if (changed.length > 0) {
      const events = replayEvents(values, io.cwd);
      const window = { start: events.start, end: events.end };
      const blast = await replayBlastRadius({
        lines: events.lines,
        window,
        base: platformOf(before),
        next: platformOf(next),
        journeyIds: changed,
      });
      for (const radius of blast) {
        const plan = result.journeys.find((p) => p.journeyId === radius.journeyId);
        if (plan !== undefined) plan.blast = radius;
      }
      result.replay = {
        source: events.source,
        events: events.lines.length,
        start: new Date(window.start).toISOString(),
        eventsEnd: new Date(events.eventsEnd).toISOString(),
        end: new Date(window.end).toISOString(),
      };
    }
    const ids = result.journeys.map((plan) => plan.journeyId);
    const inFlight = ids.length === 0 ? { where: "", runs: undefined } : await readInFlight(values, io.cwd, ids);
    result.inFlightSource = inFlight.where;
    result.inFlightKnown = inFlight.runs !== undefined;
    for (const plan of result.journeys) {
      judgeInFlight(plan, { base: before.journeys, next: next.journeys, runs: inFlight.runs });
      plan.refusals = keptVersionRefusals(plan, next.journeys, inFlight.runs);
      const clocks = "clocks" in inFlight ? inFlight.clocks?.get(plan.journeyId) : undefined;
      if (clocks !== undefined) plan.clocks = clocks;
    }
    printPlan(result, format, io);
    const refused = result.journeys.some((plan) => plan.stranded.length > 0 || plan.refusals.length > 0);
    return refused ? ExitCode.failed : ExitCode.ok;
  } finally {
    base.dispose();
  }
}
