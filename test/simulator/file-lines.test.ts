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

  it("gives a line longer than a chunk whole, and bytes that are not UTF-8 as decoding the file whole does", async () => {
    // Prepare: a 2.5 MiB line of two-byte characters between short ones, a character cut by the end of a
    // line, and a file ending in half a character.
    const long = "é".repeat(1_300_000);
    const bytes = Buffer.concat([
      Buffer.from(`first\n${long}\nthird `),
      Buffer.from([0xe9, 0xa1]),
      Buffer.from("\nlast "),
      Buffer.from([0xe4, 0xbd]),
    ]);
    const path = join(dir, "long.ndjson");
    await writeFile(path, bytes);
    // Act
    const read = [...fileLines(path)];
    // Assess
    expect(read).toEqual(bytes.toString("utf8").split("\n"));
    expect(read.map((line) => line.length)).toEqual([5, 1_300_000, 7, 6]);
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
