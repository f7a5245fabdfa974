/**
 * The local platform end to end (`npm run bench -- --only local`): registrations published with the AWS
 * SDK's PutEventsCommand (10 a request, 4 requests in flight) to the endpoint of a fresh platform on the
 * real clock, each sending its welcome at once (new-user-coupon's, with a coupon while the day's budget
 * lasts) and onboarding-guide's first guide when the frequency caps allow. Two phases on one platform:
 *
 * - paced: `pacedPerSecond` registrations a second for `pacedSeconds`: latency from the PutEvents call to
 *   the welcome message's outbox line, on a platform keeping up (p50, p99);
 * - burst: `burst` registrations as fast as the endpoint takes them: events accepted per second, and events
 *   processed per second end to end (until every message is in the outbox), with the latency under load.
 */
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { Journey } from "../functions/language/schema.ts";
import { atAnyHour, percentile, putEntries, startBenchPlatform } from "./local-platform.ts";
import { isWelcome } from "./pressure-mix.ts";
import type { Printing } from "./report-dynamodb.ts";

export interface LocalFigures {
  paced: { events: number; perSecond: number; p50Ms: number; p99Ms: number };
  burst: {
    events: number;
    acceptedPerSecond: number;
    processedPerSecond: number;
    messages: number;
    p50Ms: number;
    p99Ms: number;
  };
}

export async function runLocalBench(options: {
  journeys: Journey[];
  pacedPerSecond: number;
  pacedSeconds: number;
  burst: number;
}): Promise<LocalFigures> {
  const publishedAt = new Map<string, number>();
  const latencies: number[] = [];
  let welcomes = 0;
  const { platform, client, close } = await startBenchPlatform({
    name: "local",
    journeys: options.journeys,
    policies: atAnyHour(),
    onMessage: (line) => {
      // The welcome, with its coupon or, once the day's coupon budget is spent, without (another template).
      if (!isWelcome(line)) return;
      welcomes += 1;
      const sentAt = publishedAt.get(line.user);
      if (sentAt !== undefined) latencies.push(performance.now() - sentAt);
    },
  });
  let next = 0;
  const registrations = (count: number): PutEventsRequestEntry[] =>
    Array.from({ length: count }, () => {
      const userId = `u-${++next}`;
      return {
        Source: "shop",
        DetailType: "user.registered",
        Detail: JSON.stringify({ userId, locale: "zh-CN", timezone: "Asia/Shanghai" }),
      };
    });
  const put = async (entries: PutEventsRequestEntry[]) => {
    const now = performance.now();
    for (const entry of entries) publishedAt.set(JSON.parse(entry.Detail ?? "{}").userId, now);
    const refused = (await putEntries(client, entries)).filter((result) => result.ErrorCode !== undefined).length;
    if (refused > 0) throw new Error(`bench: ${refused} entries refused`);
  };
  const waitForWelcomes = async (count: number) => {
    while (welcomes < count) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  try {
    // Paced: one registration a request, evenly spread.
    const pacedEvents = options.pacedPerSecond * options.pacedSeconds;
    const gapMs = 1000 / options.pacedPerSecond;
    const pacedStart = performance.now();
    for (let i = 0; i < pacedEvents; i++) {
      const due = pacedStart + i * gapMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await put(registrations(1));
    }
    await waitForWelcomes(pacedEvents);
    const paced = {
      events: pacedEvents,
      perSecond: options.pacedPerSecond,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };

    // Burst: everything at once, 4 requests in flight.
    latencies.length = 0;
    const burstStart = performance.now();
    const batches = Array.from({ length: Math.ceil(options.burst / 10) }, (_, i) =>
      Math.min(10, options.burst - i * 10),
    );
    const inFlight = new Set<Promise<void>>();
    for (const size of batches) {
      const sending = put(registrations(size)).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const acceptedMs = performance.now() - burstStart;
    await waitForWelcomes(pacedEvents + options.burst);
    await platform.settled(120_000);
    const processedMs = performance.now() - burstStart;
    return {
      paced,
      burst: {
        events: options.burst,
        acceptedPerSecond: (options.burst / acceptedMs) * 1000,
        processedPerSecond: (options.burst / processedMs) * 1000,
        messages: platform.health().messages,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
      },
    };
  } finally {
    await close();
  }
}

/** Part 6 (`--only local`): 20 registrations a second for 10 s, then `burst` at once. Prints the report. */
export async function localPart(run: { journeys: Journey[]; burst: number }, { fmt }: Printing): Promise<LocalFigures> {
  const { journeys, burst } = run;
  const pacedPerSecond = 20;
  const pacedSeconds = 10;
  console.log(
    `\n6. Local platform end to end (PutEventsCommand to the endpoint → outbox line; dynalite on disk, real clock): ` +
      `${pacedPerSecond} registrations/s for ${pacedSeconds} s, then ${fmt(burst)} at once`,
  );
  const result = await runLocalBench({ journeys, pacedPerSecond, pacedSeconds, burst });
  const { paced } = result;
  console.log(
    `   paced: PutEvents → welcome line p50 ${fmt(paced.p50Ms)} ms, p99 ${fmt(paced.p99Ms)} ms (${fmt(paced.events)} events)`,
  );
  const b = result.burst;
  console.log(
    `   burst: ${fmt(b.acceptedPerSecond)} events/s accepted, ${fmt(b.processedPerSecond)} events/s processed end to end ` +
      `(${fmt(b.messages)} messages in all); PutEvents → welcome line under that load p50 ${fmt(b.p50Ms)} ms, p99 ${fmt(b.p99Ms)} ms`,
  );
  return result;
}
