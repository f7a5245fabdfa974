import * as z from "zod";
import { segmentFileSchema } from "../engine/segments/config.ts";
import { traitsFileSchema } from "../engine/traits/config.ts";
import { journeySchema } from "../language/schema.ts";
import { templateFileSchema } from "./template-file.ts";
import { journeyTestFileSchema } from "./test-file.ts";

/**
 * The JSON Schemas of journey, template and traits files, generated from the zod schemas so they never
 * disagree. They describe the input side: fields with defaults are optional for authors. Written to journeys/
 * by `nudge schema --write` (`npm run schema`): `journey.schema.json`, which each journey points its `$schema`
 * at for editor help, `template.schema.json` for `journeys/templates/*.json`, `traits.schema.json` for
 * `journeys/traits.json`.
 */

export const JOURNEY_SCHEMA_FILE = "journeys/journey.schema.json";
export const TEMPLATE_SCHEMA_FILE = "journeys/template.schema.json";
export const TRAITS_SCHEMA_FILE = "journeys/traits.schema.json";
export const SEGMENT_SCHEMA_FILE = "journeys/segment.schema.json";
export const JOURNEY_TEST_SCHEMA_FILE = "journeys/journey-test.schema.json";

/** A schema generated from zod for authors (the input side), under Nudge's own header. */
function editorSchema(
  schema: z.ZodType,
  header: { id: string; title: string; description: string },
  adjust?: (generated: Record<string, unknown>) => void,
): object {
  const generated = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  adjust?.(generated);
  // Ours first and in this order; zod's own `$schema` and `description` are replaced.
  const { $schema: _schema, description: _description, ...rest } = generated;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `urn:nudge:${header.id}`,
    title: header.title,
    description: header.description,
    ...rest,
  };
}

/** A schema file's text: 2-space JSON and a final newline. */
const schemaText = (schema: object) => `${JSON.stringify(schema, null, 2)}\n`;

export function journeyJsonSchema(): object {
  return editorSchema(journeySchema, {
    id: "journey.schema.json",
    title: "Nudge journey",
    description:
      "A Nudge journey: who enters, the steps they go through, and what counts as success. Graph rules (step links, reachability, loops, event types, placeholders) are checked by `nudge validate`.",
  });
}

export const journeyJsonSchemaText = () => schemaText(journeyJsonSchema());

export function templateJsonSchema(): object {
  return editorSchema(
    templateFileSchema,
    {
      id: "template.schema.json",
      title: "Nudge message template",
      description:
        "A Nudge message template, journeys/templates/<id>.json: a title (optional) and a body per locale, in Liquid, zh-CN first and en second. Placeholders are checked against each journey that sends it by `nudge validate`.",
    },
    (generated) => {
      // The zod schema checks the locales' order in code, which JSON Schema cannot say; it can say both are there.
      const locales = (generated.properties as Record<string, Record<string, unknown>> | undefined)?.locales;
      if (locales !== undefined) locales.required = ["zh-CN", "en"];
    },
  );
}

export const templateJsonSchemaText = () => schemaText(templateJsonSchema());

/** The traits file's JSON Schema, for editors (`journeys/traits.json` points its `$schema` at it). */
export function traitsJsonSchema(): object {
  return editorSchema(traitsFileSchema as unknown as z.ZodType, {
    id: "traits.schema.json",
    title: "Nudge computed traits",
    description:
      "The platform's computed traits, journeys/traits.json: per-user values Nudge keeps from events, read as profile.traits.<name>. What traits read, and loops, are checked by `nudge validate`.",
  });
}

export const traitsJsonSchemaText = () => schemaText(traitsJsonSchema());

/** A segment file's JSON Schema, for editors (`journeys/segments/<id>.json` point their `$schema` at it). */
export function segmentJsonSchema(): object {
  return editorSchema(segmentFileSchema as unknown as z.ZodType, {
    id: "segment.schema.json",
    title: "Nudge segment",
    description:
      "A segment, journeys/segments/<id>.json: a named condition over the user's profile (an EventBridge pattern over {profile}, traits, consent and segments included). Members are kept live; entering and leaving publish segment.entered / segment.exited. The pattern and the traits it reads are checked by `nudge validate`.",
  });
}

export const segmentJsonSchemaText = () => schemaText(segmentJsonSchema());

/** A journey test file's JSON Schema, for editors (`journeys/tests/*.json` point their `$schema` at it). */
export function journeyTestJsonSchema(): object {
  return editorSchema(journeyTestFileSchema, {
    id: "journey-test.schema.json",
    title: "Nudge journey test",
    description:
      "A journey test, journeys/tests/<name>.json: given the shop's events (times after the start, users by name), the lines expected of a journey on the virtual clock, and the lines it must not produce. Run by `nudge test`.",
  });
}

export const journeyTestJsonSchemaText = () => schemaText(journeyTestJsonSchema());
