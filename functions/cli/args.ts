import { didYouMean } from "../journey/checks/common.ts";
import { NudgeError } from "../shared/errors.ts";

/** A command-line usage problem: the command prints it with its usage and exits 2. */
export class UsageError extends NudgeError {}

/**
 * Parses `--name value` and `--flag` options plus positional arguments, rejecting unknown options so
 * a typo never silently falls back to a default.
 */
export function parseArgs(
  args: readonly string[],
  spec: { values?: readonly string[]; flags?: readonly string[] },
): { values: Map<string, string>; flags: Set<string>; positional: string[] } {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (spec.flags?.includes(name)) {
      flags.add(name);
    } else if (spec.values?.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      values.set(name, value);
    } else {
      const known = [...(spec.flags ?? []), ...(spec.values ?? [])];
      throw new UsageError(`unknown option --${name}${didYouMean(name, known)}`);
    }
  }
  return { values, flags, positional };
}

/** `--format text|json` (default text), or a UsageError naming what was given. */
/** A count option (`--max`, `--limit`): a whole number of 1 or more, `byDefault` when not given. */
export function countOption(values: Map<string, string>, name: string, byDefault: number): number {
  const text = values.get(name);
  if (text === undefined) return byDefault;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(`--${name}: expected a whole number of 1 or more, got "${text}"`);
  return count;
}

export function formatOption(values: Map<string, string>): "text" | "json" {
  const format = values.get("format") ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format: expected text or json, got "${format}"`);
  return format;
}

/** A number option within [min, max], or undefined when not given. */
export function numberOption(values: Map<string, string>, name: string, min: number, max: number) {
  const text = values.get(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name}: expected a number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
