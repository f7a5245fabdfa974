/**
 * The report's charts as inline SVG strings: nothing to load, so the page opens offline and can be mailed
 * as one file. Plain SVG 1.1 elements only (rect, line, polyline, circle, text), which every browser draws.
 */
import type { DayPoint, FunnelStage } from "../reports/journey-report.ts";
import { amount, percent } from "./report-text.ts";

/** Text for XML: escapes the five characters with a meaning there. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

const TREATMENT = "#2563eb";
const HOLDOUT = "#ea580c";

/** A horizontal bar per funnel stage, labelled with its count and its share of the first stage. */
export function funnelChart(stages: readonly FunnelStage[], title: string): string {
  const rowHeight = 26;
  const labelWidth = 230;
  const barWidth = 420;
  const width = labelWidth + barWidth + 110;
  const height = stages.length * rowHeight + 10;
  const first = stages[0]?.count ?? 0;
  const max = Math.max(1, ...stages.map((stage) => stage.count));
  const rows = stages.map((stage, index) => {
    const y = 5 + index * rowHeight;
    const w = Math.max(stage.count > 0 ? 1 : 0, Math.round((barWidth * stage.count) / max));
    return [
      `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end" class="label">${escapeXml(stage.label)}</text>`,
      `<rect class="bar" x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 8}" fill="${TREATMENT}"><title>${escapeXml(`${stage.label}: ${amount(stage.count)}`)}</title></rect>`,
      `<text x="${labelWidth + w + 6}" y="${y + 17}" class="value">${amount(stage.count)} (${percent(stage.count, first)})</text>`,
    ].join("");
  });
  return `<svg class="chart funnel" role="img" aria-label="${escapeXml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${rows.join("")}</svg>`;
}

/**
 * Conversion to date per day, treatment against holdout: conversions counted up to that day over
 * entrants up to that day, so the lines settle as the groups grow.
 */
export function conversionChart(days: readonly DayPoint[], title: string): string {
  const width = 760;
  const height = 260;
  const left = 50;
  const right = 20;
  const top = 30;
  const bottom = 40;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const rates = days.flatMap((d) => [d.rateToDate, d.holdoutRateToDate]).filter((r) => r !== undefined);
  // Whole tens of percent (or 5% for low rates), so the four grid lines fall on round figures.
  const ceiling = Math.max(0.05, Math.ceil(Math.max(0, ...rates) * 10) / 10);
  const x = (index: number) => left + (days.length <= 1 ? plotWidth / 2 : (plotWidth * index) / (days.length - 1));
  const y = (rate: number) => top + plotHeight - (plotHeight * rate) / ceiling;
  const parts: string[] = [];
  for (let tick = 0; tick <= 4; tick++) {
    const rate = (ceiling * tick) / 4;
    const ty = y(rate).toFixed(1);
    parts.push(
      `<line x1="${left}" y1="${ty}" x2="${width - right}" y2="${ty}" class="grid"/>`,
      `<text x="${left - 6}" y="${ty}" dy="4" text-anchor="end" class="axis">${(100 * rate).toFixed(ceiling < 0.1 ? 1 : 0)}%</text>`,
    );
  }
  const labelEvery = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((day, index) => {
    if (index % labelEvery === 0 || index === days.length - 1)
      parts.push(
        `<text x="${x(index).toFixed(1)}" y="${height - bottom + 18}" text-anchor="middle" class="axis">${day.day.slice(5)}</text>`,
      );
  });
  const series = (name: string, color: string, pick: (d: DayPoint) => number | undefined) => {
    const points = days.flatMap((day, index) => {
      const rate = pick(day);
      return rate === undefined ? [] : [`${x(index).toFixed(1)},${y(rate).toFixed(1)}`];
    });
    if (points.length === 0) return "";
    const dots = points.map((p) => {
      const [cx, cy] = p.split(",");
      return `<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`;
    });
    return `<polyline class="series ${name}" fill="none" stroke="${color}" stroke-width="2" points="${points.join(" ")}"/>${dots.join("")}`;
  };
  parts.push(
    series("treatment", TREATMENT, (d) => d.rateToDate),
    series("holdout", HOLDOUT, (d) => d.holdoutRateToDate),
  );
  parts.push(
    `<rect x="${left + 10}" y="8" width="12" height="4" fill="${TREATMENT}"/><text x="${left + 26}" y="14" class="axis">treatment</text>`,
    `<rect x="${left + 100}" y="8" width="12" height="4" fill="${HOLDOUT}"/><text x="${left + 116}" y="14" class="axis">holdout</text>`,
  );
  return `<svg class="chart conversion" role="img" aria-label="${escapeXml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join("")}</svg>`;
}
