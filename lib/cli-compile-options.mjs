/**
 * How the CLI's code is compiled (esbuild), apart from where it goes: by bin/build-cli.mjs, and by the
 * simulation benchmark for its child (bench/simulation.ts), so that it measures the code as `nudge
 * simulate` runs it. Plain JavaScript, as bin/build-cli.mjs runs without a TypeScript loader.
 */
import { ESM_REQUIRE_BANNER } from "./esm-require-banner.mjs";

export const CLI_COMPILE_OPTIONS = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: `node${process.versions.node.split(".")[0]}`,
  mainFields: ["module", "main"],
  banner: { js: ESM_REQUIRE_BANNER },
  // Minified, as the Lambda bundles are: less to parse at each start, and no clash between the banner's
  // createRequire and a bundled module's own. Class names are kept: errors are named after their class.
  minify: true,
  keepNames: true,
  // dynalite loads a native LevelDB binding from its own folder: it stays in node_modules.
  external: ["dynalite"],
  logLevel: "warning",
};
