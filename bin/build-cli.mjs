#!/usr/bin/env node
/**
 * Compiles the `nudge` command (functions/cli/main.ts and everything it imports, dependencies included)
 * into dist/ with esbuild, once, so that a command starts in a fraction of the time compiling the
 * TypeScript at every start took (docs/cli.md has the figures). `npm run build` and `prepare` (so `npm ci`)
 * run this file; bin/nudge.mjs compiles again first when a source changed since (`cliEntry`).
 *
 * dist/cli.json names the current build and the files it was made from. Each build goes to a folder of
 * its own and cli.json is replaced in one rename, so two commands started at once after an edit each see
 * a whole build, and a running `nudge start` keeps the chunks it may still load.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CLI_COMPILE_OPTIONS } from "../lib/cli-compile-options.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
const MANIFEST = join(DIST, "cli.json");
/** Builds older than this, and not the current one, are removed after a build. */
const KEEP_OLD_BUILDS_MS = 60 * 60_000;

/**
 * Besides the sources: this build script, and npm's record of node_modules (a dependency installed or
 * updated changes it), since the dependencies are compiled in.
 */
const ALSO_WATCHED = [
  "bin/build-cli.mjs",
  "lib/cli-compile-options.mjs",
  "lib/esm-require-banner.mjs",
  "node_modules/.package-lock.json",
];

/** Compiles the CLI into a new folder of dist/ and makes it the current build. Returns its entry's path. */
export async function buildCli() {
  const { build } = await import("esbuild");
  mkdirSync(DIST, { recursive: true });
  const builtAt = Date.now();
  // Two levels below the root, as functions/cli/ is: a source that finds a file relative to its own
  // location (functions/cli/preview-inputs.ts: ../../events/samples/) finds it from the build too.
  const folder = `cli-${builtAt}-${process.pid}`;
  const outdir = join(DIST, folder);
  const result = await build({
    ...CLI_COMPILE_OPTIONS,
    entryPoints: { main: join(ROOT, "functions/cli/main.ts") },
    // Commands load on demand (main.ts): each is a chunk of its own, read only when that command runs.
    splitting: true,
    outdir,
    outExtension: { ".js": ".mjs" },
    metafile: true,
  });
  const sources = Object.keys(result.metafile.inputs).filter((path) => !path.includes("node_modules/"));
  const inputs = [...sources.map((path) => relative(ROOT, resolve(path))), ...ALSO_WATCHED];
  const manifest = { entry: `${folder}/main.mjs`, builtAt, inputs };
  const temporary = `${MANIFEST}.${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(temporary, MANIFEST);
  removeOldBuilds(folder);
  return join(DIST, manifest.entry);
}

function removeOldBuilds(current) {
  for (const name of readdirSync(DIST)) {
    if (!name.startsWith("cli-") || name === current) continue;
    const path = join(DIST, name);
    if (Date.now() - statSync(path).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(path, { recursive: true, force: true });
  }
}

/** The current build's entry, or undefined when there is none or a file it was made from changed since. */
function currentBuild() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
  } catch {
    return undefined; // never built
  }
  const entry = join(DIST, manifest.entry);
  if (!existsSync(entry)) return undefined;
  for (const input of manifest.inputs) {
    const stat = statSync(join(ROOT, input), { throwIfNoEntry: false });
    // A source deleted, or written since the build started: compile again.
    if (stat === undefined || stat.mtimeMs > manifest.builtAt) return undefined;
  }
  return entry;
}

/** The URL of the compiled CLI to import: the current build, or a new one when the sources changed. */
export async function cliEntry() {
  const entry = currentBuild() ?? (await buildCli());
  return pathToFileURL(entry).href;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entry = await buildCli();
  console.log(`nudge CLI compiled: ${relative(ROOT, entry)}`);
}
