import { spawnSync } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { UsageError } from "../../functions/cli/args.ts";
import { ExitCode } from "../../functions/cli/io.ts";
import { main } from "../../functions/cli/main.ts";
import { simulateCommand } from "../../functions/cli/simulate.ts";
import { PROGRAM_TIMEOUT_MS } from "../support/until.ts";
import { capture, root } from "./capture-io.ts";

const EVENTS = "events/examples/first-month.ndjson";
const INVALID_LINES = [
  'line 11: skipped invalid event: event evt-0010: detail.amount: expected a number, got "99"',
  "line 11: skipped invalid event: event evt-0010: detail.currency: required field is missing",
];
const REPORT =
  /^faults: \d+ inputs, \d+ duplicates delivered, \d+ crashes injected \(\d+ after the state update, \d+ before it\), \d+ retried$/;

/** `nudge simulate --events <the example month> ...args`, in-process. */
async function run(...args: string[]) {
  const io = capture();
  const code = await simulateCommand(["--events", EVENTS, ...args], io);
  return { code, out: io.out, err: io.err };
}

let clean: string[] | undefined;
/** The clean run's stdout, once. */
async function cleanOut(): Promise<string[]> {
  clean ??= (await run()).out;
  return clean;
}

describe("nudge simulate --store, --duplicate-rate, --crash-rate", () => {
  it("prints the effect lines of the example month on the memory store by default", async () => {
    // Act
    const { code, out, err } = await run();
    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(out.length).toBeGreaterThan(60);
    expect(err).toEqual(INVALID_LINES);
    expect(await run("--store", "memory")).toEqual({ code, out, err });
  });

  it("pauses and resumes a journey at the times --pause and --resume give, as output lines", async () => {
    // Act: onboarding-guide paused before anyone registers, resumed four days later.
    const { code, out } = await run(
      "--format",
      "text",
      "--pause",
      "onboarding-guide@2026-11-01T00:00:00Z",
      "--resume",
      "onboarding-guide@2026-11-05T00:00:00Z",
    );
    const bad = await run("--pause", "onboarding-guide").catch((error: unknown) => error);
    // Assess
    expect(code).toBe(ExitCode.ok);
    const controls = out.filter((line) => /journey\.(paused|resumed)/.test(line));
    expect(controls).toEqual([
      expect.stringMatching(
        /^2026-11-01T00:00:00Z\s+onboarding-guide\s+journey\.paused\s+paused by --pause \(by simulator\)$/,
      ),
      expect.stringMatching(/^2026-11-05T00:00:00Z\s+onboarding-guide\s+journey\.resumed\s+\(by simulator\)$/),
    ]);
    const guides = out.filter((line) => line.includes("onboarding-guide") && line.includes("journey.entered"));
    expect(guides.every((line) => line >= "2026-11-05")).toBe(true);
    expect(bad).toBeInstanceOf(UsageError);
  });

  it("prints the same lines with faults injected, and reports them on stderr", async () => {
    // Act
    const { code, out, err } = await run("--duplicate-rate", "0.5", "--crash-rate", "0.2");
    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(out).toEqual(await cleanOut());
    expect(err).toHaveLength(3);
    expect(err.slice(0, 2)).toEqual(INVALID_LINES);
    expect(err[2]).toMatch(REPORT);
    expect(err[2]).not.toContain(" 0 duplicates");
    expect(err[2]).not.toContain(" 0 crashes");
  });

  it("injects the same faults for the same --seed, others for another", async () => {
    // Act
    const once = await run("--duplicate-rate", "0.5", "--crash-rate", "0.5", "--seed", "9");
    const again = await run("--duplicate-rate", "0.5", "--crash-rate", "0.5", "--seed", "9");
    const other = await run("--duplicate-rate", "0.5", "--crash-rate", "0.5", "--seed", "10");
    // Assess
    expect(again).toEqual(once);
    expect(other.err[2]).not.toBe(once.err[2]);
    expect(other.out).toEqual(await cleanOut());
  });

  it("prints the same lines on the embedded DynamoDB, with and without faults", async () => {
    // Act
    const dynamodb = await run("--store", "dynamodb");
    const faulty = await run("--store", "dynamodb", "--duplicate-rate", "0.5", "--crash-rate", "0.2");
    // Assess
    expect(dynamodb).toEqual({ code: ExitCode.ok, out: await cleanOut(), err: INVALID_LINES });
    expect(faulty.code).toBe(ExitCode.ok);
    expect(faulty.out).toEqual(await cleanOut());
    expect(faulty.err[2]).toMatch(REPORT);
  });

  it("uses any DynamoDB endpoint given, creating the table, and refuses a table with items in it", async () => {
    // Prepare: the test setup's dynalite stands in for a DynamoDB somewhere else.
    const endpoint = inject("dynamodbEndpoint");
    const table = `nudge-cli-${process.pid}-${Date.now()}`;
    const args = ["--store", "dynamodb", "--dynamodb-endpoint", endpoint, "--table", table];
    // Act
    const first = await run(...args);
    const second = run(...args);
    // Assess
    expect(first).toEqual({ code: ExitCode.ok, out: await cleanOut(), err: INVALID_LINES });
    await expect(second).rejects.toThrow(`table ${table} at ${endpoint} already has items`);
  });

  it("exits when done: the embedded DynamoDB is closed", async () => {
    // Prepare
    const expected = await cleanOut();
    // Act
    const args = ["bin/nudge.mjs", "simulate", "--events", EVENTS, "--store", "dynamodb", "--crash-rate", "0.3"];
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: PROGRAM_TIMEOUT_MS });
    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${expected.join("\n")}\n`);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toMatch(REPORT);
  });

  it.each([
    [["--crash-rate", "2"], '--crash-rate: expected a number from 0 to 1, got "2"'],
    [["--duplicate-rate", "-0.1"], '--duplicate-rate: expected a number from 0 to 1, got "-0.1"'],
    [["--crash-rate", "often"], '--crash-rate: expected a number from 0 to 1, got "often"'],
    [["--crash-rate", ""], '--crash-rate: expected a number from 0 to 1, got ""'],
    [["--store", "nosql"], '--store: expected memory or dynamodb, got "nosql"'],
    [["--dynamodb-endpoint", "http://localhost:8000"], "--dynamodb-endpoint needs --store dynamodb"],
    [["--table", "mine"], "--table needs --store dynamodb"],
    [["--store", "dynamodb", "--dynamodb-endpoint", "localhost:8000"], "--dynamodb-endpoint: expected an http(s) URL"],
    [
      ["--store", "dynamodb", "--table", "a/b"],
      '--table: expected 3 to 255 letters, digits, "_", "-" or ".", got "a/b"',
    ],
    [["--crash-rate", "0.1", "--seed", "1.5"], '--seed: expected an integer, got "1.5"'],
    [["--seed", "3"], "--seed needs --duplicate-rate or --crash-rate"],
  ])("rejects %j as a usage error", async (args, message) => {
    // Act
    const running = run(...args);
    // Assess
    await expect(running).rejects.toThrow(UsageError);
    await expect(running).rejects.toThrow(message);
  });

  it("prints the usage and exits 2 on a bad value", async () => {
    // Prepare
    const io = capture();
    // Act
    const code = await main(["simulate", "--events", EVENTS, "--crash-rate", "2"], io);
    // Assess
    expect(code).toBe(ExitCode.usage);
    expect(io.out).toEqual([]);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(
      /^nudge simulate: --crash-rate: expected a number from 0 to 1, got "2"\nUsage: nudge simulate /,
    );
    expect(io.err[0]).toContain("[--store memory|dynamodb]");
  });
});
