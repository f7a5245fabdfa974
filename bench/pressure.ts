/**
 * The big-sale pressure test (`npm run bench -- --only pressure`): a fresh local platform on the real clock
 * takes a normal day's event mix of the synthetic shop (bench/pressure-mix.ts) at a normal rate, then at three
 * times that rate ("order volume tripling"), then at the normal rate again, each stage for a fixed time,
 * published with the AWS SDK's PutEventsCommand. Per stage: the events offered and accepted, the latency from
 * PutEvents to the outbox line of each registration's welcome (the message a registration sends at once), and
 * the backlog (messages in the ingest and delivery queues, not processed yet); after the peak, how long until
 * the backlog is back to what it was at the normal rate; after the last stage, how long until it is empty and
 * every welcome is out (the drain), and whether each went out exactly once.
 */
import type { ShopEvent } from "../events/catalog.ts";
import type { PolicyConfig } from "../functions/engine/policies/config.ts";
import type { Journey } from "../functions/language/schema.ts";
import { MAX_ENTRIES } from "../functions/local/endpoint.ts";
import type { OutboxLine } from "../functions/local/outbox.ts";
import { atAnyHour, type BenchPlatform, percentile, putEntries, startBenchPlatform } from "./local-platform.ts";
import { type DayMix, entryAt, isWelcome, normalDayMix, welcomedUsers } from "./pressure-mix.ts";

/** "Order volume tripling": the peak stage's rate against the normal one. */
export const PEAK_FACTOR = 3;
/** The publisher sends what is due every this many ms, up to 10 events a request, at most 4 requests in flight. */
const PACE_EVERY_MS = 100;
const MAX_IN_FLIGHT = 4;
/** The backlog is sampled this often. */
const SAMPLE_EVERY_MS = 100;
const DEFAULT_DRAIN_TIMEOUT_MS = 10 * 60_000;

export interface PressureOptions {
  journeys: Journey[];
  /** The platform's policies; the bench turns quiet hours off, so that it measures the same at any hour. */
  policies?: PolicyConfig;
  /** Events a second at the normal rate. */
  ratePerSecond: number;
  /** How long each of the three stages publishes, in seconds. */
  stageSeconds: number;
  /** The synthetic shop's seed (default 1). */
  seed?: number;
  /** How long the drain may take before the bench stops waiting (real ms, default 10 minutes). */
  drainTimeoutMs?: number;
}

export interface StageFigures {
  name: "normal" | "peak" | "normal again";
  ratePerSecond: number;
  seconds: number;
  offered: number;
  accepted: number;
  /** The rate the publisher achieved: offered over the stage's real duration. */
  offeredPerSecond: number;
  /** PutEvents → welcome line, for the registrations published in this stage (every one, drain included). */
  latency: { welcomes: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Messages in the ingest and delivery queues not processed yet: at the stage's end, and the most seen in it. */
  backlog: { atEnd: number; max: number };
}

export interface PressureFigures {
  mix: { day: string; events: number; byType: Record<string, number> };
  stages: StageFigures[];
  /** From the peak's end until the backlog is back to the first stage's maximum; undefined: never. */
  backToNormalAfterPeakMs: number | undefined;
  drain: {
    /** The backlog emptied and every expected welcome was out within the drain timeout. */
    drained: boolean;
    /** From the last stage's end until then (or until the timeout). */
    ms: number;
    /** Welcomes expected (users registered and not unsubscribed), received, and received more than once. */
    expected: number;
    received: number;
    duplicates: number;
  };
  /** Every message the platform delivered (welcomes, guides, coupon nudges...). */
  messages: number;
}

interface Stage {
  name: StageFigures["name"];
  ratePerSecond: number;
  events: ShopEvent[];
}

/** What the bench watches while the stages run: publish times, welcomes and the backlog. */
class Observer {
  readonly publishedAt = new Map<string, number>();
  /** The stage each expected user's registration was published in. */
  readonly stageOf = new Map<string, number>();
  readonly welcomes = new Map<string, number>();
  readonly latencies: number[][] = [];
  samples: { stage: number; at: number; backlog: number }[] = [];
  stage = 0;

  constructor(readonly expected: ReadonlySet<string>) {}

  published(event: ShopEvent, at: number): void {
    const userId = event.detail.userId;
    if (event["detail-type"] !== "user.registered" || typeof userId !== "string" || !this.expected.has(userId)) return;
    if (this.publishedAt.has(userId)) return; // a duplicate delivery: the first one starts the run
    this.publishedAt.set(userId, at);
    this.stageOf.set(userId, this.stage);
  }

  message(line: OutboxLine): void {
    if (!isWelcome(line) || !this.expected.has(line.user)) return;
    const count = (this.welcomes.get(line.user) ?? 0) + 1;
    this.welcomes.set(line.user, count);
    const sentAt = this.publishedAt.get(line.user);
    const stage = this.stageOf.get(line.user);
    if (count !== 1 || sentAt === undefined || stage === undefined) return;
    const latencies = this.latencies[stage] ?? [];
    latencies.push(performance.now() - sentAt);
    this.latencies[stage] = latencies;
  }

  sample(backlog: number): number {
    this.samples.push({ stage: this.stage, at: performance.now(), backlog });
    return backlog;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Messages waiting in the ingest and delivery queues (the wake-ups wait for their time, not for the platform). */
const backlogOf = (bench: BenchPlatform) => {
  const { queued } = bench.platform.health();
  return queued.ingest + queued.delivery;
};

/** Publishes a stage's events evenly over its seconds; resolves at its end with the entries accepted. */
async function publishStage(options: {
  bench: BenchPlatform;
  observer: Observer;
  stage: Stage;
  seconds: number;
}): Promise<{ accepted: number; ms: number }> {
  const { bench, observer, stage } = options;
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let accepted = 0;
  const send = async (events: ShopEvent[]) => {
    const now = Date.now();
    const at = performance.now();
    for (const event of events) observer.published(event, at);
    const results = await putEntries(
      bench.client,
      events.map((event) => entryAt(event, now)),
    );
    accepted += results.filter((result) => result.EventId !== undefined).length;
  };
  let next = 0;
  while (next < stage.events.length) {
    const due = Math.min(stage.events.length, Math.ceil(((performance.now() - started) / 1000) * stage.ratePerSecond));
    while (next < due) {
      const batch = stage.events.slice(next, Math.min(due, next + MAX_ENTRIES));
      next += batch.length;
      const sending = send(batch).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    }
    await sleep(PACE_EVERY_MS);
  }
  await Promise.all(inFlight);
  await sleep(started + options.seconds * 1000 - performance.now());
  return { accepted, ms: performance.now() - started };
}

/** Waits until the backlog is empty and every expected welcome is out, or the timeout; the time it took. */
async function drain(bench: BenchPlatform, observer: Observer, timeoutMs: number) {
  const started = performance.now();
  for (;;) {
    const done = observer.sample(backlogOf(bench)) === 0 && observer.welcomes.size === observer.expected.size;
    const ms = performance.now() - started;
    if (done || ms > timeoutMs) return { drained: done, ms };
    await sleep(SAMPLE_EVERY_MS);
  }
}

/** The three stages, each with its events: a normal day's mix cut in order into slices of their rates. */
function stagesOf(options: PressureOptions): { mix: DayMix; stages: Stage[] } {
  const plan = (["normal", "peak", "normal again"] as const).map((name) => {
    const ratePerSecond = options.ratePerSecond * (name === "peak" ? PEAK_FACTOR : 1);
    return { name, ratePerSecond, count: Math.round(ratePerSecond * options.stageSeconds) };
  });
  const mix = normalDayMix({ count: plan.reduce((sum, p) => sum + p.count, 0), seed: options.seed ?? 1 });
  let from = 0;
  const stages = plan.map(({ name, ratePerSecond, count }) => {
    const events = mix.events.slice(from, from + count);
    from += count;
    return { name, ratePerSecond, events };
  });
  return { mix, stages };
}

/** The figures of one stage from what the observer saw. */
function stageFigures(options: {
  stage: Stage;
  index: number;
  seconds: number;
  published: { accepted: number; ms: number };
  observer: Observer;
  backlogAtEnd: number;
}): StageFigures {
  const { stage, index, published, observer } = options;
  const latencies = observer.latencies[index] ?? [];
  const backlogs = observer.samples.filter((s) => s.stage === index).map((s) => s.backlog);
  return {
    name: stage.name,
    ratePerSecond: stage.ratePerSecond,
    seconds: options.seconds,
    offered: stage.events.length,
    accepted: published.accepted,
    offeredPerSecond: (stage.events.length / published.ms) * 1000,
    latency: {
      welcomes: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.length === 0 ? Number.NaN : Math.max(...latencies),
    },
    backlog: { atEnd: options.backlogAtEnd, max: Math.max(options.backlogAtEnd, ...backlogs) },
  };
}

/** From the peak's end to the first sample with the backlog at or below the normal stage's maximum. */
function backToNormal(observer: Observer, peakEndedAt: number, normalMax: number): number | undefined {
  const sample = observer.samples.find((s) => s.at >= peakEndedAt && s.backlog <= normalMax);
  return sample === undefined ? undefined : sample.at - peakEndedAt;
}

export async function runPressureBench(options: PressureOptions): Promise<PressureFigures> {
  const { mix, stages } = stagesOf(options);
  const observer = new Observer(welcomedUsers(mix.events));
  const bench = await startBenchPlatform({
    name: "pressure",
    journeys: options.journeys,
    policies: atAnyHour(options.policies),
    onMessage: (line) => observer.message(line),
  });
  const sampler = setInterval(() => observer.sample(backlogOf(bench)), SAMPLE_EVERY_MS);
  try {
    const published: { accepted: number; ms: number }[] = [];
    const backlogsAtEnd: number[] = [];
    let peakEndedAt = 0;
    for (const [index, stage] of stages.entries()) {
      observer.stage = index;
      published.push(await publishStage({ bench, observer, stage, seconds: options.stageSeconds }));
      backlogsAtEnd.push(observer.sample(backlogOf(bench)));
      if (stage.name === "peak") peakEndedAt = performance.now();
    }
    observer.stage = stages.length;
    const drained = await drain(bench, observer, options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    const figures = stages.map((stage, index) =>
      stageFigures({
        stage,
        index,
        seconds: options.stageSeconds,
        published: published[index] ?? { accepted: 0, ms: Number.NaN },
        observer,
        backlogAtEnd: backlogsAtEnd[index] ?? Number.NaN,
      }),
    );
    const counts = [...observer.welcomes.values()];
    return {
      mix: { day: mix.day, events: mix.events.length, byType: mix.byType },
      stages: figures,
      backToNormalAfterPeakMs: backToNormal(observer, peakEndedAt, figures[0]?.backlog.max ?? 0),
      drain: {
        ...drained,
        expected: observer.expected.size,
        received: counts.length,
        duplicates: counts.filter((count) => count > 1).length,
      },
      messages: bench.platform.health().messages,
    };
  } finally {
    clearInterval(sampler);
    await bench.close();
  }
}
