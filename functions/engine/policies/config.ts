/**
 * The messaging policy configuration: one platform layer over every journey (consent, frequency caps,
 * quiet hours) and what each journey does when held back. zod/mini, as this module may go into a
 * Lambda bundle; the decision code imports only the types.
 */
import * as z from "zod/mini";
import { NudgeError } from "../../shared/errors.ts";
import { isTimeZone } from "../../shared/local-time.ts";
import { parseDuration } from "../../shared/time.ts";

/** The zone of a user whose profile names none, or one the runtime does not know. */
export const DEFAULT_TIMEZONE = "Asia/Shanghai";

const identifier = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/, "expected lower-case letters, digits and dashes"));

/** A time of day on the 24-hour clock, `HH:MM`. */
const clock = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected a time of day HH:MM, such as 21:00"));

/** A positive ISO-8601 duration in weeks, days, hours, minutes, seconds (`PT24H`). */
const rollingWindow = z
  .string()
  .check(z.refine((text) => (parseDuration(text) ?? 0) > 0, "expected a positive ISO-8601 duration such as PT24H"));

/** Which messages a rule holds back, and whose past sends it counts: marketing only, or service ones too. */
const appliesTo = z._default(z.enum(["marketing", "all"]), "marketing");

/**
 * At most `max` messages in any rolling `per`, counted per user (`user`) or per user and channel
 * (`channel`).
 */
const platformCap = z.strictObject({
  id: identifier,
  max: z.int().check(z.gte(1)),
  per: rollingWindow,
  scope: z.enum(["user", "channel"]),
  appliesTo,
});

/** A journey's own cap: at most `max` of this journey's messages to a user in any rolling `per`. */
const journeyCap = z.strictObject({ id: identifier, max: z.int().check(z.gte(1)), per: rollingWindow });

const uniqueIds = <T extends { id: string }>(caps: T[]) => new Set(caps.map((cap) => cap.id)).size === caps.length;

const quietHours = z
  .strictObject({ start: clock, end: clock, appliesTo })
  .check(z.refine((hours) => hours.start !== hours.end, "quiet hours must not start and end at the same time"));

export const DEFAULT_QUIET_HOURS = { start: "21:00", end: "09:00", appliesTo: "marketing" } as const;

/** How far behind the platform's clock an event's time must be for it to count as a backfill. */
export const DEFAULT_BACKFILL_AFTER = "PT24H";

export const DEFAULT_CAPS = [
  { id: "marketing-per-day", max: 3, per: "PT24H", scope: "user", appliesTo: "marketing" },
  { id: "marketing-per-channel", max: 1, per: "PT4H", scope: "channel", appliesTo: "marketing" },
] as const;

export const policyConfigSchema = z.strictObject({
  /** The editor's JSON Schema reference; ignored. */
  $schema: z.optional(z.string()),
  defaultTimezone: z._default(
    z.string().check(z.refine(isTimeZone, "expected an IANA time zone such as Asia/Shanghai")),
    DEFAULT_TIMEZONE,
  ),
  /** In the user's own zone; `null` turns quiet hours off. */
  quietHours: z._default(z.nullable(quietHours), { ...DEFAULT_QUIET_HOURS }),
  caps: z._default(
    z.array(platformCap).check(z.refine(uniqueIds, "cap ids must be unique")),
    DEFAULT_CAPS.map((cap) => ({ ...cap })),
  ),
  /**
   * An event whose time is more than this behind the platform's clock is a backfill or a replay: it
   * updates the profile as of its time, but starts no run, and an inactivity clock it restarts counts
   * from the platform's clock (functions/engine/backfill.ts).
   */
  backfillAfter: z._default(rollingWindow, DEFAULT_BACKFILL_AFTER),
});

/** What one journey does when the platform holds its message back, and how it ranks against others. */
export const journeyPolicySchema = z.object({
  /** Higher goes first when messages fall due together and a cap lets only some through. */
  priority: z._default(z.int(), 0),
  /** A capped message: deferred to the first time every cap allows it, or dropped. */
  whenCapped: z._default(z.enum(["defer", "drop"]), "defer"),
  /** A message due in quiet hours: deferred to their end, or dropped. */
  inQuietHours: z._default(z.enum(["defer", "drop"]), "defer"),
  caps: z._default(z.array(journeyCap).check(z.refine(uniqueIds, "cap ids must be unique")), []),
});

export type PolicyConfig = z.output<typeof policyConfigSchema>;
export type PlatformCap = PolicyConfig["caps"][number];
export type QuietHours = NonNullable<PolicyConfig["quietHours"]>;
export type JourneyPolicy = z.output<typeof journeyPolicySchema>;
export type JourneyCap = JourneyPolicy["caps"][number];

/** A policy configuration that does not fit its schema. */
export class InvalidPolicyError extends NudgeError {}

function parseOrThrow<T extends z.ZodMiniType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  throw new InvalidPolicyError(`${what}: ${problems.join("; ")}`);
}

/** The platform policy configuration with defaults filled in, or an InvalidPolicyError naming every problem. */
export function parsePolicyConfig(input: unknown): PolicyConfig {
  return parseOrThrow(policyConfigSchema, input, "policy configuration");
}

/** A journey's policy choices with defaults filled in, or an InvalidPolicyError naming every problem. */
export function parseJourneyPolicy(input: unknown): JourneyPolicy {
  return parseOrThrow(journeyPolicySchema, input, "journey policy");
}
