/**
 * `nudge why <userId>`: what each journey did for a user, and what the policies held back and why, from
 * the local platform's state (`--dir`, default .nudge: through the running platform's database, or the
 * data on disk when none runs) or from a DynamoDB table on AWS (`--table`, with `--region` or the
 * environment's AWS settings; `--dynamodb-endpoint` for another endpoint).
 */
import { resolve } from "node:path";
import type { Profile } from "../engine/model.ts";
import type { TraitsFile } from "../engine/traits/config.ts";
import { traitValues } from "../engine/traits/values.ts";
import { journeyFilesIn, loadJourneyFiles } from "../journey/load.ts";
import { loadPolicyFile } from "../journey/policy-file.ts";
import { loadTraitsFile } from "../journey/traits-file.ts";
import { listLocalDeadLetters } from "../local/local-dead-letters.ts";
import type { JourneyStore } from "../runtime/ports.ts";
import { readUserJournal } from "../runtime/user-journal.ts";
import { formatOption, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { openStoreSource } from "./store-source.ts";
import { parseCommandArgs } from "./usage.ts";
import { refusedMessages } from "./why-refused.ts";
import { formatWhy, type WhyReport, whyTimeZone } from "./why-report.ts";

/** The user's journal from the runs of the journeys in `journeysDir` (see readUserJournal). */
async function journalOf(store: JourneyStore, journeysDir: string, cwd: string, userId: string) {
  const files = await journeyFilesIn(journeysDir).catch(() => []);
  const { journeys } = await loadJourneyFiles(files, cwd);
  const unique = new Map(journeys.map((j) => [j.journey.id, { id: j.journey.id, key: j.journey.key }]));
  return readUserJournal(store, userId, [...unique.values()]);
}

/** The user's traits now and segments, when the platform has traits (and so segments) and a profile. */
function customerView(
  profile: Profile | undefined,
  setting: { traits: TraitsFile | undefined; defaultZone: string },
): Pick<WhyReport, "traits" | "segments"> {
  const { traits } = setting;
  if (profile === undefined || traits === undefined) return {};
  const zone = profile.timezone ?? setting.defaultZone;
  const segments = traits.segments === undefined ? {} : { segments: profile.segments ?? [] };
  return { traits: traitValues(traits, profile.traitStates, Date.now(), zone), ...segments };
}

/** The user's messages the providers refused, from the local platform's dead letters (none on AWS). */
function refusedOf(dir: string | undefined, userId: string): Pick<WhyReport, "refused"> {
  const refused = dir === undefined ? [] : refusedMessages(listLocalDeadLetters(dir), userId);
  return refused.length === 0 ? {} : { refused };
}

export async function whyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positional } = parseCommandArgs("why", args);
  const [userId, ...extra] = positional;
  if (userId === undefined || extra.length > 0) throw new UsageError("expected one user id");
  const format = formatOption(values);
  const journeysDir = resolve(io.cwd, values.get("journeys") ?? "journeys");
  const policy = await loadPolicyFile(journeysDir, io.cwd);
  const { traits } = await loadTraitsFile(journeysDir, io.cwd);
  const source = await openStoreSource(values, io.cwd);
  try {
    const [profile, { entries: journal, notHandedOn: pending, skippedWhilePaused }] = await Promise.all([
      source.store.getProfile(userId, { consistent: true }),
      journalOf(source.store, journeysDir, io.cwd, userId),
    ]);
    const report: WhyReport = {
      userId,
      ...whyTimeZone(profile?.value, policy.config.defaultTimezone),
      ...(profile === undefined ? {} : { profile: profile.value }),
      ...customerView(profile?.value, { traits, defaultZone: policy.config.defaultTimezone }),
      journal,
      notHandedOn: pending,
      skippedWhilePaused,
      ...refusedOf(source.dir, userId),
    };
    if (format === "json") io.stdout(JSON.stringify(report));
    else {
      io.stdout(`From ${source.where}.`);
      for (const line of formatWhy(report)) io.stdout(line);
    }
    return ExitCode.ok;
  } finally {
    await source.close();
  }
}
