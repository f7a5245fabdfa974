#!/usr/bin/env node
// npm links the `bin` of dependencies into node_modules/.bin, but not the project's own. Linking `nudge`
// there too lets tools call node_modules/.bin/nudge directly, without npx's half-second start-up.
import { existsSync, mkdirSync, symlinkSync, unlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const binDir = join(root, "node_modules", ".bin");
const link = join(binDir, "nudge");
if (existsSync(join(root, "node_modules"))) {
  mkdirSync(binDir, { recursive: true });
  try {
    unlinkSync(link);
  } catch {
    // no previous link
  }
  symlinkSync(relative(binDir, join(root, "bin", "nudge.mjs")), link);
}
