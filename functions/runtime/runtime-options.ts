import type { JourneyCatalog } from "../engine/catalog.ts";
import type { StatsCounter } from "../engine/model.ts";
import type { PolicyConfig } from "../engine/policies/config.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import type { FanOutReport, FanOutSetting } from "./campaign-fan-out.ts";
import type { ControlStore } from "./control-cache.ts";
import type { EffectSink, EventPublisher } from "./hand-on.ts";
import type { JourneyStore } from "./ports.ts";

/** What a JourneyRuntime is given: the journeys, the store, where effects go, and how it batches its writes. */
export interface RuntimeOptions {
  catalog: JourneyCatalog;
  store: JourneyStore;
  sink: EffectSink;
  publisher: EventPublisher;
  /** The platform's messaging policies (journeys/policy.json); the defaults when absent. */
  policies?: PolicyConfig;
  /** The platform's computed traits (journeys/traits.json); none when absent. */
  traits?: TraitsFile;
  /** How often a lost optimistic-concurrency race is retried before giving up. */
  maxAttempts?: number;
  /**
   * The proof of the outboxes handed on, and the statistics added up in memory, are written every this
   * many inputs (default 1: after each input), and by `flush()`. A Lambda handler flushes once per batch:
   * one proof write, and one statistics write per journey and day, instead of one per decision or counter.
   * A crash loses what is not yet written: outboxes are handed on again (repeats are dropped by id);
   * counts undercount, never double count.
   */
  flushEveryInputs?: number;
  /** Called with the counters each flush wrote (the ingest function publishes them as EMF metrics). */
  onStatsWritten?: (counters: readonly StatsCounter[]) => void;
  /** Called with what each campaign occurrence's fan-out did (the simulator's campaign.started lines). */
  onFanOut?: (report: FanOutReport) => void;
  /** How campaigns fan out (campaign-fan-out.ts): whole, here, with their next occurrences armed, by default. */
  campaigns?: FanOutSetting;
  /** Journey controls (pause/resume, functions/runtime/control-cache.ts); none: no journey is ever paused. */
  controls?: ControlStore;
  /** How long the controls read are trusted, in ms of the inputs' `now` (default 30 s). */
  controlTtlMs?: number;
  /**
   * Keep each run's journal for `nudge why` (default true). The simulator prints every effect as it
   * happens and nobody asks it why, so it keeps none.
   */
  journal?: boolean;
}
