import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { commands, main } from "../../functions/cli/main.ts";
import { capture, root } from "./capture-io.ts";

describe("nudge <command> --help", () => {
  it("prints every command's usage, from the one list of usage texts, and exits 0", async () => {
    for (const name of Object.keys(commands)) {
      // Prepare
      const io = capture();
      // Act
      const code = await main([name, "--help"], io);
      // Assess
      expect(code, name).toBe(0);
      expect(io.out, name).toEqual([`Usage: nudge ${commands[name]?.summary}`]);
    }
  });
});

describe("nudge with a reader that stops early", () => {
  it("ends quietly when its output pipe closes (nudge simulate ... | head -1)", async () => {
    // Prepare: the real binary, its output read until the first line, then the pipe closed.
    const child = spawn(
      process.execPath,
      ["bin/nudge.mjs", "simulate", "--events", "events/examples/first-month.ndjson"],
      {
        cwd: root,
      },
    );
    let errors = "";
    child.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString("utf8");
    });
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Act
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await closed;
    // Assess
    expect(code).toBe(0);
    expect(errors).not.toContain("EPIPE");
  });
});
