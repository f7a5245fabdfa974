import { type PolicyConfig, parsePolicyConfig, policyConfigSchema } from "../engine/policies/config.ts";
import { DEFAULT_POLICY_CONFIG } from "../engine/policy-state.ts";
import { type JourneyProblem, POLICY_FILE } from "./load.ts";
import { readPlatformJson } from "./platform-file.ts";
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
  const read = await readPlatformJson(journeysDir, POLICY_FILE, cwd);
  if (read.absent) return { config: DEFAULT_POLICY_CONFIG, problems: [] };
  const { file, raw } = read;
  if (read.problems.length > 0) return { config: DEFAULT_POLICY_CONFIG, problems: read.problems };
  // One line per problem, at its JSON path, with a "did you mean" for a misspelt field or value.
  const result = policyConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return { config: parsePolicyConfig(raw), file, problems: [] };
  const problems = schemaProblems(file, result.error, { schema: policyConfigSchema, input: raw });
  return { config: DEFAULT_POLICY_CONFIG, problems };
}
