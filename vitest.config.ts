import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Forks keep each test file's module state apart; two cores is all CI has.
    pool: "forks",
    testTimeout: 20_000,
    // dynalite (in-memory DynamoDB) on a random loopback port for the store's integration tests.
    globalSetup: ["test/setup/dynalite.ts"],
  },
});
