import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkArchitecture, LAYERS, readSources } from "./support/architecture.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the architecture", () => {
  it("has every import going down the layers (or within one), and no cycle", () => {
    // Act
    const findings = checkArchitecture(readSources(root));
    // Assess
    expect(findings).toEqual([]);
  });

  it("fails on an import that goes up a layer, on a cycle, and on a file in no layer", () => {
    // Prepare: the pure engine reaching up into the runtime, which imports it back
    const files = [
      { path: "functions/engine/decide.ts", text: 'import { JourneyRuntime } from "../runtime/journey-runtime.ts";' },
      { path: "functions/runtime/journey-runtime.ts", text: 'import type { Decision } from "../engine/decide.ts";' },
      { path: "functions/misc/helper.ts", text: "export const x = 1;" },
    ];
    // Act
    const findings = checkArchitecture(files);
    // Assess
    expect(findings).toEqual([
      "functions/engine/decide.ts (functions/engine) imports functions/runtime/journey-runtime.ts (functions/runtime), a layer above",
      "functions/misc/helper.ts: in no layer (add its folder to docs/architecture.md and LAYERS)",
      "cycle: functions/engine/decide.ts -> functions/runtime/journey-runtime.ts -> functions/engine/decide.ts",
    ]);
  });

  it("is the one docs/architecture.md draws: the same folders, in the same order", () => {
    // Prepare
    const doc = readFileSync(`${root}docs/architecture.md`, "utf8");
    // Act: the first column of the layers table, lowest layer first
    const rows = doc.split("\n").filter((line) => /^\|\s*\d+\s*\|/.test(line));
    const folders = rows.map((row) => /`([^`]+)`/.exec(row)?.[1]?.replace(/\/$/, ""));
    // Assess
    expect(folders).toEqual([...LAYERS]);
  });
});
