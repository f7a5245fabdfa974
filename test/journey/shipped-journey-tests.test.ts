import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testCommand } from "../../functions/cli/test.ts";
import { capture } from "../cli/capture-io.ts";
import { SHIPPED_JOURNEYS_CWD, SHIPPED_JOURNEYS_DIR } from "../support/shipped-journeys.ts";

/**
 * The journey tests the operations team keeps beside the journeys (journeys/tests/) are part of the developers'
 * suite: a change to the engine that breaks what a shipped journey promises fails here, in the journey's terms.
 */

const TESTS_DIR = join(SHIPPED_JOURNEYS_DIR, "tests");

const testedJourneys = () =>
  readdirSync(TESTS_DIR)
    .filter((name) => name.endsWith(".json"))
    .map((name) => (JSON.parse(readFileSync(join(TESTS_DIR, name), "utf8")) as { journey: string }).journey);

/** The current version of each shipped journey (a `.v1.json` file keeps an older one for its runs in flight). */
const shippedJourneys = () =>
  readdirSync(SHIPPED_JOURNEYS_DIR)
    .filter((name) => /^[a-z0-9-]+\.json$/.test(name) && !name.endsWith(".schema.json") && name !== "policy.json")
    .filter((name) => name !== "traits.json")
    .map((name) => name.replace(/\.json$/, ""));

describe("the shipped journey tests", () => {
  it("cover every shipped journey and campaign", () => {
    // Assess
    expect(new Set(testedJourneys())).toEqual(new Set(shippedJourneys()));
  });

  it("all pass: `nudge test` on journeys/tests exits 0", async () => {
    // Prepare
    const io = capture(SHIPPED_JOURNEYS_CWD);

    // Act
    const code = await testCommand([], io);

    // Assess: on failure, the timelines side by side say what broke
    expect(io.out.filter((line) => !line.startsWith("  pass")).join("\n")).not.toContain("FAIL");
    expect(code).toBe(0);
    expect(io.out.at(-1)).toMatch(/^\d+ files, (\d+) cases: \1 passed, 0 failed$/);
  });
});
