import { defineConfig } from "vitest/config";

/**
 * Test files that start real processes (`nudge start` killed and restarted, the CLI, cfn-lint, Chromium, the
 * CDK app) or run long simulations. They run in a project of their own, after the quick one, with
 * timeouts generous enough for a machine other jobs keep busy: a test waits for events (a line printed, a
 * file written), never for a time it guesses; the timeout only bounds a test that hangs.
 */
const HEAVY = [
  "test/cli/start.test.ts",
  "test/cli/simulate.test.ts",
  "test/cli/report.test.ts",
  "test/lib/cfn-lint.test.ts",
  "test/lib/app.test.ts",
  "test/local/demo.test.ts",
  "test/simulator/faults.test.ts",
];

const MINUTE = 60_000;

export default defineConfig({
  test: {
    // Forks keep each test file's module state apart; two cores is all CI has.
    pool: "forks",
    // dynalite (in-memory DynamoDB) on a random loopback port for the store's integration tests.
    globalSetup: ["test/setup/dynalite.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "quick",
          include: ["test/**/*.test.ts"],
          exclude: HEAVY,
          // A quick test takes a second or two; forty times that on a loaded machine is still a pass.
          testTimeout: 2 * MINUTE,
          hookTimeout: 2 * MINUTE,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "heavy",
          include: HEAVY,
          // Each of these takes 5 to 45 s on a quiet machine, several times that beside other work.
          testTimeout: 10 * MINUTE,
          hookTimeout: 10 * MINUTE,
          // After the quick project, so the real processes do not compete with the rest of the suite.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
