/**
 * `nudge schema [--template] [--write]`: the JSON Schema of journey files (or, with `--template`, of template
 * files), generated from the zod schemas. Printed, or with `--write` all three written to journeys/ —
 * journey.schema.json, template.schema.json, traits.schema.json, segment.schema.json and journey-test.schema.json — where the
 * files' `$schema` points editors at them.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  JOURNEY_SCHEMA_FILE,
  JOURNEY_TEST_SCHEMA_FILE,
  journeyJsonSchemaText,
  journeyTestJsonSchemaText,
  SEGMENT_SCHEMA_FILE,
  segmentJsonSchemaText,
  TEMPLATE_SCHEMA_FILE,
  TRAITS_SCHEMA_FILE,
  templateJsonSchemaText,
  traitsJsonSchemaText,
} from "../journey/json-schema.ts";
import { UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";
import { parseCommandArgs } from "./usage.ts";

export async function schemaCommand(args: string[], io: CliIo): Promise<number> {
  const { flags, positional } = parseCommandArgs("schema", args);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  if (!flags.has("write")) {
    const text = flags.has("template") ? templateJsonSchemaText() : journeyJsonSchemaText();
    io.stdout(text.trimEnd());
    return ExitCode.ok;
  }
  // All, always: the journey and template schemas share definitions, so they change together.
  for (const [file, text] of [
    [JOURNEY_SCHEMA_FILE, journeyJsonSchemaText()],
    [TEMPLATE_SCHEMA_FILE, templateJsonSchemaText()],
    [TRAITS_SCHEMA_FILE, traitsJsonSchemaText()],
    [SEGMENT_SCHEMA_FILE, segmentJsonSchemaText()],
    [JOURNEY_TEST_SCHEMA_FILE, journeyTestJsonSchemaText()],
  ] as const) {
    const path = resolve(io.cwd, file);
    await writeFile(path, text).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot write ${path}: ${error.code ?? error.message}`);
    });
    io.stdout(`wrote ${file}`);
  }
  return ExitCode.ok;
}
