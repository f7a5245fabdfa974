/**
 * `nudge report --html <file>`: one self-contained page an operations person can open and pass on: inline
 * CSS and SVG, no script, no font or image from the network. Per journey: the funnel as bars, conversion
 * over time as lines (treatment against holdout), the uplift with its interval and verdict, the costs.
 */
import { HOUR_COLUMNS, hourRow } from "../reports/hourly.ts";
import type { JourneyReport } from "../reports/journey-report.ts";
import { TOO_SMALL_RULE, UPLIFT_METHOD } from "../reports/uplift.ts";
import { conversionChart, escapeXml, funnelChart } from "./report-charts.ts";
import { amount, percent, pointsOf } from "./report-text.ts";

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2937; margin: 24px auto; max-width: 980px; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 15px; margin-bottom: 4px; }
table { border-collapse: collapse; margin: 6px 0; } td, th { padding: 2px 12px 2px 0; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { padding: 8px 12px; border-radius: 6px; background: #f3f4f6; }
.verdict.uplift { background: #dcfce7; } .verdict.negative { background: #fee2e2; }
.chart .label, .chart .value, .chart .axis { font-size: 12px; fill: #374151; }
.chart .grid { stroke: #e5e7eb; stroke-width: 1; }
.note { color: #6b7280; font-size: 12px; }
`;

function rows(entries: [string, string][]): string {
  return `<table>${entries.map(([name, value]) => `<tr><th>${escapeXml(name)}</th><td class="n">${escapeXml(value)}</td></tr>`).join("")}</table>`;
}

const byReason = (counts: Record<string, number>) =>
  Object.entries(counts).map(([reason, count]): [string, string] => [`  ${reason}`, amount(count)]);

function upliftSection(report: JourneyReport): string {
  const uplift = report.uplift;
  if (uplift === undefined) return "<p>The journey has no goal: there is no conversion to compare.</p>";
  const { treatment, holdout } = uplift;
  const entries: [string, string][] = [
    [
      "Treatment conversion",
      `${percent(treatment.converted, treatment.entered)} (${treatment.converted} of ${treatment.entered})`,
    ],
    [
      "Holdout conversion",
      `${percent(holdout.converted, holdout.entered)} (${holdout.converted} of ${holdout.entered})`,
    ],
  ];
  if (uplift.difference !== undefined && uplift.interval !== undefined)
    entries.push(
      ["Difference", `${pointsOf(uplift.difference)} percentage points`],
      ["95% confidence interval", `${pointsOf(uplift.interval.low)} to ${pointsOf(uplift.interval.high)} points`],
    );
  if (uplift.incrementalConversions !== undefined)
    entries.push(["Incremental conversions", amount(Math.round(uplift.incrementalConversions * 10) / 10)]);
  entries.push(["Coupon value redeemed (treatment)", amount(uplift.couponValueRedeemed)]);
  entries.push([
    "Cost per incremental conversion",
    uplift.costPerIncrementalConversion === undefined
      ? "— (no incremental conversions)"
      : amount(uplift.costPerIncrementalConversion),
  ]);
  return `${rows(entries)}<p class="verdict ${uplift.verdict}">${escapeXml(uplift.explanation)}</p>`;
}

/** The hours as a table in the zone's clock; nothing for a report without hours. */
function hoursSection(report: JourneyReport, zone: string): string {
  const byHour = report.byHour;
  if (byHour === undefined) return "";
  if (byHour.hours.length === 0) {
    const why = byHour.keepsHours
      ? "Nothing counted in this range."
      : 'None kept: set "report": {"byHour": true} in the journey file to count hours from then on.';
    return `<h3>By hour</h3><p>${escapeXml(why)}</p>`;
  }
  const titled = (title: string) => `<th>${escapeXml(title.charAt(0).toUpperCase() + title.slice(1))}</th>`;
  const head = ["hour", ...HOUR_COLUMNS.map(([title]) => title)].map(titled).join("");
  const body = byHour.hours.map((point) => {
    const { hour, counts } = hourRow(point, zone);
    return `<tr><th>${escapeXml(hour)}</th>${counts.map((n) => `<td class="n">${escapeXml(amount(n))}</td>`).join("")}</tr>`;
  });
  return [`<h3>By hour (${escapeXml(zone)})</h3>`, `<table><tr>${head}</tr>${body.join("")}</table>`].join("\n");
}

function journeySection(report: JourneyReport, zone: string): string {
  const { messages, coupons, goal } = report;
  const title = `${report.journeyId}${report.name === undefined ? "" : ` — ${report.name}`}`;
  const facts: [string, string][] = [
    ["Entered (treatment)", amount(report.entered.treatment)],
    ["Entered (holdout)", amount(report.entered.holdout)],
    ["Messages sent", amount(messages.sent)],
    ...Object.entries(messages.suppressed).map(([r, n]): [string, string] => [`Suppressed: ${r}`, amount(n)]),
    ...Object.entries(messages.deferred).map(([r, n]): [string, string] => [`Deferred: ${r}`, amount(n)]),
    ["Coupons issued (value)", `${amount(coupons.issued)} (${amount(coupons.valueIssued)})`],
    ["Coupons redeemed (value)", `${amount(coupons.redeemed)} (${amount(coupons.valueRedeemed)})`],
    ...Object.entries(coupons.withheld).map(([r, n]): [string, string] => [`Coupons withheld: ${r}`, amount(n)]),
    ...(goal === undefined
      ? []
      : ([
          ["Conversions (order value)", `${amount(goal.converted)} (${amount(goal.value)})`],
          ["Holdout conversions (order value)", `${amount(goal.holdoutConverted)} (${amount(goal.holdoutValue)})`],
        ] as [string, string][])),
  ];
  const exits = byReason(report.exits);
  return [
    `<section class="journey" id="${escapeXml(report.journeyId)}">`,
    `<h2>${escapeXml(title)}</h2>`,
    `<p class="note">Versions ${escapeXml(report.versions.join(", ") || "—")}; ${escapeXml(report.from)} to ${escapeXml(report.to)} (UTC days).</p>`,
    "<h3>Funnel (treatment runs)</h3>",
    funnelChart(report.funnel, `Funnel of ${report.journeyId}`),
    "<h3>Conversion over time (to date)</h3>",
    report.days.length === 0
      ? "<p>Nothing counted in this range.</p>"
      : conversionChart(report.days, `Conversion of ${report.journeyId}`),
    "<h3>Uplift</h3>",
    upliftSection(report),
    "<h3>Numbers</h3>",
    rows(facts),
    exits.length === 0 ? "" : `<h3>Exits</h3>${rows(exits)}`,
    hoursSection(report, zone),
    "</section>",
  ].join("\n");
}

export function reportHtml(
  reports: readonly JourneyReport[],
  context: { from: string; to: string; where: string; zone?: string },
): string {
  const { from, to, where, zone = "UTC" } = context;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Nudge report ${escapeXml(from)} to ${escapeXml(to)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>Nudge report, ${escapeXml(from)} to ${escapeXml(to)}</h1>`,
    `<p class="note">From ${escapeXml(where)}. Counters are by the UTC day things happened: conversions in the range may come from runs that entered before it, and runs that entered near its end may still convert after it.</p>`,
    `<p class="note">Uplift: treatment conversion rate minus holdout conversion rate, with its 95% confidence interval (${escapeXml(UPLIFT_METHOD)}). Too small to conclude when ${escapeXml(TOO_SMALL_RULE)}; not conclusive when the interval includes 0. Cost per incremental conversion: coupon value redeemed by the treatment group over the incremental conversions.</p>`,
    ...reports.map((report) => journeySection(report, zone)),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
