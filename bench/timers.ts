import type { WakeUp } from "../functions/engine/model.ts";
import { TICK_MAX_WAKE_UPS, TICK_SENDS_IN_FLIGHT, TICK_TIMEOUT_SECONDS } from "../functions/handlers/batching.ts";
import { STOP_BEFORE_TIMEOUT_MS } from "../functions/handlers/tick.ts";
import { tick } from "../functions/runtime/tick-engine.ts";
import { openSimulatorDynamoDb } from "../functions/simulator/embedded-dynamodb.ts";
import type { CapacityUse } from "../functions/store/dynamodb/table-client.ts";

/**
 * Benchmark 4 (`--only timers`): the timer wheel on the platform's set-up (a shared table: the cursor
 * walk, no timer index), on dynalite, on a virtual clock that the real tick code reads.
 *
 * - Cost: a probe of 100 wake-ups due in one minute is taken by one tick on a table holding 1,000
 *   pending wake-ups, then on one holding `pending`; the tick's requests and units must be the same.
 * - Lateness: `due` of the pending wake-ups fall due in the same minute M; ticks run every minute from
 *   one lookahead and a minute before M (the deployed 5 minutes by default; `lookaheadMs` as a big sale may
 *   set LOOKAHEAD_SECONDS, up to SQS's 15) and hand on as the deployed tick function does (batches
 *   of 10, TICK_SENDS_IN_FLIGHT at once, TICK_MAX_WAKE_UPS at most, stopping 10 s before its timeout on
 *   the real clock). A wake-up's lateness is when it becomes visible on the wake-up queue (the virtual time
 *   of the tick, plus the real time into the tick at which its send returned, plus its SQS delivery delay,
 *   computed when the send began) minus its due time. `sendMs` makes each send wait that long first, a
 *   model of SQS's SendMessageBatch latency on AWS (0: the sends cost nothing, only the store's takes).
 */

const MIN = 60_000;
const PROBE_MINUTE = Date.parse("2026-11-01T09:00:00Z");
const BURST_MINUTE = PROBE_MINUTE + 2 * 60 * MIN;
const PROBE = 100;

export interface TimerBenchResult {
  pending: number;
  due: number;
  writeSeconds: number;
  /** The probe tick's cost with 1,000 and with `pending` wake-ups pending. */
  tickCost: { small: CapacityUse; large: CapacityUse; same: boolean };
  lateness: { handed: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** What the ticks around the burst cost in all, per wake-up handed on. */
  perWakeUp: { requests: number; read: number; write: number };
  ticks: { at: string; handedOn: number; seconds: number }[];
}

/** A deterministic stream of numbers in [0, 1): the same wake-ups in every run. */
function uniform(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const wake = (key: string, at: number): WakeUp => ({
  kind: "run",
  journeyId: "coupon-expiry-nudge",
  key,
  at: new Date(at).toISOString(),
  seq: 2,
});

/** Wake-ups that are neither the probe nor the burst: from an hour after the burst over 30 days. */
function others(count: number, random: () => number): WakeUp[] {
  return Array.from({ length: count }, (_, i) =>
    wake(`other-${i}`, BURST_MINUTE + 60 * MIN + random() * 30 * 1440 * MIN),
  );
}

async function openTable(name: string, clock: { now: number }, lookaheadMs: number) {
  return openSimulatorDynamoDb({
    tableName: name,
    store: { clock: () => clock.now, lookaheadMs },
    timerIndex: false,
  });
}

/** The probe tick (at the probe minute's end) on a table with `pending` wake-ups, the probe included. */
async function probeCost(db: Awaited<ReturnType<typeof openTable>>, clock: { now: number }): Promise<CapacityUse> {
  clock.now = PROBE_MINUTE + MIN;
  db.store.resetCapacity();
  await tick({ timers: db.store, now: clock.now, handOn: async () => undefined });
  const use = db.store.capacity.takeDueWakeUps;
  return { requests: 0, read: 0, write: 0, conditionFailures: 0, ...use };
}

export async function runTimerBench(options: {
  pending: number;
  due: number;
  /** Modeled SendMessageBatch latency (ms). */
  sendMs: number;
  /** The tick's and the store's lookahead (LOOKAHEAD_SECONDS), in ms. */
  lookaheadMs: number;
  log: (line: string) => void;
}): Promise<TimerBenchResult> {
  const { pending, due, sendMs, lookaheadMs, log } = options;
  const random = uniform(1);
  const probe = Array.from({ length: PROBE }, (_, i) => wake(`probe-${i}`, PROBE_MINUTE + random() * MIN));
  // Scheduled a lookahead and ten minutes before the probe minute: every wake-up goes under its own due time.
  const scheduledAt = PROBE_MINUTE - lookaheadMs - 10 * MIN;
  const clock = { now: scheduledAt };

  const small = await openTable("timers-small", clock, lookaheadMs);
  let smallCost: CapacityUse;
  try {
    await small.store.scheduleWakeUps([...probe, ...others(1000 - PROBE, random)]);
    smallCost = await probeCost(small, clock);
  } finally {
    await small.close();
  }

  clock.now = scheduledAt;
  const large = await openTable("timers-large", clock, lookaheadMs);
  try {
    const started = performance.now();
    await large.store.scheduleWakeUps(probe);
    const burst = Array.from({ length: due }, (_, i) => wake(`due-${i}`, BURST_MINUTE + random() * MIN));
    for (let start = 0; start < due; start += 10_000)
      await large.store.scheduleWakeUps(burst.slice(start, start + 10_000));
    const rest = pending - PROBE - due;
    for (let start = 0; start < rest; start += 10_000) {
      await large.store.scheduleWakeUps(others(Math.min(10_000, rest - start), random));
      if ((start / 10_000) % 10 === 9) log(`   ... ${PROBE + due + start + 10_000} wake-ups written`);
    }
    const writeSeconds = (performance.now() - started) / 1000;
    const largeCost = await probeCost(large, clock);

    const lateness: number[] = [];
    const ticks: TimerBenchResult["ticks"] = [];
    large.store.resetCapacity();
    let handedOn = 0;
    for (let minute = -Math.ceil(lookaheadMs / MIN) - 1; minute <= 2; minute++) {
      const tickAt = BURST_MINUTE + minute * MIN;
      clock.now = tickAt;
      const tickStarted = performance.now();
      const sending = () => tickAt + (performance.now() - tickStarted);
      const report = await tick({
        timers: large.store,
        now: tickAt,
        lookaheadMs,
        clock: sending,
        sendsInFlight: TICK_SENDS_IN_FLIGHT,
        maxWakeUps: TICK_MAX_WAKE_UPS,
        shouldStop: () => performance.now() - tickStarted >= TICK_TIMEOUT_SECONDS * 1000 - STOP_BEFORE_TIMEOUT_MS,
        handOn: async (batch) => {
          if (sendMs > 0) await new Promise((resolve) => setTimeout(resolve, sendMs));
          const sentAt = sending();
          for (const { wakeUp, delaySeconds } of batch) {
            if (!wakeUp.key.startsWith("due-")) continue;
            lateness.push(sentAt + delaySeconds * 1000 - Date.parse(wakeUp.at));
          }
        },
      });
      const seconds = (performance.now() - tickStarted) / 1000;
      handedOn += report.handedOn;
      ticks.push({ at: new Date(tickAt).toISOString().slice(11, 16), handedOn: report.handedOn, seconds });
    }
    const use = large.store.capacity.takeDueWakeUps ?? { requests: 0, read: 0, write: 0 };
    const perWakeUp = { requests: use.requests / handedOn, read: use.read / handedOn, write: use.write / handedOn };
    lateness.sort((a, b) => a - b);
    const at = (q: number) => lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? Number.NaN;
    const same =
      smallCost.requests === largeCost.requests &&
      smallCost.read === largeCost.read &&
      smallCost.write === largeCost.write;
    return {
      pending,
      due,
      writeSeconds,
      tickCost: { small: smallCost, large: largeCost, same },
      lateness: { handed: lateness.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: lateness.at(-1) ?? Number.NaN },
      perWakeUp,
      ticks,
    };
  } finally {
    await large.close();
  }
}

/** Part 5 (`--only timers`): runs runTimerBench and prints its report; returns its figures. */
export async function timersPart(
  options: { pending: number; due: number; sendMs: number; lookaheadMs: number },
  { fmt, mark }: { fmt: (n: number) => string; mark: (ok: boolean) => string },
): Promise<TimerBenchResult> {
  const { pending, due, sendMs } = options;
  // 5. The timer wheel on the platform's set-up: cost against pending count, lateness of a burst.
  const sends = sendMs > 0 ? `each send modeled at ${sendMs} ms` : "sends cost nothing but the store's takes";
  console.log(
    `\n5. Timer wheel on dynalite (shared table, virtual clock): ${fmt(pending)} pending, ${fmt(due)} due in one minute; ` +
      `${TICK_SENDS_IN_FLIGHT} sends in flight, ${sends}, lookahead ${options.lookaheadMs / 1000} s`,
  );
  const result = await runTimerBench({ ...options, log: (line) => console.log(line) });
  const { small, large, same } = result.tickCost;
  const cost = (use: typeof small) => `${fmt(use.requests)} requests, ${use.read} RCU, ${use.write} WCU`;
  console.log(`   wrote ${fmt(pending)} wake-ups in ${result.writeSeconds.toFixed(0)} s`);
  console.log(
    `   probe tick (100 due): 1,000 pending: ${cost(small)}; ${fmt(pending)} pending: ${cost(large)}: ${same ? "the same" : "DIFFERENT"}`,
  );
  const { handed, p50Ms, p99Ms, maxMs } = result.lateness;
  const onTime = handed === due && p99Ms < 5000;
  console.log(
    `   lateness of the ${fmt(due)} due together (visible on the queue - due), ${fmt(handed)} handed on by the last tick: ` +
      `p50 ${fmt(p50Ms)} ms, p99 ${fmt(p99Ms)} ms, max ${fmt(maxMs)} ms; all handed on and p99 < 5 s: ${mark(onTime)}`,
  );
  const { perWakeUp, ticks } = result;
  const rate = (t: (typeof ticks)[number]) => (t.seconds > 0 ? t.handedOn / t.seconds : 0);
  const busiest = Math.max(...ticks.map(rate));
  console.log(`   one tick's throughput: up to ${fmt(busiest)} wake-ups a second`);
  console.log(
    `   the ticks around the burst: ${ticks.map((t) => `${t.at} ${fmt(t.handedOn)} in ${t.seconds.toFixed(1)} s`).join(", ")}; ` +
      `per wake-up handed on: ${perWakeUp.requests.toFixed(3)} requests, ${perWakeUp.read.toFixed(4)} RCU, ${perWakeUp.write.toFixed(4)} WCU`,
  );
  return result;
}
