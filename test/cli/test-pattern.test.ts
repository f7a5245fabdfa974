import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../functions/cli/io.ts";
import { main } from "../../functions/cli/main.ts";
import { testPatternCommand } from "../../functions/cli/test-pattern.ts";
import { capture, root } from "./capture-io.ts";

// eb-create-pattern-operators.html, "Numeric matching", on an order event
const pattern = { "detail-type": ["order.placed"], detail: { amount: [{ numeric: [">", 100] }] } };
const bigOrder = { "detail-type": "order.placed", source: "shop", detail: { amount: 150 } };
const smallOrder = { "detail-type": "order.placed", source: "shop", detail: { amount: 50 } };

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nudge-test-pattern-"));
  writeFileSync(join(dir, "pattern.json"), JSON.stringify(pattern));
  writeFileSync(join(dir, "big.json"), JSON.stringify(bigOrder));
  writeFileSync(join(dir, "broken.json"), "{ not json");
  writeFileSync(join(dir, "list.json"), "[1, 2]");
  // eb-create-pattern-operators.html, "Numeric matching": the operand must be an array
  writeFileSync(join(dir, "invalid.json"), JSON.stringify({ detail: { amount: [{ numeric: 10 }] } }));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("nudge test-pattern, in process", () => {
  it("prints true for a matching event given as files relative to cwd", async () => {
    // Prepare
    const io = capture(dir);

    // Act
    const code = await testPatternCommand(["--pattern", "pattern.json", "--event", "big.json"], io);

    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(io.out).toEqual(["true"]);
    expect(io.err).toEqual([]);
  });

  it("prints false for an event that does not match, given inline", async () => {
    // Prepare
    const io = capture(dir);

    // Act
    const code = await testPatternCommand(
      [`--pattern=${JSON.stringify(pattern)}`, "--event", JSON.stringify(smallOrder)],
      io,
    );

    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(io.out).toEqual(["false"]);
  });

  it("reports a pattern EventBridge would reject with its path, exit 1: the check failed", async () => {
    // Prepare
    const io = capture(dir);

    // Act
    const code = await testPatternCommand(["--pattern", "invalid.json", "--event", "big.json"], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.out).toEqual([]);
    expect(io.err).toEqual([
      'invalid pattern: detail.amount[0].numeric: must be an array such as [">", 0, "<=", 5], got number 10',
    ]);
  });

  it("refuses an anything-but wildcard too complex for EventBridge, exit 1 (issue 19, case 2)", async () => {
    // Prepare: the example, complexity 11 as Event Ruler counts it
    const io = capture(dir);
    const tooComplex = { detail: { file: [{ "anything-but": { wildcard: "*0*1*0000*00" } }] } };

    // Act
    const code = await testPatternCommand(["--pattern", JSON.stringify(tooComplex), "--event", "big.json"], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.out).toEqual([]);
    expect(io.err[0]).toMatch(/^invalid pattern: detail\.file\[0\]\.anything-but\.wildcard: rule is too complex/);
  });

  it.each([
    { args: ["--event", "big.json"], problem: "missing --pattern <json|file>" },
    { args: ["--pattern", "pattern.json"], problem: "missing --event <json|file>" },
    { args: ["--pattern", "pattern.json", "--event"], problem: "--event needs a value" },
    { args: ["--pattern", "nope.json", "--event", "big.json"], problem: "--pattern: cannot read file" },
    { args: ["--pattern", "pattern.json", "--event", "broken.json"], problem: "--event: file" },
    { args: ["--pattern", "{oops", "--event", "big.json"], problem: "--pattern: inline value is not valid JSON" },
    { args: ["--pattern", "pattern.json", "--event", "list.json"], problem: "--event: must be a JSON object" },
    {
      args: ["--pattern", "pattern.json", "--event", "big.json", "--verbose"],
      problem: "unknown option --verbose",
    },
  ])("names the argument at fault: $problem", async ({ args, problem }) => {
    // Prepare
    const io = capture(dir);

    // Act
    const code = await testPatternCommand(args, io);

    // Assess
    expect(code).toBe(ExitCode.usage);
    expect(io.out).toEqual([]);
    expect(io.err.join("\n")).toContain(`nudge test-pattern: ${problem}`);
  });

  it("is reachable through the nudge command table", async () => {
    // Prepare
    const io = capture(dir);

    // Act
    const code = await main(["test-pattern", "--pattern", "pattern.json", "--event", "big.json"], io);

    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(io.out).toEqual(["true"]);
  });
});

describe("nudge test-pattern, through the real binary", () => {
  function run(...args: string[]) {
    return spawnSync(process.execPath, ["bin/nudge.mjs", "test-pattern", ...args], { cwd: root, encoding: "utf8" });
  }

  it("exits 0 and prints the verdict, or exits 1 on an invalid pattern", () => {
    // Prepare
    const patternFile = join(dir, "pattern.json");
    const eventFile = join(dir, "big.json");

    // Act
    const matched = run("--pattern", patternFile, "--event", eventFile);
    const unmatched = run("--pattern", patternFile, "--event", JSON.stringify(smallOrder));
    const invalid = run("--pattern", join(dir, "invalid.json"), "--event", eventFile);

    // Assess
    expect([matched.status, matched.stdout]).toEqual([0, "true\n"]);
    expect([unmatched.status, unmatched.stdout]).toEqual([0, "false\n"]);
    expect(invalid.status).toBe(1);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toContain("invalid pattern: detail.amount[0].numeric: must be an array");
  });
});
