/** One line of a run's story in simulator output: the contract documented in docs/simulator.md. */
export type JourneyLine = {
  at: string;
  journey: string;
  version: number;
  user: string;
  run: string;
  type: string;
} & Record<string, unknown>;

/**
 * One line of a profile's change: a segment entered or left, a watched trait changed (docs/simulator.md):
 * `{"type", "segment" or "trait", "user", "at"}`, no journey.
 */
export type ProfileLine = {
  type: "segment.entered" | "segment.exited" | "trait.changed";
  user: string;
  at: string;
  journey?: undefined;
} & Record<string, unknown>;

export type SimulationLine = JourneyLine | ProfileLine;

/** Whether a line is a run's (not a profile's). */
export const isJourneyLine = (line: SimulationLine): line is JourneyLine => line.journey !== undefined;
