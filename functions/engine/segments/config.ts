/**
 * A segment, `journeys/segments/<id>.json`: a named condition over the user's profile (an EventBridge
 * pattern over `{profile}`, traits, consent and segments included), whose members Nudge keeps live.
 * zod/mini, as this module goes into the Lambda bundles (embedded with the traits: ../traits/config.ts).
 */
import * as z from "zod/mini";

export const segmentId = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "expected a kebab-case segment id such as at-risk"));

export const segmentFileSchema = z.strictObject({
  /** The editor's JSON Schema reference; ignored. */
  $schema: z.optional(z.string()),
  id: segmentId,
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  /** An EventBridge pattern over `{profile}` (checked as EventBridge would by the loader). */
  condition: z.record(z.string(), z.unknown()),
});

export type SegmentDefinition = z.output<typeof segmentFileSchema>;
