/**
 * `nudge schema [--write]`: the JSON Schema of journey files, generated from the zod schema. Printed, or with
 * `--write` written to journeys/journey.schema.json, where the journeys' `$schema` points editors at it.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { JOURNEY_SCHEMA_FILE, journeyJsonSchemaText } from "../journey/json-schema.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CliIo, ExitCode } from "./io.ts";

export async function schemaCommand(args: string[], io: CliIo): Promise<number> {
  const { flags, positional } = parseArgs(args, { flags: ["write"] });
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const text = journeyJsonSchemaText();
  if (!flags.has("write")) {
    io.stdout(text.trimEnd());
    return ExitCode.ok;
  }
  const path = resolve(io.cwd, JOURNEY_SCHEMA_FILE);
  await writeFile(path, text).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot write ${path}: ${error.code ?? error.message}`);
  });
  io.stdout(`wrote ${JOURNEY_SCHEMA_FILE}`);
  return ExitCode.ok;
}
