import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  GENERATED_SECTIONS,
  type GeneratedSection,
  generate,
  replaceSection,
  shown,
  WRITE_COMMAND,
} from "../bin/docs.ts";
import { main } from "../functions/cli/main.ts";
import { capture, root } from "./cli/capture-io.ts";

function section(name: string): GeneratedSection {
  const found = GENERATED_SECTIONS.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no generated section ${name}`);
  return found;
}

function drift(entry: GeneratedSection): string {
  return `${entry.file} (${entry.name}) differs from \`npx nudge ${entry.command.join(" ")}\`: run \`${WRITE_COMMAND}\``;
}

describe("the generated sections of the docs", () => {
  it("show the journeys exactly as `nudge graph --all` draws them (docs/journeys.md)", async () => {
    // Prepare
    const page = await readFile(`${root}/docs/journeys.md`, "utf8");
    const io = capture();
    // Act
    const code = await main(["graph", "--all"], io);
    // Assess
    expect(code).toBe(0);
    expect(shown(page, "journeys"), drift(section("journeys"))).toBe(io.out.join("\n").trim());
  });

  it("show `nudge preview` with its real output (docs/templates.md)", async () => {
    // Prepare: the text block that starts with the command's prompt line.
    const page = await readFile(`${root}/docs/templates.md`, "utf8");
    const block = /```text\n\$ npx nudge (preview [^\n]+)\n([\s\S]*?)```/.exec(page);
    const io = capture();
    // Act
    const code = await main(block?.[1]?.split(" ") ?? [], io);
    // Assess
    expect(code).toBe(0);
    expect(block?.[2]?.trim(), drift(section("preview"))).toBe(io.out.join("\n").trim());
  });

  it.each(GENERATED_SECTIONS.map((entry) => [`${entry.file} (${entry.name})`, entry] as const))(
    "%s equals what its command writes",
    async (_, entry) => {
      // Prepare
      const page = await readFile(`${root}/${entry.file}`, "utf8");
      // Act
      const content = await generate(entry);
      // Assess
      expect(shown(page, entry.name), drift(entry)).toBe(content);
    },
  );

  it("has a generator for every pair of markers in README.md and docs/", async () => {
    // Prepare
    const { readdir } = await import("node:fs/promises");
    const pages = [
      "README.md",
      ...(await readdir(`${root}/docs`)).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
    ];
    const found: string[] = [];
    // Act
    for (const page of pages) {
      const text = await readFile(`${root}/${page}`, "utf8");
      for (const match of text.matchAll(/<!-- ([a-z-]+):start -->/g)) found.push(`${page} ${match[1]}`);
    }
    // Assess
    expect(found.sort()).toEqual(GENERATED_SECTIONS.map((entry) => `${entry.file} ${entry.name}`).sort());
  });

  it("rewrites a drifted section with the command's output (the write command's edit)", async () => {
    // Prepare: the journeys page with one line of its diagrams changed by hand.
    const entry = section("journeys");
    const page = await readFile(`${root}/${entry.file}`, "utf8");
    const drifted = page.replace('wait-7-days<br/>wait P7D"', 'wait-7-days<br/>wait P9D"');
    expect(drifted).not.toBe(page);
    // Act
    const rewritten = replaceSection(drifted, entry.name, await generate(entry));
    // Assess
    expect(rewritten).toBe(page);
  });
});
