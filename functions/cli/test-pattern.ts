/**
 * `nudge test-pattern --pattern <json|file> --event <json|file>`: does the EventBridge pattern match the event?
 * Prints `true` or `false` and exits 0; a pattern EventBridge would reject fails the check (stderr, exit 1); an
 * argument that cannot be read is a usage problem (stderr, exit 2).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { compilePattern } from "../language/pattern/index.ts";
import { InvalidPatternError } from "../shared/errors.ts";
import { UsageError } from "./args.ts";
import { type CliIo, type Command, ExitCode } from "./io.ts";
import { parseCommandArgs, synopsis } from "./usage.ts";

type Name = "pattern" | "event";

function parsePatternArgs(args: readonly string[]): Record<Name, string> {
  const { values, positional } = parseCommandArgs("test-pattern", args);
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const given = { pattern: values.get("pattern"), event: values.get("event") };
  for (const name of ["pattern", "event"] as const) {
    if (given[name] === undefined) throw new UsageError(`missing --${name} <json|file>`);
  }
  return given as Record<Name, string>;
}

/** Inline JSON when the argument starts like a JSON object or array, otherwise a file path relative to cwd. */
async function load(name: Name, argument: string, cwd: string): Promise<unknown> {
  const inline = /^\s*[[{]/.test(argument);
  let text = argument;
  if (!inline) {
    const path = resolve(cwd, argument);
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      const reason = error instanceof Error && "code" in error ? String(error.code) : String(error);
      throw new UsageError(`--${name}: cannot read file ${path} (${reason})`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = inline ? "inline value" : `file ${resolve(cwd, argument)}`;
    throw new UsageError(`--${name}: ${where} is not valid JSON (${error instanceof Error ? error.message : error})`);
  }
}

export const testPatternCommand: Command = async (args: string[], io: CliIo): Promise<number> => {
  try {
    const parsed = parsePatternArgs(args);
    const pattern = await load("pattern", parsed.pattern, io.cwd);
    const event = await load("event", parsed.event, io.cwd);
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
      throw new UsageError("--event: must be a JSON object");
    }
    const compiled = compilePattern(pattern);
    io.stdout(String(compiled.matches(event)));
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof InvalidPatternError) {
      io.stderr(`invalid pattern: ${error.message}`);
      return ExitCode.failed;
    }
    if (error instanceof UsageError) {
      io.stderr(`nudge test-pattern: ${error.message}\nUsage: ${synopsis("test-pattern")}`);
      return ExitCode.usage;
    }
    throw error;
  }
};
