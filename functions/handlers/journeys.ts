/**
 * The journeys a function runs. The CDK app validates the journey files at synth (as `nudge validate`
 * does) and embeds the result in each bundle as the constant NUDGE_JOURNEYS_JSON (an esbuild `define`),
 * so a function never reads files nor loads the journey language's zod schema: the bundles stay small
 * and the journeys deployed are exactly the ones validated.
 */
import type { TraitsFile } from "../engine/traits/config.ts";
import type { Journey } from "../language/schema.ts";
import { ConfigError } from "./config.ts";

/** Replaced by esbuild with the JSON text of the validated journeys; undeclared outside a bundle. */
declare const NUDGE_JOURNEYS_JSON: string | undefined;

/** Replaced by esbuild with the JSON text of the validated traits file (journeys/traits.json), or `null`. */
declare const NUDGE_TRAITS_JSON: string | undefined;

/** The name esbuild's `define` replaces (lib/bundling.ts sets it). */
export const JOURNEYS_DEFINE = "NUDGE_JOURNEYS_JSON";
/** The traits' name for `define`. */
export const TRAITS_DEFINE = "NUDGE_TRAITS_JSON";

/** The journeys embedded in this bundle; a ConfigError outside a bundle built by the CDK app. */
export function embeddedJourneys(): Journey[] {
  if (typeof NUDGE_JOURNEYS_JSON !== "string") {
    throw new ConfigError(
      `no journeys in this bundle: build it with the CDK app (lib/bundling.ts defines ${JOURNEYS_DEFINE}), or pass journeys to the handler factory`,
    );
  }
  return JSON.parse(NUDGE_JOURNEYS_JSON) as Journey[];
}

/** The computed traits embedded in this bundle (validated at synth, as `nudge validate` does); none when absent. */
export function embeddedTraits(): TraitsFile | undefined {
  if (typeof NUDGE_TRAITS_JSON !== "string") return undefined;
  return (JSON.parse(NUDGE_TRAITS_JSON) as TraitsFile | null) ?? undefined;
}
