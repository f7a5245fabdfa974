import { type PolicyConfig, parsePolicyConfig } from "../../functions/engine/policies/config.ts";

/**
 * No quiet hours and no frequency caps (consent and validity still apply): for tests of the engine's other
 * guarantees (exactly-once, versions, timers), whose messages would otherwise meet the default policies.
 */
export const NO_POLICIES: PolicyConfig = parsePolicyConfig({ quietHours: null, caps: [] });
