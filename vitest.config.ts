import { defineConfig } from "vitest/config";

/**
 * Test files that start real processes (`nudge start` killed and restarted, the CLI, cfn-lint, Chromium,
 * the CDK app) or run long simulations (the simulator's faults, its parity with the platform, a synthetic
 * shop and hours of timers on dynalite). They run in a project of their own, after the quick one, with
 * timeouts generous enough for a machine other jobs keep busy (measured: ten times slower and more at a
 * load of 12 on 2 cores): a test waits for events (a line printed, a file written), never for a time it
 * guesses; the timeout only bounds a hang.
 */
export const HEAVY = [
  "test/cli/start.test.ts",
  "test/cli/simulate.test.ts",
  "test/cli/report.test.ts",
  "test/lib/cfn-lint.test.ts",
  "test/lib/app.test.ts",
  "test/local/demo.test.ts",
  "test/local/parity.test.ts",
  "test/simulator/faults.test.ts",
  "test/store/dynamodb/runtime.test.ts",
  "test/store/dynamodb/tick.test.ts",
  "test/guarantees/crash-points.test.ts",
  "test/guarantees/journey-parameters.test.ts",
  "test/guarantees/migration-crash-points.test.ts",
];

const MINUTE = 60_000;

export default defineConfig({
  test: {
    // Forks keep each test file's module state apart; two cores is all CI has, and both work: vitest's
    // default is one worker fewer than the cores (one, here), which left a core idle for most of the suite.
    pool: "forks",
    maxWorkers: 2,
    // dynalite (in-memory DynamoDB) on a random loopback port for the store's integration tests.
    globalSetup: ["test/setup/dynalite.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "quick",
          include: ["test/**/*.test.ts"],
          exclude: HEAVY,
          // A quick test takes a few seconds at most; dozens of times that on a loaded machine still passes.
          testTimeout: 3 * MINUTE,
          hookTimeout: 3 * MINUTE,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "heavy",
          include: HEAVY,
          // Each takes 5 to 30 s on a quiet machine; the longest took 306 s at a load of 14 on 2 cores.
          testTimeout: 15 * MINUTE,
          hookTimeout: 15 * MINUTE,
          // After the quick project, so the real processes do not compete with the rest of the suite.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
