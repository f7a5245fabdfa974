import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileLines } from "../../functions/simulator/file-lines.ts";

describe("fileLines", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "nudge-lines-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("gives the lines text.split gives, across chunk boundaries and characters split by them", async () => {
    // Prepare: 3 MiB of lines of three-byte characters, so chunks of 1 MiB cut lines and characters.
    const lines = Array.from({ length: 60_000 }, (_, i) => `{"id":"e-${i}","name":"${"顾客".repeat(i % 13)}"}`);
    const text = `${lines.join("\n")}\n\n{"last":true}\r\n`;
    const path = join(dir, "events.ndjson");
    await writeFile(path, text, "utf8");
    // Act
    const read = [...fileLines(path)];
    // Assess
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 2 ** 20);
    expect(read).toEqual(text.split("\n"));
  });

  it("reads a file again each time its lines are asked for, and an empty file as one empty line", async () => {
    // Prepare
    const path = join(dir, "empty.ndjson");
    await writeFile(path, "");
    const lines = fileLines(path);
    // Act / Assess
    expect([...lines]).toEqual([""]);
    expect([...lines]).toEqual([""]);
  });
});
