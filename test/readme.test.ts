import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { main } from "../functions/cli/main.ts";
import { capture, root } from "./cli/capture-io.ts";

describe("README", () => {
  it("shows the journeys exactly as `nudge graph --all` draws them", async () => {
    // Prepare
    const readme = await readFile(`${root}/README.md`, "utf8");
    const shown = readme.split("<!-- journeys:start -->")[1]?.split("<!-- journeys:end -->")[0]?.trim();
    const io = capture();
    // Act
    const code = await main(["graph", "--all"], io);
    // Assess
    expect(code).toBe(0);
    expect(shown).toBe(io.out.join("\n").trim());
  });

  it("shows `nudge preview` with its real output", async () => {
    // Prepare: the text block that starts with the command's prompt line.
    const readme = await readFile(`${root}/README.md`, "utf8");
    const block = /```text\n\$ npx nudge (preview [^\n]+)\n([\s\S]*?)```/.exec(readme);
    const io = capture();
    // Act
    const code = await main(block?.[1]?.split(" ") ?? [], io);
    // Assess
    expect(code).toBe(0);
    expect(block?.[2]?.trim()).toBe(io.out.join("\n").trim());
  });
});
