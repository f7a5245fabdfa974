/** One line of simulator output: the contract documented in docs/simulator.md. */
export type SimulationLine = {
  at: string;
  journey: string;
  version: number;
  user: string;
  run: string;
  type: string;
} & Record<string, unknown>;
