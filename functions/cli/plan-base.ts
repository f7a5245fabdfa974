/**
 * What `nudge plan` compares the working tree's journeys with: the journeys folder as a git revision has it
 * (`--base <rev>`, default HEAD), or another folder (`--base-dir`). A revision's folder is extracted with
 * `git archive` into a temporary folder and loaded as `nudge validate` loads any. `--base local`: the journeys the
 * local platform runs (the copy `nudge start` keeps in its folder).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { UsageError } from "./args.ts";
import { DEPLOYED_JOURNEYS } from "./journey-folder.ts";

export interface BaseFolder {
  /** The journeys folder of the base, ready to load. */
  dir: string;
  /** In words, for the report: `HEAD`, `main~1`, a folder. */
  label: string;
  dispose(): void;
}

function git(args: readonly string[], cwd: string): Buffer {
  const result = spawnSync("git", args, { cwd, maxBuffer: 256 * 1024 * 1024 });
  if (result.error !== undefined) throw new UsageError(`--base needs git: ${result.error.message}`);
  if (result.status !== 0) throw new UsageError(`git ${args.join(" ")}: ${result.stderr.toString().trim()}`);
  return result.stdout;
}

/** The journeys folder at a git revision, in a temporary folder. */
function folderAtRevision(journeyDir: string, revision: string): BaseFolder {
  const top = git(["rev-parse", "--show-toplevel"], journeyDir).toString().trim();
  const path = relative(top, journeyDir) || ".";
  git(["rev-parse", "--verify", "--quiet", `${revision}^{commit}`], top);
  const archive = git(["archive", "--format=tar", revision, "--", path], top);
  const into = mkdtempSync(join(tmpdir(), "nudge-plan-base-"));
  const extracted = spawnSync("tar", ["-x", "-C", into], { input: archive });
  if (extracted.status !== 0) {
    rmSync(into, { recursive: true, force: true });
    throw new UsageError(`cannot extract ${path} at ${revision}: ${extracted.stderr.toString().trim()}`);
  }
  return {
    dir: join(into, path),
    label: revision,
    dispose: () => rmSync(into, { recursive: true, force: true }),
  };
}

/** The journeys a local platform runs: the copy `nudge start` keeps in its folder (`--dir`, default .nudge). */
function localPlatformFolder(values: Map<string, string>, cwd: string): BaseFolder {
  const stateDir = resolve(cwd, values.get("dir") ?? ".nudge");
  const dir = join(stateDir, DEPLOYED_JOURNEYS);
  if (!existsSync(dir))
    throw new UsageError(
      `--base local: no journeys in ${relative(cwd, dir)}: \`nudge start --dir ${relative(cwd, stateDir)}\` keeps them there`,
    );
  return { dir, label: `the local platform's journeys (${relative(cwd, stateDir)})`, dispose: () => undefined };
}

export function baseFolder(values: Map<string, string>, journeyDir: string, cwd: string): BaseFolder {
  if (values.get("base") === "local") return localPlatformFolder(values, cwd);
  const dir = values.get("base-dir");
  if (dir !== undefined) {
    if (values.has("base")) throw new UsageError("give --base or --base-dir, not both");
    return { dir: resolve(cwd, dir), label: dir, dispose: () => undefined };
  }
  return folderAtRevision(journeyDir, values.get("base") ?? "HEAD");
}
