/** What `nudge plan` finds (plan.ts), as its reports print it (plan-report.ts) and its JSON gives it. */
import type { RunOutcome } from "../journey/in-flight.ts";
import type { JourneyChange } from "../journey/journey-diff.ts";
import type { BlastRadius } from "../simulator/blast-radius.ts";

export interface InFlightRow {
  version: number;
  stepId: string;
  runs: number;
  outcome: RunOutcome;
  /** The outcome in words, for people. */
  becomes: string;
}

export interface JourneyPlan {
  journeyId: string;
  change: "changed" | "added" | "removed";
  fromVersion?: number;
  toVersion?: number;
  changes: JourneyChange[];
  blast?: BlastRadius;
  /** Runs waiting per version and step, when a local platform or table was read. */
  inFlight?: InFlightRow[];
  /** Users counting toward an inactivity trigger (no run yet): the new trigger applies to them. */
  clocks?: number;
  /** Steps runs would be stranded at: with runs counted, those that have runs; else those that could. */
  stranded: { version: number; stepId: string; runs?: number }[];
  /** The CDK app's refusals of the change (a kept version's step removed, its runs mapped nowhere), in words. */
  refusals: string[];
}

export interface PlanResult {
  base: string;
  /** What was replayed; `end`: the figures count to there, past the last event (`eventsEnd`) by a run-on. */
  replay?: { source: string; events: number; start: string; eventsEnd: string; end: string };
  /** Where the runs in flight were read, or why they were not. */
  inFlightSource: string;
  inFlightKnown: boolean;
  journeys: JourneyPlan[];
}
