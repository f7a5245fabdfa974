/**
 * Where the traits meet the profile: the states an event updates ride in the profile (`traitStates`,
 * saved with it), and a decision of a journey that reads traits sees their values at its own moment
 * (`profile.traits`), computed here, never stored.
 */
import type { CompiledJourney } from "../compile.ts";
import type { Profile } from "../model.ts";
import type { ProfileWatch } from "../segments/watch.ts";
import type { TraitsFile } from "./config.ts";
import { type TraitValues, traitValues } from "./values.ts";

/** The platform's traits, and the zone of a user whose profile names none (policy.json's default). */
export interface TraitsSetting {
  file: TraitsFile;
  defaultZone: string;
  /** The segments and the traits journeys ask `trait.changed` for (../segments/watch.ts); none: nothing is watched. */
  watch?: ProfileWatch;
}

/** The zone a user's days and streaks are counted in. */
export const zoneOf = (profile: Profile | undefined, setting: TraitsSetting) =>
  profile?.timezone ?? setting.defaultZone;

/** The profile as a decision at `now` sees it: with the traits' values when the journey reads them. */
export function profileAt(
  profile: Profile,
  journey: CompiledJourney,
  args: { now: number; traits?: TraitsSetting | undefined },
): Profile {
  const setting = args.traits;
  if (setting === undefined || !journey.readsTraits) return profile;
  // Worked out when first read: most decisions of a journey that reads traits (a wait that ends, an exit) never do.
  // A getter in the literal rather than Object.defineProperty after it: the same own, enumerable property,
  // made several times faster (it runs for every decision of such a journey).
  let values: TraitValues | undefined;
  return {
    ...profile,
    get traits() {
      values ??= traitValues(setting.file, profile.traitStates, args.now, zoneOf(profile, setting));
      return values;
    },
  };
}
