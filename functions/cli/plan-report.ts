/**
 * How `nudge plan` tells its result: text for people, Markdown for a pull-request comment, JSON for tools. The
 * text and the Markdown say the same, row for row: per changed journey its changes, the blast radius (before,
 * after, change) and its runs in flight with what becomes of them.
 */
import { describeChange } from "../journey/journey-diff.ts";
import type { ReplayFigures } from "../simulator/blast-radius.ts";
import type { CliIo } from "./io.ts";
import type { JourneyPlan, PlanResult } from "./plan-result.ts";

const number = (value: number) => value.toLocaleString("en");
const signed = (value: number) => (value > 0 ? `+${number(value)}` : value === 0 ? "0" : number(value));
const weeks = (values: readonly number[]) => values.map(number).join(" / ");

const day = (iso: string) => iso.slice(0, 10);
const replayed = (replay: NonNullable<PlanResult["replay"]>) =>
  `${replay.source}, ${number(replay.events)} events from ${day(replay.start)}, counted to ${day(replay.end)}, before and after`;

type Row = [what: string, before: string, after: string, change: string];

function figureRows(base: ReplayFigures | undefined, next: ReplayFigures | undefined): Row[] {
  const rows: Row[] = [];
  const pair = (what: string, read: (f: ReplayFigures) => number) => {
    const a = base === undefined ? 0 : read(base);
    const b = next === undefined ? 0 : read(next);
    rows.push([what, number(a), number(b), signed(b - a)]);
  };
  pair("entries (holdout included)", (f) => f.entries);
  rows.push(["entries by week", weeks(base?.entriesByWeek ?? []), weeks(next?.entriesByWeek ?? []), ""]);
  const steps = [...new Set([...Object.keys(base?.messagesByStep ?? {}), ...Object.keys(next?.messagesByStep ?? {})])];
  for (const step of steps.sort()) pair(`messages: ${step}`, (f) => f.messagesByStep[step] ?? 0);
  pair("coupons", (f) => f.coupons);
  pair("coupon spend", (f) => f.couponSpend);
  rows.push(["coupon spend by week", weeks(base?.spendByWeek ?? []), weeks(next?.spendByWeek ?? []), ""]);
  const budget = next?.dailyBudget ?? base?.dailyBudget;
  pair(`peak day's spend${budget === undefined ? "" : ` (budget ${number(budget)} a day)`}`, (f) => f.peakDaySpend);
  pair("quiet-hour deferrals", (f) => f.quietHourDeferrals);
  pair("its messages capped", (f) => f.capped);
  pair("other journeys' messages capped", (f) => f.cappedElsewhere);
  pair("conversions (goal, outside the holdout)", (f) => f.conversions);
  return rows;
}

function inFlightRows(plan: JourneyPlan): string[][] {
  const rows = (plan.inFlight ?? []).map((row) => [`v${row.version} ${row.stepId}`, number(row.runs), row.becomes]);
  if (plan.clocks !== undefined)
    rows.push(["inactivity clocks", number(plan.clocks), "count toward the newest trigger"]);
  return rows;
}

function heading(plan: JourneyPlan): string {
  if (plan.change === "added") return `${plan.journeyId}: new journey, v${plan.toVersion}`;
  if (plan.change === "removed") return `${plan.journeyId}: removed (was v${plan.fromVersion})`;
  return `${plan.journeyId}: v${plan.fromVersion} -> v${plan.toVersion}`;
}

function strandedLines(plan: JourneyPlan, known: boolean): string[] {
  const refusals = plan.refusals.map((message) => `REFUSED: ${message}`);
  return refusals.concat(
    plan.stranded.map((s) =>
      known
        ? `REFUSED: ${s.runs} runs of v${s.version} wait at ${s.stepId}, which v${plan.toVersion ?? "-"} removes with no migrate map`
        : `REFUSED: v${s.version}'s step ${s.stepId} is gone and no migrate map moves its runs (runs in flight unknown)`,
    ),
  );
}

function table(rows: readonly string[][], header: readonly string[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function markdownTable(rows: readonly string[][], header: readonly string[]): string[] {
  const escaped = (cell: string) => cell.replaceAll("|", "\\|");
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(escaped).join(" | ")} |`),
  ];
}

function textLines(result: PlanResult): string[] {
  const lines = [`nudge plan: the journeys against ${result.base}: ${result.journeys.length} changed`];
  if (result.replay !== undefined) lines.push(`Replayed: ${replayed(result.replay)}`);
  if (result.journeys.length > 0)
    lines.push(
      `Runs in flight: ${result.inFlightKnown ? result.inFlightSource : `unknown (${result.inFlightSource})`}`,
    );
  for (const plan of result.journeys) {
    lines.push("", heading(plan));
    if (plan.changes.length > 0) lines.push("  Changes:", ...plan.changes.map((c) => `    ${describeChange(c)}`));
    if (plan.blast !== undefined)
      lines.push(
        "  Blast radius:",
        ...table(figureRows(plan.blast.base, plan.blast.next), ["", "before", "after", "change"]).map(
          (l) => `    ${l}`,
        ),
      );
    const inFlight = inFlightRows(plan);
    if (inFlight.length > 0)
      lines.push(
        "  Runs in flight:",
        ...table(inFlight, ["where", "runs", "what becomes of them"]).map((l) => `    ${l}`),
      );
    else if (result.inFlightKnown) lines.push("  Runs in flight: none");
    lines.push(...strandedLines(plan, result.inFlightKnown).map((l) => `  ${l}`));
  }
  return lines;
}

function markdownLines(result: PlanResult): string[] {
  const lines = [`## nudge plan: ${result.journeys.length} journeys changed against \`${result.base}\``];
  if (result.replay !== undefined) lines.push("", `Replayed: ${replayed(result.replay)}.`);
  for (const plan of result.journeys) {
    lines.push("", `### ${heading(plan)}`);
    if (plan.changes.length > 0) lines.push("", ...plan.changes.map((c) => `- \`${describeChange(c)}\``));
    if (plan.blast !== undefined)
      lines.push("", ...markdownTable(figureRows(plan.blast.base, plan.blast.next), ["", "before", "after", "change"]));
    const inFlight = inFlightRows(plan);
    if (inFlight.length > 0)
      lines.push("", ...markdownTable(inFlight, ["runs in flight at", "runs", "what becomes of them"]));
    const stranded = strandedLines(plan, result.inFlightKnown);
    if (stranded.length > 0) lines.push("", ...stranded.map((l) => `**${l}**`));
  }
  return lines;
}

export function printPlan(result: PlanResult, format: string, io: CliIo): void {
  if (format === "json") io.stdout(JSON.stringify(result, null, 2));
  else for (const line of format === "markdown" ? markdownLines(result) : textLines(result)) io.stdout(line);
}
