import * as z from "zod";
import { traitsFileSchema } from "../engine/traits/config.ts";
import { journeySchema } from "../language/schema.ts";
import { templateFileSchema } from "./template-file.ts";

/**
 * The JSON Schemas of journey files and template files, generated from the zod schema so the two never disagree. It describes
 * the input side: fields with defaults are optional for authors. Written to `journeys/journey.schema.json`
 * by `nudge schema --write` (`npm run schema`); each journey points its `$schema` at it for editor help. The
 * template files' schema goes beside it, `journeys/template.schema.json`, for `journeys/templates/*.json`.
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

export const TEMPLATE_SCHEMA_FILE = "journeys/template.schema.json";

export function templateJsonSchema(): object {
  const generated = z.toJSONSchema(templateFileSchema, { io: "input", target: "draft-2020-12" });
  const { $schema: _schema, description: _description, ...rest } = generated;
  // The zod schema checks the locales' order in code, which JSON Schema cannot say; it can say both are there.
  const locales = (rest.properties as Record<string, Record<string, unknown>> | undefined)?.locales;
  if (locales !== undefined) locales.required = ["zh-CN", "en"];
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "urn:nudge:template.schema.json",
    title: "Nudge message template",
    description:
      "A Nudge message template, journeys/templates/<id>.json: a title (optional) and a body per locale, in Liquid, zh-CN first and en second. Placeholders are checked against each journey that sends it by `nudge validate`.",
    ...rest,
  };
}

/** The template schema file's text: 2-space JSON and a final newline. */
export function templateJsonSchemaText(): string {
  return `${JSON.stringify(templateJsonSchema(), null, 2)}\n`;
}

export const TRAITS_SCHEMA_FILE = "journeys/traits.schema.json";

/** The traits file's JSON Schema, for editors (`journeys/traits.json` points its `$schema` at it). */
export function traitsJsonSchema(): object {
  const generated = z.toJSONSchema(traitsFileSchema as unknown as z.ZodType, { io: "input", target: "draft-2020-12" });
  const { $schema: _schema, description: _description, ...rest } = generated;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "urn:nudge:traits.schema.json",
    title: "Nudge computed traits",
    description:
      "The platform's computed traits, journeys/traits.json: per-user values Nudge keeps from events, read as profile.traits.<name>. What traits read, and loops, are checked by `nudge validate`.",
    ...rest,
  };
}

/** The traits schema file's text: 2-space JSON and a final newline. */
export function traitsJsonSchemaText(): string {
  return `${JSON.stringify(traitsJsonSchema(), null, 2)}\n`;
}
