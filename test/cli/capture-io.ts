import { fileURLToPath } from "node:url";
import type { CliIo } from "../../functions/cli/io.ts";

/** The repository's root (with a trailing slash): where commands run unless a test says otherwise. */
export const root = fileURLToPath(new URL("../../", import.meta.url));

/** A CliIo that keeps what the command writes, line by line, in `out` and `err`; cwd defaults to the root. */
export function capture(cwd: string = root): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
}
