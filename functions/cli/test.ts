/**
 * `nudge test [files...]`: the journey tests operations write (functions/journey/test-file.ts), run on the virtual
 * clock with every journey of the folder. A line per case; a failing case prints its expected and actual
 * timelines side by side (test-report.ts). Exit 1 when a case fails or a test file has a problem.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { formatProblem } from "../journey/problems.ts";
import { JOURNEY_TESTS_DIR, type JourneyTestFile, parseJourneyTestFile } from "../journey/test-file.ts";
import { runJourneyTest, type TestFileResult, type TestPlatform } from "../simulator/journey-test.ts";
import { UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { loadJourneys } from "./journey-folder.ts";
import { formatTimeline } from "./test-report.ts";
import { parseCommandArgs } from "./usage.ts";

async function jsonFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => join(dir, name));
}

/** The test files named (a folder stands for its .json files), or the folder's tests/. */
async function testFiles(positional: readonly string[], journeyDir: string, cwd: string): Promise<string[]> {
  if (positional.length === 0) {
    return jsonFilesIn(join(journeyDir, JOURNEY_TESTS_DIR)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw new UsageError(`cannot read ${join(journeyDir, JOURNEY_TESTS_DIR)}: ${error.code ?? error.message}`);
    });
  }
  const files: string[] = [];
  for (const given of positional) {
    const path = resolve(cwd, given);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${given}: ${error.code ?? error.message}`);
    });
    files.push(...(info.isDirectory() ? await jsonFilesIn(path) : [path]));
  }
  return files;
}

interface FileOutcome {
  file: string;
  problems: string[];
  result?: TestFileResult;
}

async function runFile(path: string, platform: TestPlatform, cwd: string): Promise<FileOutcome> {
  const file = relative(cwd, path);
  const ids = new Set(platform.journeys.map((journey) => journey.id));
  const parsed = parseJourneyTestFile(await readFile(path, "utf8"), file, ids);
  if (parsed.test === undefined) return { file, problems: parsed.problems.map(formatProblem) };
  const test: JourneyTestFile = parsed.test;
  return { file, problems: [], result: await runJourneyTest(test, platform) };
}

function printText(outcomes: readonly FileOutcome[], io: CliIo): void {
  for (const outcome of outcomes) {
    io.stdout(`${outcome.file}${outcome.result === undefined ? "" : `  (${outcome.result.journey})`}`);
    for (const problem of outcome.problems) io.stdout(`  problem: ${problem}`);
    for (const result of outcome.result?.cases ?? []) {
      io.stdout(`  ${result.passed ? "pass" : "FAIL"}  ${result.name}`);
      for (const problem of result.problems) io.stdout(`        ${outcome.file}: ${problem}`);
      if (!result.passed && result.problems.length === 0)
        for (const line of formatTimeline(result, outcome.result?.journey ?? "")) io.stdout(line);
    }
  }
}

export async function testCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("test", args);
  const format = values.get("format") ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format: expected text or json, got "${format}"`);
  const journeyDir = resolve(io.cwd, values.get("journeys") ?? "journeys");
  const files = await testFiles(positional, journeyDir, io.cwd);
  if (files.length === 0) {
    io.stderr(`nudge test: no test files (looked in ${relative(io.cwd, join(journeyDir, JOURNEY_TESTS_DIR))})`);
    return ExitCode.failed;
  }
  const loaded = await loadJourneys(journeyDir, io);
  if (loaded === undefined) return ExitCode.failed;
  const platform: TestPlatform = {
    journeys: loaded.journeys,
    policies: loaded.policies,
    ...(loaded.traits === undefined ? {} : { traits: loaded.traits }),
  };
  const outcomes: FileOutcome[] = [];
  for (const file of files) outcomes.push(await runFile(file, platform, io.cwd));
  const cases = outcomes.flatMap((outcome) => outcome.result?.cases ?? []);
  const failed = cases.filter((result) => !result.passed).length;
  const broken = outcomes.filter((outcome) => outcome.problems.length > 0).length;
  if (format === "json") {
    io.stdout(JSON.stringify({ files: outcomes, cases: cases.length, passed: cases.length - failed, failed, broken }));
  } else {
    printText(outcomes, io);
    const files_ = `${outcomes.length} ${outcomes.length === 1 ? "file" : "files"}`;
    const brokenText = broken === 0 ? "" : `, ${broken} with problems`;
    io.stdout("");
    const cases_ = `${cases.length} ${cases.length === 1 ? "case" : "cases"}`;
    io.stdout(`${files_}, ${cases_}: ${cases.length - failed} passed, ${failed} failed${brokenText}`);
  }
  return failed === 0 && broken === 0 ? ExitCode.ok : ExitCode.failed;
}
