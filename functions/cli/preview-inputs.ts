/**
 * What `nudge preview` reads: the journey (by id from journeys/, or a file), the user's profile file and the
 * trigger event (a file, or the catalog's sample of the trigger's detail-type). Each problem with them is a
 * UsageError naming the file and the field: the command cannot run as asked.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as z from "zod";
import { parseEventJson, type ShopEvent } from "../../events/catalog.ts";
import { patternDetailTypes } from "../engine/compile.ts";
import { emptyProfile } from "../engine/context.ts";
import type { Profile } from "../engine/model.ts";
import { didYouMean, listOf } from "../journey/checks/common.ts";
import { type LoadedJourney, loadJourneyFiles } from "../journey/load.ts";
import { formatProblem, schemaProblems } from "../journey/problems.ts";
import type { Journey } from "../language/schema.ts";
import { localeTag } from "../language/schema.ts";
import { UsageError } from "./args.ts";
import { defaultJourneyFiles, JOURNEYS_DIR } from "./validate.ts";

/** One sample event per detail-type, `events/samples/<detail-type>.json` (events/README.md). */
const SAMPLES_DIR = fileURLToPath(new URL("../../events/samples/", import.meta.url));

const optionalText = z.string().min(1).optional();

/** A profile file: the fields of the engine's Profile, every one optional (defaults as for a user never seen). */
const profileFileSchema = z.strictObject({
  userId: optionalText,
  registeredAt: optionalText,
  locale: localeTag.optional(),
  timezone: optionalText,
  channel: optionalText,
  email: optionalText,
  phone: optionalText,
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  consent: z.record(z.string(), z.strictObject({ subscribed: z.boolean(), at: z.string() })).optional(),
  orderCount: z.number().int().nonnegative().optional(),
  totalSpent: z.number().nonnegative().optional(),
  firstOrderAt: optionalText,
  lastOrderAt: optionalText,
  recentEventIds: z.array(z.string()).optional(),
});

async function readText(path: string, cwd: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/** The journey file for an id (the highest version of that id in journeys/) or a path ending in .json. */
export async function journeyFileFor(journey: string, cwd: string): Promise<string> {
  if (journey.endsWith(".json")) return journey;
  const files = await defaultJourneyFiles(cwd);
  const { journeys } = await loadJourneyFiles(files, cwd);
  const found = journeys
    .filter((entry) => entry.journey.id === journey)
    .reduce<LoadedJourney | undefined>(
      (a, b) => (a === undefined || b.journey.version > a.journey.version ? b : a),
      undefined,
    );
  if (found === undefined) {
    const ids = [...new Set(journeys.map((entry) => entry.journey.id))].sort();
    throw new UsageError(
      `no journey "${journey}" in ${JOURNEYS_DIR}/${didYouMean(journey, ids)}; journeys: ${listOf(ids)} (or give a journey file's path)`,
    );
  }
  return found.file;
}

/** The profile in a profile file, its missing fields defaulted: a user with no orders, consent and attributes. */
export async function readProfile(path: string, cwd: string, defaultUserId: string): Promise<Profile> {
  const text = await readText(path, cwd, "profile");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`profile file ${path}: not valid JSON: ${error instanceof Error ? error.message : error}`);
  }
  const result = profileFileSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const lines = schemaProblems(`profile file ${path}`, result.error).map(formatProblem);
    throw new UsageError(lines.join("\n"));
  }
  const { userId, ...fields } = result.data;
  return { ...emptyProfile(userId ?? defaultUserId), ...fields };
}

/**
 * The detail-types that may start a run of the journey: its trigger's, for inactivity the clock events', for a
 * campaign relative to an event that event's (none for a campaign on a schedule expression).
 */
export function triggerTypesOf(journey: Journey): string[] {
  const trigger = journey.trigger;
  const patterns =
    trigger.type === "event"
      ? [trigger.pattern]
      : trigger.type === "inactivity"
        ? [trigger.absent, trigger.countFrom ?? {}]
        : trigger.relativeTo === undefined
          ? []
          : [trigger.relativeTo.event];
  return patterns.flatMap((pattern) => patternDetailTypes(pattern) ?? []);
}

/** The trigger event: the file given, else the sample of the journey's first trigger detail-type. */
export async function readTrigger(path: string | undefined, cwd: string, journey: Journey): Promise<ShopEvent> {
  let text: string;
  let name: string;
  if (path !== undefined) {
    text = await readText(path, cwd, "trigger event");
    name = path;
  } else {
    const [type] = triggerTypesOf(journey);
    if (type === undefined) throw new UsageError(`journey "${journey.id}": no trigger detail-type; give --trigger`);
    name = `events/samples/${type}.json`;
    text = await readText(`${SAMPLES_DIR}${type}.json`, cwd, "sample event").catch(() => {
      throw new UsageError(`no sample event ${name} for the trigger of journey "${journey.id}": give --trigger`);
    });
  }
  const parsed = parseEventJson(text);
  if (!parsed.ok) throw new UsageError(`trigger event file ${name}:\n${parsed.error.message}`);
  return parsed.event;
}
