import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isJourneyFileName } from "../../functions/journey/load.ts";

/**
 * Where the tests of the shipped journeys find them: the repository's journeys/ folder, or the folder that the
 * environment variable NUDGE_TEST_JOURNEYS names (relative to the current directory), such as a copy an
 * operations person edited. Tests of the engine use fixture journeys under test/ instead, and never this.
 *
 * The folder must be called `journeys`: the CLI finds the journeys as `journeys/` in the directory it runs in,
 * so the tests that run a command on the shipped journeys run it in SHIPPED_JOURNEYS_CWD, the folder's parent.
 */
export const SHIPPED_JOURNEYS_ENV = "NUDGE_TEST_JOURNEYS";

/** The repository's own journeys/ folder. */
export const REPO_JOURNEYS_DIR = fileURLToPath(new URL("../../journeys", import.meta.url));

function shippedJourneysDir(): string {
  const named = process.env[SHIPPED_JOURNEYS_ENV];
  if (named === undefined || named === "") return REPO_JOURNEYS_DIR;
  const dir = resolve(named);
  if (basename(dir) !== "journeys") {
    throw new Error(`${SHIPPED_JOURNEYS_ENV}=${named}: the folder must be called "journeys", as the CLI expects`);
  }
  return dir;
}

/** The folder of the shipped journeys the tests check (no trailing slash). */
export const SHIPPED_JOURNEYS_DIR = shippedJourneysDir();

/** The folder a CLI command runs in to find SHIPPED_JOURNEYS_DIR as its `journeys/`. */
export const SHIPPED_JOURNEYS_CWD = dirname(SHIPPED_JOURNEYS_DIR);

/** The ids of the journey files in the repository's journeys/, in file-name order (a version file too). */
export function repoJourneyIds(): string[] {
  return readdirSync(REPO_JOURNEYS_DIR)
    .filter(isJourneyFileName)
    .sort()
    .map((name) => (JSON.parse(readFileSync(join(REPO_JOURNEYS_DIR, name), "utf8")) as { id: string }).id);
}
