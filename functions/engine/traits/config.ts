/**
 * The computed traits file, `journeys/traits.json`: per-user values Nudge maintains from events, read as
 * `profile.traits.<name>`. zod/mini, as this module goes into the Lambda bundles; the engine imports the
 * types. Each kind is a strict object (an unknown key is a typo, refused with its path).
 */
import * as z from "zod/mini";
import { NudgeError } from "../../shared/errors.ts";
import { parseDuration } from "../../shared/time.ts";
import type { SegmentDefinition } from "../segments/config.ts";

const traitName = z
  .string()
  .check(z.regex(/^[a-z][A-Za-z0-9]*$/, "expected a camelCase name such as spend365d (letters and digits)"));
const detailType = z.string().check(z.minLength(1));
const field = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a detail field name such as amount"));
const window = z
  .string()
  .check(z.refine((text) => (parseDuration(text) ?? 0) > 0, "expected a positive ISO-8601 duration such as P90D"));
/** An EventBridge pattern over the whole event (`{"detail": {"photoCount": [{"numeric": [">=", 1]}]}}`). */
const where = z.record(z.string(), z.unknown());

/**
 * An aggregate of one event type: `count` events (or, `per: "day"`, the user's calendar days that have
 * one), `sum` a detail field (less `subtract`, e.g. refunds), `min`/`max` of a field, `first`/`last` time;
 * over all time, or a rolling `window`.
 */
const aggregate = z.strictObject({
  kind: z.enum(["count", "sum", "min", "max", "first", "last"]),
  event: detailType,
  where: z.optional(where),
  field: z.optional(field),
  per: z.optional(z.literal("day")),
  subtract: z.optional(z.strictObject({ event: detailType, field })),
  window: z.optional(window),
});

/** Consecutive calendar days, in the user's own time zone, with an event; `today` names the flag trait. */
const streak = z.strictObject({ kind: z.literal("streak"), event: detailType, today: z.optional(traitName) });

/** A weighted sum of other traits, with named tiers (each from its threshold up) as the trait `tiers.trait`. */
const score = z.strictObject({
  kind: z.literal("score"),
  terms: z.array(z.strictObject({ trait: traitName, weight: z.number() })).check(z.minLength(1)),
  tiers: z.optional(
    z.strictObject({
      trait: traitName,
      levels: z
        .array(z.strictObject({ name: z.string().check(z.minLength(1)), from: z.number() }))
        .check(z.minLength(1)),
    }),
  ),
});

const range = z.strictObject({ min: z.optional(z.int()), max: z.optional(z.int()) });

/**
 * RFM: recency scored by days since a time trait (`atMostDays`, the first that holds), frequency and
 * monetary by a number trait (`atLeast`, the first that holds; `above` for a strict bound), 1-5; the named
 * group is the first of `groups` whose ranges hold (trait `group`), none for a user with no recency.
 */
const bound = z.strictObject({
  score: z.int().check(z.gte(1), z.lte(5)),
  atLeast: z.optional(z.number()),
  above: z.optional(z.number()),
});
const rfm = z.strictObject({
  kind: z.literal("rfm"),
  recency: z.strictObject({
    trait: traitName,
    scores: z.array(z.strictObject({ score: z.int().check(z.gte(1), z.lte(5)), atMostDays: z.number() })),
    otherwise: z.int().check(z.gte(1), z.lte(5)),
  }),
  frequency: z.strictObject({ trait: traitName, scores: z.array(bound) }),
  monetary: z.strictObject({ trait: traitName, scores: z.array(bound) }),
  group: traitName,
  groups: z.array(
    z.strictObject({
      name: z.string().check(z.minLength(1)),
      r: z.optional(range),
      f: z.optional(range),
      m: z.optional(range),
    }),
  ),
});

export const traitSchema = z.discriminatedUnion("kind", [aggregate, streak, score, rfm]);

export const traitsFileSchema = z.strictObject({
  /** The editor's JSON Schema reference; ignored. */
  $schema: z.optional(z.string()),
  traits: z.record(traitName, traitSchema),
});

/**
 * The traits file as the platform runs it: with the segments (journeys/segments/*.json, by id) beside it,
 * which read the traits and ride with them into every bundle (../segments/config.ts).
 */
export type TraitsFile = z.output<typeof traitsFileSchema> & { segments?: Readonly<Record<string, SegmentDefinition>> };
export type TraitDefinition = z.output<typeof traitSchema>;
export type AggregateTrait = Extract<TraitDefinition, { kind: "count" | "sum" | "min" | "max" | "first" | "last" }>;
export type StreakTrait = Extract<TraitDefinition, { kind: "streak" }>;
export type ScoreTrait = Extract<TraitDefinition, { kind: "score" }>;
export type RfmTrait = Extract<TraitDefinition, { kind: "rfm" }>;

/** A problem of the file beyond its shape: at a JSON path, in words. */
export interface TraitProblem {
  path: string;
  message: string;
}

/** The names a trait defines: its own, and its flag (`today`), tier or group trait. */
export function namesOf(name: string, trait: TraitDefinition): string[] {
  if (trait.kind === "streak") return trait.today ? [name, trait.today] : [name];
  if (trait.kind === "score") return trait.tiers ? [name, trait.tiers.trait] : [name];
  if (trait.kind === "rfm") return [name, trait.group];
  return [name];
}

/** The defining trait of every name a trait defines (`growthTier` → `growthValue`). */
export function ownersOf(file: TraitsFile): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [name, trait] of Object.entries(file.traits))
    for (const defines of namesOf(name, trait)) owners.set(defines, name);
  return owners;
}

type TierLevels = NonNullable<ScoreTrait["tiers"]>["levels"];
const sortedTiers = new WeakMap<TierLevels, TierLevels>();

/** A score's tiers, lowest first, sorted once per file (a decision and a review read them). */
export function tierLevels(tiers: NonNullable<ScoreTrait["tiers"]>): TierLevels {
  let levels = sortedTiers.get(tiers.levels);
  if (levels === undefined) {
    levels = [...tiers.levels].sort((a, b) => a.from - b.from);
    sortedTiers.set(tiers.levels, levels);
  }
  return levels;
}

/** The traits a trait reads. */
export function readsOf(trait: TraitDefinition): string[] {
  if (trait.kind === "score") return trait.terms.map((term) => term.trait);
  if (trait.kind === "rfm") return [trait.recency.trait, trait.frequency.trait, trait.monetary.trait];
  return [];
}

/**
 * What the shape cannot say: a field for `sum`/`min`/`max`, `per` only on `count`, names defined once,
 * every trait a score or RFM reads defined, and no loop among them.
 */
export function traitProblems(file: TraitsFile): TraitProblem[] {
  const problems: TraitProblem[] = [];
  const defined = new Map<string, string>();
  for (const [name, trait] of Object.entries(file.traits)) {
    const at = `traits.${name}`;
    if ((trait.kind === "sum" || trait.kind === "min" || trait.kind === "max") && trait.field === undefined)
      problems.push({ path: at, message: `a ${trait.kind} needs the detail field it adds up: "field"` });
    if ("per" in trait && trait.per !== undefined && trait.kind !== "count")
      problems.push({ path: `${at}.per`, message: `"per" counts days, so only a count has it` });
    if ("subtract" in trait && trait.subtract !== undefined && trait.kind !== "sum")
      problems.push({ path: `${at}.subtract`, message: `only a sum subtracts` });
    for (const defines of namesOf(name, trait)) {
      const other = defined.get(defines);
      if (other !== undefined) problems.push({ path: at, message: `"${defines}" is defined by ${other} too` });
      else defined.set(defines, at);
    }
  }
  for (const [name, trait] of Object.entries(file.traits))
    for (const read of readsOf(trait))
      if (!defined.has(read))
        problems.push({ path: `traits.${name}`, message: `reads "${read}", which no trait defines` });
  const loop = loopOf(file);
  if (loop !== undefined)
    problems.push({ path: `traits.${loop[0]}`, message: `traits read each other in a loop: ${loop.join(" → ")}` });
  return problems;
}

/** A loop among the traits that read others (names of the defining traits), if any. */
function loopOf(file: TraitsFile): string[] | undefined {
  const owner = ownersOf(file);
  const state = new Map<string, "open" | "done">();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "open") return [...path.slice(path.indexOf(name)), name];
    state.set(name, "open");
    const trait = file.traits[name];
    for (const read of trait ? readsOf(trait) : []) {
      const next = owner.get(read);
      const loop = next === undefined ? undefined : visit(next, [...path, name]);
      if (loop !== undefined) return loop;
    }
    state.set(name, "done");
    return undefined;
  };
  for (const name of Object.keys(file.traits)) {
    const loop = visit(name, []);
    if (loop !== undefined) return loop;
  }
  return undefined;
}

/** The traits file checked in full; a NudgeError naming every problem. */
export function parseTraitsFile(raw: unknown): TraitsFile {
  const file = traitsFileSchema.parse(raw);
  const problems = traitProblems(file);
  if (problems.length > 0) throw new NudgeError(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return file;
}
