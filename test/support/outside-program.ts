import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { it } from "vitest";

/** A program outside Node.js that a test runs (cfn-lint, Chromium), and how to install it. */
export interface OutsideProgram {
  /** What to call it in messages. */
  label: string;
  /** Its path on this machine, or undefined when it is not on the PATH. */
  path: string | undefined;
  /** How to install it, for the message when it is missing. */
  install: string;
}

/** The first of `names` found on the PATH. */
export function onPath(names: string[]): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of names) if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

type TestBody = () => unknown;

/**
 * `it` for a test that needs `program`. Where the program is missing the test cannot run, and never passes
 * as if it had: on CI (the `CI` variable set, as .ci/run does; CI must run every test) it fails, saying
 * why; elsewhere it is skipped, the reason in its name.
 */
export function itWith(program: OutsideProgram) {
  return (name: string, body: TestBody, timeout?: number) => {
    if (program.path !== undefined) return it(name, body, timeout);
    const why = `${program.label} is not installed (${program.install})`;
    if (process.env.CI) {
      return it(name, () => {
        throw new Error(`cannot run: ${why}; CI runs every test, so install it there`);
      });
    }
    // A skipped test's name shows only in a verbose report: say it where every report shows it too.
    console.warn(`SKIPPED "${name}": ${why}`);
    return it.skip(`${name} — SKIPPED: ${why}`, body);
  };
}
