/**
 * `nudge report` as text: per journey, the funnel as an aligned table, then messages, coupons, exits,
 * conversions and the uplift with its interval and verdict.
 */
import { HOUR_COLUMNS, hourRow } from "../reports/hourly.ts";
import type { JourneyReport } from "../reports/journey-report.ts";
import { UPLIFT_METHOD, type Uplift } from "../reports/uplift.ts";

/** A number for people: whole numbers as they are, others with two decimals; thousands grouped. */
export function amount(value: number): string {
  return value.toLocaleString("en-US", {
    minimumFractionDigits: Number.isInteger(value) ? 0 : 2,
    maximumFractionDigits: 2,
  });
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? "-" : `${((100 * part) / whole).toFixed(1)}%`;
}

/** A rate difference in percentage points, signed. */
export function pointsOf(fraction: number): string {
  return `${fraction >= 0 ? "+" : "−"}${Math.abs(100 * fraction).toFixed(1)}`;
}

/** `unsubscribed 3, capped 1`, or `none`. */
function reasons(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([reason, count]) => `${reason} ${amount(count)}`);
  return parts.length === 0 ? "none" : parts.join(", ");
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

function funnelLines(report: JourneyReport): string[] {
  const first = report.funnel[0]?.count ?? 0;
  const width = Math.max(...report.funnel.map((stage) => stage.label.length));
  const countWidth = Math.max(...report.funnel.map((stage) => amount(stage.count).length));
  return report.funnel.map(
    (stage) =>
      `    ${stage.label.padEnd(width)}  ${amount(stage.count).padStart(countWidth)}  ${percent(stage.count, first).padStart(6)}`,
  );
}

/** The uplift in a few lines: rates, difference and interval, incremental conversions and their cost, verdict. */
export function upliftLines(uplift: Uplift): string[] {
  const { treatment, holdout } = uplift;
  const lines = [
    `Uplift: treatment ${percent(treatment.converted, treatment.entered)} (${amount(treatment.converted)} of ${amount(treatment.entered)}) vs holdout ${percent(holdout.converted, holdout.entered)} (${amount(holdout.converted)} of ${amount(holdout.entered)})`,
  ];
  if (uplift.difference !== undefined && uplift.interval !== undefined) {
    lines.push(
      `  difference ${pointsOf(uplift.difference)} points, 95% CI ${pointsOf(uplift.interval.low)} to ${pointsOf(uplift.interval.high)} (${UPLIFT_METHOD})`,
    );
  }
  if (uplift.incrementalConversions !== undefined) {
    const cost =
      uplift.costPerIncrementalConversion === undefined
        ? "no cost per incremental conversion (none added)"
        : `cost per incremental conversion ${amount(uplift.costPerIncrementalConversion)}`;
    lines.push(
      `  incremental conversions ${amount(Math.round(uplift.incrementalConversions * 10) / 10)}; coupon value redeemed ${amount(uplift.couponValueRedeemed)}; ${cost}`,
    );
  }
  lines.push(`  ${uplift.explanation}`);
  return lines;
}

export function journeyLines(report: JourneyReport): string[] {
  const versions = report.versions.length === 0 ? "" : ` v${report.versions.join(", v")}`;
  const { messages, coupons, goal } = report;
  const lines = [
    `${report.journeyId}${report.name === undefined ? "" : ` (${report.name})`}${versions}`,
    `  Entered: ${amount(report.entered.treatment)} treatment, ${amount(report.entered.holdout)} holdout`,
    "  Funnel (treatment runs; % of entered):",
    ...funnelLines(report),
    `  Messages: ${amount(messages.sent)} sent; suppressed ${amount(total(messages.suppressed))} (${reasons(messages.suppressed)}); deferred ${amount(total(messages.deferred))} (${reasons(messages.deferred)})`,
    `  Coupons: ${amount(coupons.issued)} issued (value ${amount(coupons.valueIssued)}), ${amount(coupons.redeemed)} redeemed (value ${amount(coupons.valueRedeemed)}); withheld ${reasons(coupons.withheld)}`,
    `  Exits: ${reasons(report.exits)}`,
  ];
  if (goal !== undefined) {
    lines.push(
      `  Goal: ${amount(goal.converted)} conversions (order value ${amount(goal.value)}); holdout ${amount(goal.holdoutConverted)} (order value ${amount(goal.holdoutValue)})`,
    );
  } else lines.push("  Goal: none (the journey has no goal)");
  if (report.uplift !== undefined) lines.push(...upliftLines(report.uplift).map((line) => `  ${line}`));
  return lines;
}

/**
 * The hours as an aligned table in the zone's clock (`2026-11-11 10:00`); a journey that keeps no hours
 * says how to turn them on.
 */
export function hourLines(report: JourneyReport, zone: string): string[] {
  const byHour = report.byHour;
  if (byHour === undefined) return [];
  if (byHour.hours.length === 0) {
    return byHour.keepsHours
      ? ["  By hour: nothing counted in this range."]
      : ['  By hour: none kept (set "report": {"byHour": true} in the journey file, from then on).'];
  }
  const head = ["hour", ...HOUR_COLUMNS.map(([title]) => title)];
  const rows = byHour.hours.map((point) => {
    const { hour, counts } = hourRow(point, zone);
    return [hour, ...counts.map(amount)];
  });
  const widths = head.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    `    ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ")}`;
  return [`  By hour (${zone}):`, line(head), ...rows.map(line)];
}

export function formatReport(
  reports: readonly JourneyReport[],
  context: { from: string; to: string; where: string; zone: string },
): string[] {
  const { from, to, where, zone } = context;
  const lines = [`Journeys from ${from} to ${to} (UTC days), from ${where}.`];
  for (const report of reports) lines.push("", ...journeyLines(report), ...hourLines(report, zone));
  return lines;
}
