import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../functions/cli/io.ts";
import { commands, main } from "../../functions/cli/main.ts";
import { COMMANDS, commandHelp, overview, parseCommandArgs, synopsis } from "../../functions/cli/usage.ts";
import { freshTable } from "../setup/dynalite.ts";
import { capture, root } from "./capture-io.ts";

describe("nudge help, from the one table of commands and options (usage.ts)", () => {
  it("has a usage entry for every command main runs, and no other", () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(Object.keys(commands).sort());
  });

  it.each(Object.keys(COMMANDS))(
    "nudge %s --help and nudge help %s print the command's help and exit 0",
    async (name) => {
      // Prepare
      const flag = capture();
      const short = capture();
      const topic = capture();

      // Act
      const codes = [
        await main([name, "--help"], flag),
        await main([name, "-h"], short),
        await main(["help", name], topic),
      ];

      // Assess: the usage line, what it does, and each option with what it does.
      expect(codes).toEqual([ExitCode.ok, ExitCode.ok, ExitCode.ok]);
      expect(flag.out).toEqual([commandHelp(name)]);
      expect(short.out).toEqual(flag.out);
      expect(topic.out).toEqual(flag.out);
      expect(flag.out[0]?.split("\n")[0]).toBe(`Usage: ${synopsis(name)}`);
      for (const option of COMMANDS[name]?.options ?? []) expect(flag.out[0]).toContain(`--${option.name}`);
    },
  );

  it("nudge --help lists every command with every option its parser accepts", async () => {
    // Prepare: the options the commands read, found in their sources (values.get("x"), flags.has("x")).
    const dir = join(root, "functions/cli");
    const read = new Set<string>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".ts"))) {
      const source = readFileSync(join(dir, file), "utf8");
      for (const match of source.matchAll(/(?:values|flags)\.(?:get|has)\("([a-z-]+)"\)/g)) read.add(match[1] ?? "");
    }
    const io = capture();

    // Act
    const code = await main(["--help"], io);

    // Assess
    expect(code).toBe(ExitCode.ok);
    expect(io.out).toEqual([overview()]);
    for (const name of Object.keys(COMMANDS)) expect(io.out[0]).toContain(synopsis(name));
    for (const option of read) expect(io.out[0], option).toContain(`--${option}`);
    expect(read.size).toBeGreaterThan(20);
  });

  it("parses exactly the options the table lists for a command", () => {
    // Act / Assess: --webhook-url is start's; --reason is pause's and not resume's.
    expect(parseCommandArgs("start", ["--webhook-url", "http://x"]).values.get("webhook-url")).toBe("http://x");
    expect(parseCommandArgs("pause", ["j", "--reason", "r"]).values.get("reason")).toBe("r");
    expect(() => parseCommandArgs("resume", ["j", "--reason", "r"])).toThrow("unknown option --reason");
  });
});

describe("nudge exit codes: 0 done, 1 a check found problems or the command failed, 2 a usage problem", () => {
  afterEach(() => {
    delete commands.failing;
  });

  it.each([
    { args: [], problem: "Usage: nudge <command>" },
    { args: ["simulat"], problem: 'nudge: unknown command "simulat" (did you mean "simulate"?)' },
    { args: ["help", "nope"], problem: 'nudge: unknown command "nope"' },
    { args: ["why"], problem: "nudge why: expected one user id\nUsage: nudge why <userId>" },
    { args: ["simulate", "--event", "x"], problem: 'nudge simulate: unknown option --event (did you mean "events"?)' },
    { args: ["simulate"], problem: "nudge simulate: --events <file.ndjson> is required" },
    { args: ["report", "--format"], problem: "nudge report: --format needs a value" },
    { args: ["validate", "--strict"], problem: "nudge validate: unknown option --strict\nUsage: nudge validate" },
  ])("exits 2 for a usage problem: nudge $args", async ({ args, problem }) => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(args, io);

    // Assess
    expect(code).toBe(ExitCode.usage);
    expect(io.out).toEqual([]);
    expect(io.err.join("\n")).toContain(problem);
  });

  it("exits 1 when a check finds problems: nudge validate, nudge test-pattern", async () => {
    // Prepare
    const validate = capture(join(root, "test/fixtures/journeys/one-pass"));
    const pattern = capture();

    // Act
    const codes = [
      await main(["validate"], validate),
      await main(["test-pattern", "--pattern", '{"detail":{"n":[{"numeric":5}]}}', "--event", "{}"], pattern),
    ];

    // Assess
    expect(codes).toEqual([ExitCode.failed, ExitCode.failed]);
  });

  it("exits 1, without the usage, when a command fails for another reason", async () => {
    // Prepare: a command whose work throws, as a store that cannot be reached does.
    commands.failing = async () => async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:8000");
    };
    const io = capture();

    // Act
    const code = await main(["failing"], io);

    // Assess
    expect(code).toBe(ExitCode.failed);
    expect(io.err).toEqual(["nudge failing: connect ECONNREFUSED 127.0.0.1:8000"]);
  });

  it("exits 0 when the command did what was asked", async () => {
    // Act / Assess
    expect(await main(["validate"], capture())).toBe(ExitCode.ok);
    expect(await main(["help"], capture())).toBe(ExitCode.ok);
  });
});

/** Runs the real binary and closes its output pipe at once, or after the first chunk: `nudge ... | head -1`. */
async function runIntoClosedPipe(args: string[], when: "at once" | "after the first line") {
  const child = spawn(process.execPath, ["bin/nudge.mjs", ...args], { cwd: root });
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => {
    errors += chunk.toString("utf8");
  });
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  if (when === "after the first line") await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  child.stdout.destroy();
  return { code: await closed, errors };
}

describe("nudge with a reader that stops early", () => {
  it("ends quietly when its output pipe closes (nudge simulate ... | head -1)", async () => {
    // Act
    const { code, errors } = await runIntoClosedPipe(
      ["simulate", "--events", "events/examples/first-month.ndjson"],
      "after the first line",
    );

    // Assess
    expect(code).toBe(0);
    expect(errors).not.toContain("EPIPE");
  });

  it("ends quietly when its output pipe closes (nudge why ... | head -1)", async () => {
    // Prepare: a table with no runs: why still writes its lines, into a pipe already closed.
    const { endpoint, tableName } = await freshTable();
    const journeys = mkdtempSync(join(tmpdir(), "nudge-pipe-"));

    // Act
    const { code, errors } = await runIntoClosedPipe(
      ["why", "u1", "--table", tableName, "--dynamodb-endpoint", endpoint, "--journeys", journeys],
      "at once",
    );

    // Assess
    expect(code).toBe(0);
    expect(errors).not.toContain("EPIPE");
    expect(errors).toBe("");
  });
});
