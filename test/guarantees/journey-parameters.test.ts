import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { HEAVY } from "../../vitest.config.ts";
import { REPO_JOURNEYS_DIR, SHIPPED_JOURNEYS_ENV } from "../support/shipped-journeys.ts";

/**
 * Issue 14: the developer tests do not pin the shipped journeys' parameters. An operations person raises
 * dormancy-reactivation's idle time by 15 days (30 to 45 as shipped) and its version by one, as the docs' "Changing
 * a journey" asks, on a copy of journeys/; `nudge validate` accepts the copy, and every quick test file that
 * reads the shipped journeys and names dormancy-reactivation passes on it (NUDGE_TEST_JOURNEYS,
 * test/support/shipped-journeys.ts). The README's
 * diagrams are compared with the repository's own journeys only (test/readme.test.ts), so they are not run here.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MINUTE = 60_000;
/** Bounds a hang only: the child run takes a minute or two on a quiet machine, ten times that on a busy one. */
const CHILD_TIMEOUT = 30 * MINUTE;

/** The modules through which a test reads the shipped journeys. */
const SHIPPED_READERS = [join(ROOT, "test/scenarios/helpers.ts"), join(ROOT, "test/support/shipped-journeys.ts")];

/** The test/ files a file imports (relative imports only). */
function testImportsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const imports = [...source.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map((match) =>
    resolve(dirname(file), match[1] ?? ""),
  );
  return imports.filter((path) => path.startsWith(join(ROOT, "test")));
}

/** Whether a file reads the shipped journeys, through its imports or theirs. */
function readsShippedJourneys(file: string, seen = new Set<string>()): boolean {
  if (SHIPPED_READERS.includes(file)) return true;
  if (seen.has(file)) return false;
  seen.add(file);
  return testImportsOf(file).some((imported) => readsShippedJourneys(imported, seen));
}

/**
 * Whether a test file names the changed journey: the tests that can tell a change to it (its scenarios, and
 * those that read every journey's outputs: the engine's guarantees, the synthetic shop, the CLI, the rules,
 * the local platform). A test that reads the shipped journeys without naming it (another journey's scenarios,
 * a CDK synth) checks what the change leaves as it was, on every run of the suite already.
 */
function namesJourney(file: string, names: readonly string[]): boolean {
  const source = readFileSync(join(ROOT, file), "utf8");
  return names.some((name) => source.includes(name));
}

/** How a test names dormancy-reactivation: by its id, or by the scenario helper that reads its file. */
const DORMANCY_NAMES = ["dormancy-reactivation", "dormancyPromise"];

/** The quick project's test files that read the shipped journeys, relative to the root. */
function quickFilesReadingShippedJourneys(): string[] {
  const files = readdirSync(join(ROOT, "test"), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => `test/${name.split("\\").join("/")}`);
  return files
    .filter((file) => !HEAVY.includes(file))
    .filter((file) => readsShippedJourneys(join(ROOT, file)))
    .sort();
}

/** Runs a command to its end; its exit code and everything it printed. */
function runToEnd(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<{ code: number | null; output: string }>((done, fail) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"], timeout: CHILD_TIMEOUT });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, output }));
  });
}

/** This process's environment without vitest's own variables, which a child vitest must not inherit. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("VITEST")) env[name] = value;
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NO_COLOR: "1", ...extra };
}

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe("the shipped journeys' parameters", () => {
  it(
    "can change as operations change them: dormancy-reactivation 15 days longer and one version up validates, and the tests that name it pass on it",
    async () => {
      // Prepare: a copy of journeys/ with dormancy-reactivation.json edited as an operations person edits it.
      const work = mkdtempSync(join(tmpdir(), "nudge-journey-parameters-"));
      temporary.push(work);
      const journeys = join(work, "journeys");
      cpSync(REPO_JOURNEYS_DIR, journeys, { recursive: true });
      const file = join(journeys, "dormancy-reactivation.json");
      const shipped = JSON.parse(readFileSync(file, "utf8"));
      const idleDays = Number(/^P(\d+)D$/.exec(shipped.trigger.for)?.[1]);
      expect(idleDays, `dormancy-reactivation's trigger.for is ${shipped.trigger.for}, not whole days`).toBeGreaterThan(
        0,
      );
      const edited = {
        ...shipped,
        version: shipped.version + 1,
        trigger: { ...shipped.trigger, for: `P${idleDays + 15}D` },
      };
      writeFileSync(file, `${JSON.stringify(edited, null, 2)}\n`);
      const files = quickFilesReadingShippedJourneys().filter((test) => namesJourney(test, DORMANCY_NAMES));

      // Act
      const validated = await runToEnd(process.execPath, [join(ROOT, "bin/nudge.mjs"), "validate"], {
        cwd: work,
        env: cleanEnv({}),
      });
      const tested = await runToEnd(
        process.execPath,
        [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--project", "quick", ...files],
        { cwd: ROOT, env: cleanEnv({ [SHIPPED_JOURNEYS_ENV]: journeys }) },
      );

      // Assess
      expect(files).toEqual(
        expect.arrayContaining([
          "test/scenarios/dormancy-reactivation.test.ts",
          "test/scenarios/engine-guarantees.test.ts",
          "test/simulator/synthetic.test.ts",
          "test/cli/import.test.ts",
          "test/cli/preview.test.ts",
          "test/local/platform.test.ts",
        ]),
      );
      expect(validated, relative(ROOT, file)).toEqual({ code: 0, output: expect.stringMatching(/^ok: /) });
      expect(tested.code, tested.output.slice(-6000)).toBe(0);
      expect(tested.output).toMatch(new RegExp(`Test Files +${files.length} passed \\(${files.length}\\)`));
    },
    40 * MINUTE,
  );
});
