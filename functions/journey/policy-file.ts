import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { type PolicyConfig, parsePolicyConfig, policyConfigSchema } from "../engine/policies/config.ts";
import { DEFAULT_POLICY_CONFIG } from "../engine/policy-state.ts";
import { type JourneyProblem, POLICY_FILE } from "./load.ts";
import { schemaProblems } from "./problems.ts";

/**
 * The platform's messaging policies live in one file beside the journeys, `journeys/policy.json`: the
 * default time zone, quiet hours and frequency caps every journey is held to. No file: the defaults
 * (functions/engine/policies/README.md).
 */
export async function loadPolicyFile(
  journeysDir: string,
  cwd = process.cwd(),
): Promise<{ config: PolicyConfig; file?: string; problems: JourneyProblem[] }> {
  const path = join(journeysDir, POLICY_FILE);
  const file = relative(cwd, path) || path;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { config: DEFAULT_POLICY_CONFIG, problems: [] };
    return { config: DEFAULT_POLICY_CONFIG, problems: [{ file, path: "", message: `cannot read: ${error}` }] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { config: DEFAULT_POLICY_CONFIG, problems: [{ file, path: "", message: `not valid JSON: ${error}` }] };
  }
  // One line per problem, at its JSON path, with a "did you mean" for a misspelt field or value.
  const result = policyConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return { config: parsePolicyConfig(raw), file, problems: [] };
  const problems = schemaProblems(file, result.error, { schema: policyConfigSchema, input: raw });
  return { config: DEFAULT_POLICY_CONFIG, problems };
}
