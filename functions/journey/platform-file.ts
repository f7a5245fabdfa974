import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { JourneyProblem } from "./load.ts";

/**
 * A platform file beside the journeys (`policy.json`, `traits.json`), read and parsed as JSON: `absent` when
 * there is none, else its name as problems name it and either the parsed JSON or the problem reading it.
 */
export async function readPlatformJson(
  journeysDir: string,
  name: string,
  cwd: string,
): Promise<{ absent: true } | { absent: false; file: string; raw?: unknown; problems: JourneyProblem[] }> {
  const path = join(journeysDir, name);
  const file = relative(cwd, path) || path;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { absent: true };
    return { absent: false, file, problems: [{ file, path: "", message: `cannot read: ${error}` }] };
  }
  try {
    return { absent: false, file, raw: JSON.parse(text), problems: [] };
  } catch (error) {
    return { absent: false, file, problems: [{ file, path: "", message: `not valid JSON: ${error}` }] };
  }
}
