import type { JournalEntry } from "../engine/journal.ts";
import type { Profile } from "../engine/model.ts";
import type { TraitValues } from "../engine/traits/values.ts";
import { MIGRATE_EXIT } from "../language/schema.ts";
import { NO_SUBSCRIPTION_GRANT, WECHAT_DATA_INVALID } from "../language/wechat-rules.ts";
import type { UserJournal } from "../runtime/user-journal.ts";
import { isTimeZone, localDateTime } from "../shared/local-time.ts";
import { parseInstant } from "../shared/time.ts";
import { type RefusedMessage, refusedLines } from "./why-refused.ts";

/**
 * `nudge why <userId>` as text: for each journey, what it did for the user, in order, and what was held
 * back and why (the rule that decided), on the user's own clock; then a line that adds up what was held
 * back. The data is the user's journal (functions/engine/journal.ts) and profile.
 */

export interface WhyReport {
  userId: string;
  /** The one zone the text shows times in (JSON times are ISO-8601 instants): the user's, else the platform's default. */
  timeZone: string;
  /** Whose zone `timeZone` is: the profile's own, or the platform's default (journeys/policy.json). */
  timeZoneOf: "user" | "platform default";
  profile?: Profile;
  /** The computed traits' values now (journeys/traits.json), when the platform has traits. */
  traits?: TraitValues;
  /** The segments the user is in, as last reviewed. */
  segments?: readonly string[];
  journal: readonly JournalEntry[];
  /**
   * Decided and saved, not handed to a channel yet: the journal holds only what went out, and these go out
   * when their input is delivered again (docs/exactly-once.md).
   */
  notHandedOn?: JournalEntry[];
  /** Journeys that skipped the user because they were paused when the trigger came (the latest each). */
  skippedWhilePaused?: UserJournal["skippedWhilePaused"];
  /** Messages a channel's provider refused (the local platform's dead letters). */
  refused?: RefusedMessage[];
}

/** The zone `nudge why` shows times in, text and JSON alike: the profile's when valid, else the default. */
export function whyTimeZone(
  profile: Profile | undefined,
  defaultZone: string,
): Pick<WhyReport, "timeZone" | "timeZoneOf"> {
  const own = profile?.timezone;
  return own !== undefined && isTimeZone(own)
    ? { timeZone: own, timeZoneOf: "user" }
    : { timeZone: defaultZone, timeZoneOf: "platform default" };
}

/** The rules that held a message back, in order: `capped (rule cap:x), then quiet-hours (rule quiet-hours)`. */
function heldBecause(entry: Extract<JournalEntry, { type: "message.deferred" }>): string {
  const rules = entry.heldBy ?? [entry.rule];
  const reasonOf = (rule: string) =>
    rule === entry.rule ? entry.reason : rule === "quiet-hours" ? "quiet-hours" : "capped";
  return rules.map((rule) => `${reasonOf(rule)} (rule ${rule})`).join(", then ");
}

function localTime(iso: string, zone: string): string {
  const ms = parseInstant(iso);
  return ms === undefined ? iso : localDateTime(ms, zone);
}

/** What one entry says, in a few words; `pending`: decided, not handed on yet. */
function describe(entry: JournalEntry, zone: string, pending = false): string {
  switch (entry.type) {
    case "journey.entered":
      return "entered";
    case "holdout":
      return "entered the holdout group: no messages or coupons";
    case "journey.exited":
      return entry.event === undefined ? `exited: ${entry.reason}` : `exited: ${entry.reason} (${entry.event})`;
    case "journey.migrated":
      return `moved from version ${entry.from.version} step ${entry.from.step} to version ${entry.version} ${entry.to === MIGRATE_EXIT ? "(exit)" : `step ${entry.to}`}`;
    case "coupon.issued": {
      const { code, amountOff, currency, freeShipping, expiresAt } = entry.coupon;
      return `coupon ${code} ${pending ? "to be issued" : "issued"}: ${amountOff} ${currency} off${freeShipping ? ", free shipping" : ""}, until ${localTime(expiresAt, zone)}`;
    }
    case "coupon.withheld":
      return `coupon of ${entry.amountOff} NOT issued: ${entry.reason} (rule ${entry.rule})${entry.until === undefined ? ", message sent without it" : `, run held until ${localTime(entry.until, zone)}`}`;
    case "message.sent":
      return `${entry.channel} "${entry.template}" ${pending ? "to be sent" : "sent"} (${entry.category}, ${entry.locale})`;
    case "message.deferred":
      return `${entry.channel} "${entry.template}" HELD until ${localTime(entry.until, zone)}: ${heldBecause(entry)}`;
    case "message.suppressed":
      return `${entry.channel} "${entry.template}" NOT sent: ${entry.reason}${entry.rule === undefined ? "" : ` (rule ${entry.rule})`}${SUPPRESSION_EXPLAINED[entry.reason] ?? ""}`;
    case "goal.converted":
      return `goal converted by ${entry.event["detail-type"]}`;
    case "event.emitted":
      return `emitted ${entry.detailType}`;
    case "profile.updated":
      return `profile updated: ${entry.attributes.join(", ")}`;
  }
}

/** What a suppression reason means, where its name alone does not say it. */
const SUPPRESSION_EXPLAINED: Readonly<Record<string, string>> = {
  [NO_SUBSCRIPTION_GRANT]:
    ": no WeChat one-time grant left for this template (each wechat.subscription_granted adds grants, each message takes one)",
  [WECHAT_DATA_INVALID]:
    ": a keyword's rendered value breaks WeChat's rule for its type (nudge preview shows which and why)",
};

/** The WeChat subscribe message grants left, by template: `wechat grants: tpl 1; other 0 (refused 2026-…)`. */
function grantsLine(profile: Profile | undefined, zone: string): string[] {
  const grants = Object.entries(profile?.wechatGrants ?? {});
  if (grants.length === 0) return [];
  const parts = grants.map(
    ([templateId, grant]) =>
      `${templateId} ${grant.count} left${grant.clearedAt === undefined ? "" : ` (cleared when WeChat refused, ${localTime(grant.clearedAt, zone)})`}`,
  );
  return [`wechat grants: ${parts.join("; ")}`];
}

function consentLine(profile: Profile | undefined, zone: string): string {
  const decisions = Object.entries(profile?.consent ?? {});
  if (decisions.length === 0) return "consent: every channel (none withdrawn)";
  const parts = decisions.map(
    ([channel, state]) =>
      `${channel === "*" ? "every channel" : channel} ${state.subscribed ? "subscribed" : "unsubscribed"} ${localTime(state.at, zone)}`,
  );
  return `consent: ${parts.join("; ")}`;
}

/** `growthValue 600, growthTier silver, rfm R5 F1 M2, ...`: each trait with a value, in the file's order. */
function traitsLine(traits: TraitValues): string {
  const shown = Object.entries(traits).map(([name, value]) =>
    typeof value === "object" ? `${name} R${value.r} F${value.f} M${value.m}` : `${name} ${value}`,
  );
  return shown.join(", ") || "none";
}

export function formatWhy(report: WhyReport): string[] {
  const { userId, journal, profile } = report;
  const zone = report.timeZone;
  const whose =
    report.timeZoneOf === "user" ? "the user's time zone" : "the platform's default: the profile names none";
  const lines = [
    `${userId}: ${profile === undefined ? "no profile" : `locale ${profile.locale ?? "(default)"}, ${profile.orderCount} orders`}; ${consentLine(profile, zone)}`,
    `Times in ${zone} (${whose}).`,
    ...grantsLine(profile, zone),
  ];
  if (report.traits !== undefined) lines.push(`traits: ${traitsLine(report.traits)}`);
  if (report.segments !== undefined) lines.push(`segments: ${report.segments.join(", ") || "none"}`);
  const skipped = report.skippedWhilePaused ?? [];
  if (journal.length === 0 && (report.notHandedOn ?? []).length === 0 && skipped.length === 0) {
    lines.push("", "No journey has done anything for this user (or the journal has expired).");
    return lines;
  }
  for (const [journey, items] of byJourney(journal, skipped)) {
    lines.push("", journey);
    // A journey keyed by coupon or order runs once per key: each run under its id, when there are several.
    const runs = new Set(items.flatMap((item) => ("run" in item ? [item.run] : [])));
    let run: string | undefined;
    for (const item of items) {
      if (!("run" in item)) {
        lines.push(`  ${localTime(item.at, zone)}  NOT entered: the journey was paused when ${item.event} came`);
        continue;
      }
      if (runs.size > 1 && item.run !== run) lines.push(`  run ${item.run}`);
      run = item.run;
      lines.push(`  ${localTime(item.at, zone)}  ${describe(item, zone)}`);
    }
  }
  const pending = report.notHandedOn ?? [];
  if (pending.length > 0) {
    lines.push("", "Decided, NOT handed to a channel yet (goes out when its input is delivered again):");
    for (const entry of pending)
      lines.push(
        `  ${localTime(entry.at, zone)}  ${entry.journey} (v${entry.version})  ${describe(entry, zone, true)}`,
      );
  }
  lines.push(...refusedLines(report.refused ?? [], (iso) => localTime(iso, zone)));
  lines.push("", summary(journal));
  return lines;
}

type Skipped = NonNullable<WhyReport["skippedWhilePaused"]>[number];

/** Each journey's entries and paused skips, in time order, under `<journey> (v<version>)`. */
function byJourney(
  journal: readonly JournalEntry[],
  skipped: readonly Skipped[],
): Map<string, (JournalEntry | Skipped)[]> {
  const groups = new Map<string, (JournalEntry | Skipped)[]>();
  const items = [...journal, ...skipped].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const item of items) {
    const key = `${item.journey} (v${item.version})`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

/** Held back, added up: messages deferred and not sent by reason, coupons withheld. */
function summary(journal: readonly JournalEntry[]): string {
  const count = (type: JournalEntry["type"]) => {
    const reasons = new Map<string, number>();
    for (const entry of journal)
      if (entry.type === type && "reason" in entry) reasons.set(entry.reason, (reasons.get(entry.reason) ?? 0) + 1);
    const total = [...reasons.values()].reduce((a, b) => a + b, 0);
    const detail = [...reasons].map(([reason, n]) => `${reason} ${n}`).join(", ");
    return total === 0 ? "0" : `${total} (${detail})`;
  };
  const sent = journal.filter((entry) => entry.type === "message.sent").length;
  return `Messages sent: ${sent}; held until later: ${count("message.deferred")}; not sent: ${count("message.suppressed")}; coupons withheld: ${count("coupon.withheld")}.`;
}
