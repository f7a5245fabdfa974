/**
 * `nudge demo` (`npm run demo`): a synthetic shop through the local platform at high speed, over the
 * EventBridge endpoint with the AWS SDK, then a report per journey and where the outbox is.
 */
import { join, resolve } from "node:path";
import { type JourneyReport, runDemo } from "../local/demo.ts";
import { readableLine } from "../local/outbox.ts";
import { numberOption, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { keepDeployedCopy, loadJourneys } from "./journey-folder.ts";
import { writeHtmlReport } from "./report.ts";
import { upliftLines } from "./report-text.ts";
import { parseCommandArgs } from "./usage.ts";

const percent = (part: number, whole: number) => (whole === 0 ? "-" : `${((100 * part) / whole).toFixed(1)}%`);

/** The report as an aligned table: one row per journey. */
export function reportTable(reports: readonly JourneyReport[]): string {
  const header = [
    "journey",
    "entered",
    "holdout",
    "messages",
    "deferred",
    "held back",
    "coupons",
    "redeemed",
    "exits",
    "goals",
    "rate",
  ];
  const rows = reports.map((r) => [
    r.journey,
    ...[
      r.entered,
      r.holdout,
      r.messages,
      r.deferred,
      r.suppressed,
      r.couponsIssued,
      r.couponsRedeemed,
      r.exits,
      r.goals,
    ].map(String),
    percent(r.goals, r.entered + r.holdout),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const format = (row: string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("  ");
  return [format(header), ...rows.map(format)].join("\n");
}

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values, flags, positional } = parseCommandArgs("demo", args);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const users = numberOption(values, "users", 1, 100_000) ?? 300;
  const days = numberOption(values, "days", 1, 365) ?? 35;
  const seconds = numberOption(values, "seconds", 1, 86_400) ?? 40;
  const seed = numberOption(values, "seed", 0, 2 ** 31) ?? 1;
  const dir = resolve(io.cwd, values.get("dir") ?? ".nudge/demo");
  const journeyDir = resolve(io.cwd, values.get("journeys") ?? "journeys");
  const loaded = await loadJourneys(journeyDir, io);
  if (loaded === undefined) return ExitCode.failed;
  const { journeys, policies, traits } = loaded;
  io.stdout(
    `Demo: ${users} users of a synthetic shop over ${days} days, published to the local platform's EventBridge endpoint in about ${seconds} s (longer if the platform runs behind).`,
  );
  const result = await runDemo({
    dir,
    journeys,
    policies,
    ...(traits === undefined ? {} : { traits }),
    users,
    days,
    seconds,
    seed,
    onProgress: (text) => io.stdout(text),
    ...(flags.has("messages") ? { onMessage: (line) => io.stdout(readableLine(line)) } : {}),
  });
  io.stdout("");
  keepDeployedCopy(journeyDir, dir);
  io.stdout(reportTable(result.reports));
  io.stdout("");
  io.stdout(
    `${result.published} events published (${result.refused} refused: the events the synthetic shop breaks on purpose), ${result.messages} messages delivered in ${result.realSeconds.toFixed(1)} s.`,
  );
  io.stdout(`The messages: ${result.outboxPath} (one JSON object a line).`);
  io.stdout("");
  for (const report of result.report.journeys) {
    if (report.uplift === undefined) continue;
    io.stdout(report.journeyId);
    for (const line of upliftLines(report.uplift)) io.stdout(`  ${line}`);
  }
  const page = writeHtmlReport(
    join(dir, "report.html"),
    result.report.journeys,
    result.report,
    "the demo's local platform",
  );
  io.stdout("");
  const { from, to } = result.report;
  const again = `nudge report --dir ${values.get("dir") ?? ".nudge/demo"} --since ${from} --until ${to}`;
  io.stdout(`The report page, with charts: ${page} (\`${again}\` prints it as text).`);
  return ExitCode.ok;
}
