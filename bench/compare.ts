import { execFile, spawn } from "node:child_process";
import { mkdtemp, realpath, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { median } from "./engine-steps.ts";

/**
 * `npm run bench -- --compare <git rev>`: the engine benchmark of this checkout and of another revision,
 * in one run, so a regression shows as a ratio rather than as a figure on a noisy machine. The other
 * revision is checked out with `git archive` into a temporary directory that shares this checkout's
 * node_modules; each side runs `bench/run.ts --only engine --repeat 1` in a fresh process, the sides
 * taking turns (ours, theirs, ours, ...), and the medians of the passes are compared.
 */

const run = promisify(execFile);

export interface EngineFigures {
  /** The pure engine's steps per second (bench part 1a). */
  pure: number;
  /** The runtime over the MemoryStore, steps per second (bench part 1b). */
  runtime: number;
  /** The pure engine making the runtime's decisions, steps per second (part 1c); absent in revisions before it. */
  sameDecisions?: number | undefined;
}

export interface CompareOptions {
  /** This checkout's root (bench/run.ts is under it). */
  root: string;
  rev: string;
  passes: number;
  /** The options both sides' engine benchmarks run with. */
  args: readonly string[];
}

export interface Comparison {
  rev: string;
  commit: string;
  ours: EngineFigures[];
  theirs: EngineFigures[];
}

/** A revision's tree in a temporary directory with this checkout's node_modules; `remove` deletes it. */
async function checkOut(root: string, rev: string): Promise<{ dir: string; commit: string; remove(): Promise<void> }> {
  const { stdout } = await run("git", ["-C", root, "rev-parse", "--verify", `${rev}^{commit}`]);
  const commit = stdout.trim();
  const dir = await mkdtemp(join(tmpdir(), `nudge-bench-${commit.slice(0, 8)}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await pipeArchive(root, commit, dir);
    await symlink(await realpath(join(root, "node_modules")), join(dir, "node_modules"), "dir");
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, commit, remove };
}

/** `git archive <commit> | tar -x -C <dir>`, without a shell. */
function pipeArchive(root: string, commit: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn("git", ["-C", root, "archive", commit], { stdio: ["ignore", "pipe", "inherit"] });
    const tar = spawn("tar", ["-x", "-C", dir], { stdio: ["pipe", "ignore", "inherit"] });
    archive.stdout.pipe(tar.stdin);
    let failed = false;
    const fail = (what: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(new Error(`${what} exited with code ${code}`));
      }
    };
    archive.on("exit", fail("git archive"));
    archive.on("error", reject);
    tar.on("error", reject);
    tar.on("exit", (code) => {
      fail("tar")(code);
      if (code === 0 && !failed) resolve();
    });
  });
}

/** One pass of a checkout's engine benchmark in a fresh Node.js process; its figures from the JSON line. */
async function enginePass(dir: string, args: readonly string[]): Promise<EngineFigures> {
  const { stdout } = await run(process.execPath, [...process.execArgv, "bench/run.ts", ...args], {
    cwd: dir,
    maxBuffer: 16 * 2 ** 20,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  const last = stdout.trim().split("\n").at(-1) ?? "";
  const engine = (
    JSON.parse(last) as {
      engine?: {
        stepsPerSecond?: number;
        pureEngine?: { stepsPerSecond?: number };
        sameDecisions?: { stepsPerSecond?: number; agrees?: boolean };
      };
    }
  ).engine;
  const pure = engine?.pureEngine?.stepsPerSecond;
  const runtime = engine?.stepsPerSecond;
  if (pure === undefined || runtime === undefined) throw new Error(`no engine figures in ${dir}'s bench output`);
  const same = engine?.sameDecisions;
  return { pure, runtime, sameDecisions: same?.agrees === true ? same.stepsPerSecond : undefined };
}

/** Runs both sides' engine benchmarks in turns, `passes` times each. */
export async function compareEngine(options: CompareOptions): Promise<Comparison> {
  const other = await checkOut(options.root, options.rev);
  const args = ["--only", "engine", "--repeat", "1", ...options.args];
  const comparison: Comparison = { rev: options.rev, commit: other.commit, ours: [], theirs: [] };
  try {
    for (let pass = 0; pass < options.passes; pass++) {
      comparison.ours.push(await enginePass(options.root, args));
      comparison.theirs.push(await enginePass(other.dir, args));
    }
  } finally {
    await other.remove();
  }
  return comparison;
}

/** The medians of each side and their ratios (ours over theirs). */
export function compareFigures(comparison: Comparison) {
  const side = (figures: readonly EngineFigures[]) => {
    const same = figures.flatMap((f) => (f.sameDecisions === undefined ? [] : [f.sameDecisions]));
    return {
      pure: median(figures.map((f) => f.pure)),
      runtime: median(figures.map((f) => f.runtime)),
      sameDecisions: same.length === figures.length ? median(same) : undefined,
    };
  };
  const ours = side(comparison.ours);
  const theirs = side(comparison.theirs);
  return {
    ours,
    theirs,
    pureRatio: theirs.pure === 0 ? 0 : ours.pure / theirs.pure,
    runtimeRatio: theirs.runtime === 0 ? 0 : ours.runtime / theirs.runtime,
  };
}
