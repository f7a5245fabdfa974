import type { ShopEvent } from "../../events/catalog.ts";
import { JourneyCatalog } from "../engine/catalog.ts";
import type { EffectType, JourneyEffect, WakeUp } from "../engine/model.ts";
import type { PolicyConfig } from "../engine/policies/config.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import type { Journey } from "../language/schema.ts";
import { answerOf, runSteps, type Steps } from "../runtime/awaitable.ts";
import { armNextOccurrence } from "../runtime/campaign-fan-out.ts";
import { JourneyRuntime } from "../runtime/journey-runtime.ts";
import { isPromise, type JourneyStore } from "../runtime/ports.ts";
import { DAY_MS } from "../shared/time.ts";
import { MemoryStore } from "../store/memory/memory-store.ts";
import { CampaignLines } from "./campaign-lines.ts";
import { isControlStore, type ScheduledControl, SimulatorControls } from "./controls.ts";
import { type InvalidInput, type OrderedEvents, orderEventLines } from "./event-order.ts";
import { FaultInjector, type FaultOptions, type FaultReport, type SimulatorInput } from "./faults.ts";

/**
 * The virtual-clock simulator: the same runtime and engine as the platform, driven by a file of events
 * instead of a bus, with time that jumps from one due timer or event to the next.
 */

import type { ProfileLine, SimulationLine } from "./lines.ts";

export { type InvalidInput, parseEventLines } from "./event-order.ts";
export type { SimulationLine } from "./lines.ts";

/** The effect types that are part of the output contract (internal ones, like profile updates, are not). */
const OUTPUT_TYPES: ReadonlySet<EffectType> = new Set([
  "journey.entered",
  "holdout",
  "journey.exited",
  "journey.migrated",
  "coupon.issued",
  "message.sent",
  "message.suppressed",
  "message.deferred",
  "coupon.withheld",
  "event.emitted",
  "goal.converted",
]);

export interface SimulationOptions {
  journeys: readonly Journey[];
  /**
   * The event file's lines (NDJSON), an array or read as they are asked for (fileLines); blank lines are
   * skipped. Read twice when they can be (see orderEventLines), so that the events are not all held at once.
   */
  lines?: Iterable<string>;
  /** Events already parsed and sorted by time (parseEventLines), in place of `lines`. */
  events?: readonly ShopEvent[];
  /** Receives each output line as it happens, in time order; the result's `lines` then stays empty. */
  onLine?: (line: SimulationLine) => void;
  /** Run on to this time (epoch ms); default 60 days after the last event. */
  until?: number;
  store?: JourneyStore;
  /** Called for every invalid line as it is found, so a caller can report it at once. */
  onInvalid?: (invalid: InvalidInput) => void;
  /**
   * Duplicate deliveries and crashes at the state update (see faults.ts), to show that the effect lines
   * stay those of a clean run. None by default.
   */
  faults?: FaultOptions;
  /** The platform's messaging policies (journeys/policy.json); the defaults when absent. */
  policies?: PolicyConfig;
  /** The platform's computed traits (journeys/traits.json); none when absent. */
  traits?: TraitsFile;
  /** Pauses and resumes at virtual times (controls.ts); guardrails are checked every virtual hour. */
  controls?: readonly ScheduledControl[];
  /**
   * Inputs per batch (default 100): the runtime flushes once a batch (the hand-on proof, coupon settlements,
   * statistics), as the ingest function does once an SQS batch (INGEST_BATCH_SIZE on AWS).
   */
  inputsPerBatch?: number;
}

export interface SimulationResult {
  lines: SimulationLine[];
  invalid: InvalidInput[];
  /** Engine inputs processed: events (including the ones journeys emitted) and wake-ups. */
  inputs: number;
  /** The inputs by kind: the shop's events (redeliveries included), events the journeys emitted, wake-ups. */
  inputsByKind: { events: number; emitted: number; wakeUps: number };
  /** Decisions saved: an input applied to one run record. */
  decisions: number;
  /** Journey steps taken (see Decision.steps in the engine). */
  steps: number;
  effects: number;
  /** The engine's decide calls in all, and the most for one input and journey (see JourneyRuntime.stats). */
  decideCalls: number;
  mostDecideCalls: number;
  /** What was injected, when `faults` asked for any. */
  faults?: FaultReport;
}

export const DEFAULT_RUN_ON_MS = 60 * DAY_MS;

/** An effect is its own output line (the contract's fields first, its id last) when its type is output. */
export function toOutputLine(effect: JourneyEffect): SimulationLine | undefined {
  if (!OUTPUT_TYPES.has(effect.type)) return undefined;
  if (effect.type !== "message.deferred" || effect.heldBy === undefined) return effect;
  // Every rule that moved a deferred message is `nudge why`'s to tell; the contract's line names the last.
  const { heldBy: _heldBy, ...line } = effect;
  return line;
}

/** The output line of a profile's change the runtime publishes (a segment entered or left, a trait changed). */
export function profileLineOf(event: ShopEvent): ProfileLine | undefined {
  const type = event["detail-type"];
  const { userId, segment, trait, from, to } = event.detail;
  const user = String(userId);
  if (type === "segment.entered" || type === "segment.exited") return { type, segment, user, at: event.time };
  if (type === "trait.changed") return { type, trait, from, to, user, at: event.time };
  return undefined;
}

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const { events, invalid, last } = options.events
    ? givenEvents(options.events)
    : orderEventLines(options.lines ?? [], options.onInvalid);
  // Its own store keeps no journal: every effect is an output line already, and nothing reads it back.
  const store = options.store ?? new MemoryStore({ journal: false });
  const faults = FaultInjector.injects(options.faults) ? new FaultInjector(store, options.faults ?? {}) : undefined;
  const output: SimulationLine[] = [];
  const print = options.onLine ?? ((line: SimulationLine) => void output.push(line));
  const versionOf = (id: string) => Math.max(0, ...options.journeys.filter((j) => j.id === id).map((j) => j.version));
  const campaigns = new CampaignLines(print, versionOf);
  const emit = (line: SimulationLine) => {
    campaigns.observe(line);
    print(line);
  };
  const published: ShopEvent[] = [];
  let inputs = 0;
  const inputsByKind = { events: 0, emitted: 0, wakeUps: 0 };
  const catalog = new JourneyCatalog(options.journeys);
  const runtime = new JourneyRuntime({
    catalog,
    store: faults?.store ?? store,
    sink: {
      deliver: (effect) => {
        const line = toOutputLine(effect);
        if (line) emit(line);
        return undefined;
      },
    },
    publisher: {
      publish: (event) => {
        const line = profileLineOf(event);
        if (line !== undefined) {
          emit(line);
          // A profile's change goes round again only to the journeys that listen to it (the rules, on AWS).
          if (catalog.listeningTo(event["detail-type"]).length === 0) return undefined;
        }
        published.push(event);
        return undefined;
      },
    },
    onFanOut: (report) => campaigns.started(report, clock),
    // As the ingest function does once an SQS batch: proofs, settlements and statistics written once a batch.
    flushEveryInputs: options.inputsPerBatch ?? 100,
    // Its own store: every effect is an output line already, and nobody asks it why.
    journal: options.store !== undefined,
    ...(options.policies === undefined ? {} : { policies: options.policies }),
    ...(options.traits === undefined ? {} : { traits: options.traits }),
    // The simulator changes the controls itself and tells the runtime (SimulatorControls): no re-reads.
    ...(isControlStore(store) ? { controls: store, controlTtlMs: Number.POSITIVE_INFINITY } : {}),
  });
  const controls = isControlStore(store)
    ? new SimulatorControls(store, options.journeys, runtime, emit, options.controls ?? [])
    : undefined;
  // Virtual time never goes back: a held wake-up handed back on resume fires at the resume, not when it fell due.
  let clock = Number.NEGATIVE_INFINITY;

  // Without faults an input goes straight to the runtime; with them, through the injector.
  const handle = (input: SimulatorInput, now: number) =>
    input.kind === "event" ? runtime.handleEvent(input.event, now) : runtime.handleWakeUp(input.wakeUp, now);
  // Without faults, waiting only on what is asynchronous: over the in-memory store, nothing (see Awaitable).
  const handleEvent = (event: ShopEvent, now: number) =>
    faults ? faults.deliver({ kind: "event", event }, (input) => handle(input, now)) : runtime.onEvent(event, now);
  const handleWakeUp = (wakeUp: WakeUp, now: number) =>
    faults ? faults.deliver({ kind: "wake-up", wakeUp }, (input) => handle(input, now)) : runtime.onWakeUp(wakeUp, now);

  // Events the journeys emit go round again at the same virtual time, as they would through the bus. Run by
  // runSteps, as the loop below: over the in-memory store, an input costs no promise (see Awaitable).
  function* drainPublished(now: number): Steps<void> {
    for (let event = published.shift(); event !== undefined; event = published.shift()) {
      inputs++;
      inputsByKind.emitted++;
      // Yielded only when it is a promise: a generator's turn for each answer at hand costs for every input.
      const handling = handleEvent(event, now);
      if (isPromise(handling)) yield handling;
    }
  }
  // The next wake-up or scheduled control, whichever comes first (a resume hands held wake-ups back).
  const firstDue = (wake: number | undefined) => {
    const control = controls?.nextAt();
    return control === undefined || (wake !== undefined && wake <= control) ? wake : control;
  };
  function* fireWakeUpsUntil(until: number): Steps<void> {
    for (;;) {
      const next = store.nextWakeUpAt();
      const at = firstDue(isPromise(next) ? yield* answerOf(next) : next);
      if (at === undefined || at > until) return;
      clock = Math.max(clock, at);
      if (controls?.dueBy(clock)) yield controls.advance(clock);
      const taking = store.takeDueWakeUps(clock, 1000);
      const taken = isPromise(taking) ? yield* answerOf(taking) : taking;
      // Indexed: a for-of in a generator makes an iterator result for every wake-up.
      for (let index = 0; index < taken.length; index++) {
        const wakeUp = taken[index] as WakeUp;
        inputs++;
        inputsByKind.wakeUps++;
        const handling = handleWakeUp(wakeUp, clock);
        if (isPromise(handling)) yield handling;
        if (published.length > 0) yield* drainPublished(clock);
        campaigns.handled(wakeUp, clock);
      }
    }
  }

  // Campaigns' schedules start with the first event: their first occurrences after it are armed then.
  let armed = false;
  for (const event of events) {
    const at = Date.parse(event.time);
    if (!armed) armed = await armCampaigns(store, catalog, at);
    // Most events have no wake-up or control due before them: then nothing is awaited.
    const next = store.nextWakeUpAt();
    const due = firstDue(isPromise(next) ? await next : next);
    const firing = due !== undefined && due <= at ? runSteps(fireWakeUpsUntil(at)) : undefined;
    if (isPromise(firing)) await firing;
    clock = Math.max(clock, at);
    if (controls?.dueBy(at)) await controls.advance(at);
    inputs++;
    inputsByKind.events++;
    const handling = handleEvent(event, at);
    if (isPromise(handling)) await handling;
    const draining = published.length > 0 ? runSteps(drainPublished(at)) : undefined;
    if (isPromise(draining)) await draining;
  }
  const until = options.until ?? (last === undefined ? 0 : last + DEFAULT_RUN_ON_MS);
  await runSteps(fireWakeUpsUntil(until));
  // Redeliveries still queued come before the run ends, at its end (never before the last event).
  const end = Math.max(until, last ?? 0);
  while (faults !== undefined && faults.outstanding > 0) {
    await faults.deliverOutstanding((input) => handle(input, end));
    await runSteps(drainPublished(end));
    await runSteps(fireWakeUpsUntil(until));
  }
  await runtime.flush();
  // Processing already runs in time order; the stable sort keeps that a guarantee of the contract.
  output.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const { decisions, steps, effects, decideCalls, mostDecideCalls } = runtime.stats;
  const counts = { inputs, inputsByKind, decisions, steps, effects, decideCalls, mostDecideCalls };
  return { lines: output, invalid, ...counts, ...(faults ? { faults: faults.report } : {}) };
}

/** Each campaign's first occurrence after `after`, armed (the next ones each fan-out arms). */
async function armCampaigns(store: JourneyStore, catalog: JourneyCatalog, after: number): Promise<true> {
  for (const journey of catalog.current()) await armNextOccurrence(store, journey, after);
  return true;
}

function givenEvents(events: readonly ShopEvent[]): OrderedEvents {
  const last = events.at(-1);
  return { events, invalid: [], last: last === undefined ? undefined : Date.parse(last.time) };
}

/** The canonical text of an output line: the contract's key order, one JSON object. */
export function formatLine(line: SimulationLine): string {
  return JSON.stringify(line);
}

/** One output line for people: time, journey, user, what happened and its essentials. */
export function formatText(line: SimulationLine): string {
  return [line.at, (line.journey ?? "").padEnd(22), line.user.padEnd(10), line.type.padEnd(18), textDetail(line)]
    .join("  ")
    .trimEnd();
}

function textDetail(line: SimulationLine): string {
  switch (line.type) {
    case "message.sent":
      return `${line.channel}/${line.template}: ${line.text}`;
    case "message.suppressed":
      return `${line.channel}/${line.template}: ${line.reason}${line.rule === undefined ? "" : ` (${line.rule})`}`;
    case "message.deferred":
      return `${line.channel}/${line.template}: ${line.reason} (${line.rule}), until ${line.until}`;
    case "coupon.withheld":
      return `${line.amountOff} off: ${line.reason} (${line.rule})${line.until === undefined ? "" : `, until ${line.until}`}`;
    case "coupon.issued": {
      const coupon = line.coupon as { code: string; amountOff: number; currency: string; expiresAt: string };
      return `${coupon.code}: ${coupon.amountOff} ${coupon.currency} off, until ${coupon.expiresAt}`;
    }
    case "journey.exited":
      return line.event === undefined ? String(line.reason) : `${line.reason}: ${line.event}`;
    case "journey.migrated": {
      const from = line.from as { version: number; step: string };
      return `v${from.version} ${from.step} → ${line.to}`;
    }
    case "goal.converted":
      return `by ${(line.event as { "detail-type": string })["detail-type"]}`;
    case "segment.entered":
    case "segment.exited":
      return String(line.segment);
    case "trait.changed":
      return `${line.trait}: ${JSON.stringify(line.from)} → ${JSON.stringify(line.to)}`;
    case "journey.paused":
    case "journey.resumed":
      return `${line.reason === undefined ? "" : `${line.reason} `}(by ${line.by})`;
    default:
      return "";
  }
}
