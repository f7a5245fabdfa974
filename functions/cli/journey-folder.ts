import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { PolicyConfig } from "../engine/policies/config.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import { formatProblem, journeyFilesIn } from "../journey/load.ts";
import { loadPolicyFile } from "../journey/policy-file.ts";
import { loadTraitsFile } from "../journey/traits-file.ts";
import { validateJourneyFiles } from "../journey/validate.ts";
import type { Journey } from "../language/schema.ts";
import { UsageError } from "./args.ts";
import type { CliIo } from "./io.ts";

/**
 * The journey files of a folder, validated as `nudge validate` does, and the platform's policy file beside
 * them; undefined (problems printed) if any fails.
 */
export async function loadJourneys(
  dir: string,
  io: CliIo,
): Promise<{ journeys: Journey[]; policies: PolicyConfig; traits?: TraitsFile } | undefined> {
  const files = await journeyFilesIn(dir).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--journeys: cannot read ${dir}: ${error.code ?? error.message}`);
  });
  const { journeys, problems } = await validateJourneyFiles(files, io.cwd);
  const policy = await loadPolicyFile(dir, io.cwd);
  problems.push(...policy.problems);
  const traits = await loadTraitsFile(dir, io.cwd);
  problems.push(...traits.problems);
  if (problems.length === 0)
    return {
      journeys: journeys.map((loaded) => loaded.journey),
      policies: policy.config,
      ...(traits.traits === undefined ? {} : { traits: traits.traits }),
    };
  for (const problem of problems) io.stderr(formatProblem(problem));
  return undefined;
}

/** Where a local platform's folder keeps a copy of the journeys it runs: `nudge plan --base local` reads it. */
export const DEPLOYED_JOURNEYS = join("deployed", "journeys");

/**
 * Keeps a copy of the journeys folder a local platform was started with, in its state folder: what is "deployed"
 * here, for `nudge plan --base local` to compare the working tree with.
 */
export function keepDeployedCopy(journeyDir: string, stateDir: string): void {
  const copy = join(stateDir, DEPLOYED_JOURNEYS);
  rmSync(copy, { recursive: true, force: true });
  cpSync(journeyDir, copy, { recursive: true });
}
