import type { Expectation } from "../journey/test-file.ts";
import { parseDuration } from "../shared/time.ts";
import { type CaseResult, factsOf, type TimelineRow } from "../simulator/journey-test.ts";
import type { JourneyLine } from "../simulator/lines.ts";

/**
 * How `nudge test` tells a case: a line per case, and for a failing one its timeline, what was expected beside
 * what happened, row by row in time order:
 *
 *   ok  +0:00      ana  coupon.issued 20 off       | +0:00      ana  coupon.issued 20 off
 *   --  +3d 0:00   ana  message.sent push/reminder | (nothing)
 *   !!  never: ana message.sent push/reminder      | +5d 0:00   ana  message.sent push/reminder
 *                                                  | +7d 0:00   ana  journey.exited completed
 */

const MARKS: Record<TimelineRow["mark"], string> = { met: "ok", missing: "--", unexpected: "!!", seen: "  " };

/** `+3d 2:05` (`:30` more when seconds count): an offset from the test's start. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? "-" : "+";
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  const clock = `${hours}:${String(minutes).padStart(2, "0")}${seconds === 0 ? "" : `:${String(seconds).padStart(2, "0")}`}`;
  return `${sign}${days === 0 ? "" : `${days}d `}${clock}`;
}

/** What a line or an expectation says beyond its type: `push/welcome`, a reason, an amount off. */
function particulars(fields: {
  channel?: unknown;
  template?: unknown;
  reason?: unknown;
  event?: unknown;
  amountOff?: unknown;
}): string {
  const parts: string[] = [];
  if (fields.channel !== undefined || fields.template !== undefined)
    parts.push(`${fields.channel ?? "*"}/${fields.template ?? "*"}`);
  if (fields.reason !== undefined) parts.push(String(fields.reason));
  if (typeof fields.event === "string") parts.push(fields.event);
  if (fields.amountOff !== undefined) parts.push(`${fields.amountOff} off`);
  return parts.join(" ");
}

function actualText(row: { offsetMs: number; actual: JourneyLine }, otherJourney: boolean): string {
  const { actual } = row;
  const what = particulars(factsOf(actual));
  const journey = otherJourney ? `${actual.journey} ` : "";
  return `${formatOffset(row.offsetMs).padEnd(10)} ${actual.user || "-"}  ${journey}${actual.type} ${what}`.trimEnd();
}

function expectedText(expected: Expectation, never: boolean): string {
  const at = expected.at === undefined ? undefined : parseDuration(expected.at);
  const when = never ? "never:" : at === undefined ? "any time" : formatOffset(at);
  const journey = expected.journey === undefined ? "" : `${expected.journey} `;
  const contains = expected.contains === undefined ? "" : ` "${expected.contains}"`;
  const what = `${expected.user ?? "*"}  ${journey}${expected.type} ${particulars(expected)}`.trimEnd();
  return `${when.padEnd(10)} ${what}${contains}`;
}

/** A failing case's timeline, expected on the left, actual on the right, one row a line. */
export function formatTimeline(result: CaseResult, journey: string): string[] {
  const cells = result.timeline.map((row) => {
    const left = row.mark === "seen" ? "" : expectedText(row.expected, row.mark === "unexpected");
    const right = row.mark === "missing" ? "(nothing)" : actualText(row, row.actual.journey !== journey);
    return { mark: MARKS[row.mark], left, right };
  });
  const width = Math.max("expected".length, ...cells.map((cell) => cell.left.length));
  return [
    `      ${"expected".padEnd(width)} | actual`,
    ...cells.map((cell) => `    ${cell.mark} ${cell.left.padEnd(width)} | ${cell.right}`),
  ];
}
