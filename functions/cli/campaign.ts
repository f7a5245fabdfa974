/**
 * `nudge campaign preview <id> [--at <time>] [--rate <n>]`: a campaign's next occurrence (after `--at`,
 * default the platform's clock) forecast before it goes out, from the local platform or a table on AWS:
 * the audience, who enters and who is held out, the messages that go, are suppressed (consent, ...) or
 * deferred (quiet hours, a frequency cap) and until when, the coupons against the budget left and when it
 * runs out, how long the messages take at a rate, and five rendered samples (functions/runtime/campaign-forecast.ts).
 */
import { resolve } from "node:path";
import { nextCampaignOccurrence } from "../engine/campaigns.ts";
import { compileJourney } from "../engine/compile.ts";
import { didYouMean } from "../journey/suggestions.ts";
import { type CampaignForecast, forecastOccurrence } from "../runtime/campaign-forecast.ts";
import { countOption, formatOption, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { loadJourneys } from "./journey-folder.ts";
import { openStoreSource, platformNow } from "./store-source.ts";
import { parseCommandArgs } from "./usage.ts";

export async function campaignCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("campaign", args);
  const [action, id, extra] = positional;
  if (action !== "preview") throw new UsageError(`expected preview <campaign>, got ${JSON.stringify(action ?? "")}`);
  if (id === undefined || extra !== undefined) throw new UsageError("expected one campaign id");
  const format = formatOption(values);
  const rate = values.has("rate") ? countOption(values, "rate", 1) : undefined;
  const loaded = await loadJourneys(resolve(io.cwd, values.get("journeys") ?? "journeys"), io);
  if (loaded === undefined) return ExitCode.failed;
  const campaigns = loaded.journeys.filter((j) => j.trigger.type === "schedule" && j.trigger.schedule !== undefined);
  const journey = campaigns.find((j) => j.id === id);
  if (journey === undefined || journey.trigger.type !== "schedule") {
    const known = campaigns.map((j) => j.id);
    io.stderr(`nudge campaign preview: no campaign with a schedule "${id}"${didYouMean(id, known)}`);
    return ExitCode.usage;
  }
  const atText = values.get("at");
  const at = atText === undefined ? platformNow(values, io.cwd) : Date.parse(atText);
  if (Number.isNaN(at)) throw new UsageError(`--at: expected an ISO-8601 time such as "2026-12-04T00:00:00Z"`);
  const occurrence = nextCampaignOccurrence(journey.trigger, at - 1);
  if (occurrence === undefined) {
    io.stderr(`nudge campaign preview: ${id} has no occurrence after ${new Date(at).toISOString()}`);
    return ExitCode.failed;
  }
  const source = await openStoreSource(values, io.cwd);
  try {
    const { policies, traits } = loaded;
    const forecast = await forecastOccurrence({
      store: source.store,
      journey: compileJourney(journey),
      occurrence,
      config: policies,
      ...(traits === undefined ? {} : { traits: { file: traits, defaultZone: policies.defaultTimezone } }),
    });
    if (format === "json") io.stdout(JSON.stringify({ forecast, rate: rate ?? null }));
    else {
      io.stdout(`From ${source.where}.`);
      for (const line of forecastLines(forecast, rate)) io.stdout(line);
    }
    return ExitCode.ok;
  } finally {
    await source.close();
  }
}

/** The forecast as text, a line a figure. */
export function forecastLines(f: CampaignForecast, rate: number | undefined): string[] {
  const n = (value: number) => value.toLocaleString("en-US");
  const byKey = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([key, count]) => `${key} ${n(count)}`)
      .join(", ") || "none";
  const messages = Object.values(f.sent).reduce((sum, count) => sum + count, 0);
  const deferred = Object.entries(f.deferred)
    .map(([reason, d]) => `${reason} ${n(d.count)} (the last until ${d.latestUntil})`)
    .join(", ");
  const coupons = f.coupons;
  return [
    `${f.journeyId} at ${f.occurrence}: ${n(f.audience)} members of its segment now`,
    `  enter ${n(f.entered)}, held out ${n(f.holdout)}, not entered ${n(f.notEntered)}${f.skippedByClock > 0 ? `, skipped by a clock change ${n(f.skippedByClock)}` : ""}`,
    `  messages at once: ${n(messages)} (${byKey(f.sent)}); suppressed: ${byKey(f.suppressed)}; deferred: ${deferred || "none"}`,
    `  coupons: ${n(coupons.issued)} issued, ${n(coupons.value)} off in all; withheld for the budget: ${n(coupons.withheld)}${coupons.runsOutAt ? ` (the budget runs out at ${coupons.runsOutAt})` : ""}`,
    ...f.budgets.map(
      (b) =>
        `  budget ${b.day}: ${n(b.perDay - b.spentBefore)} of ${n(b.perDay)} left before the send, ${n(b.perDay - b.spentAfter)} after it`,
    ),
    ...(rate === undefined ? [] : [`  at ${n(rate)} a second the messages take ${Math.ceil(messages / rate)} s`]),
    ...f.samples.map((s) => `  sample to ${s.user} (${s.channel}, ${s.at}): ${s.text}`),
  ];
}
