import * as z from "zod";
import { journeySchema } from "./schema.ts";

/**
 * The JSON Schema of journey files, generated from the zod schema so the two never disagree. It describes
 * the input side: fields with defaults are optional for authors. Written to `journeys/journey.schema.json`
 * by `nudge schema --write` (`npm run schema`); each journey points its `$schema` at it for editor help.
 */

export const JOURNEY_SCHEMA_FILE = "journeys/journey.schema.json";

export function journeyJsonSchema(): object {
  const generated = z.toJSONSchema(journeySchema, { io: "input", target: "draft-2020-12" });
  // Ours first and in this order; zod's own `$schema` and `description` are replaced.
  const { $schema: _schema, description: _description, ...rest } = generated;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "urn:nudge:journey.schema.json",
    title: "Nudge journey",
    description:
      "A Nudge journey: who enters, the steps they go through, and what counts as success. Graph rules (step links, reachability, loops, event types, placeholders) are checked by `nudge validate`.",
    ...rest,
  };
}

/** The schema file's text: 2-space JSON and a final newline. */
export function journeyJsonSchemaText(): string {
  return `${JSON.stringify(journeyJsonSchema(), null, 2)}\n`;
}
