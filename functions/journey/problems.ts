import type * as z from "zod";
import { fieldsAt } from "./schema-fields.ts";
import { didYouMean } from "./suggestions.ts";

/**
 * How the journey language reports what is wrong with a file (a journey or a template file): one problem per
 * thing, naming the file, where in it (a JSON path) and what. Shared by the journey and template loaders.
 */

/** One thing wrong with a journey or template file: which file, where in it (a JSON path), and what. */
export interface JourneyProblem {
  file: string;
  path: string;
  message: string;
}

export function formatProblem(problem: JourneyProblem): string {
  return problem.path === ""
    ? `${problem.file}: ${problem.message}`
    : `${problem.file}: ${problem.path}: ${problem.message}`;
}

/** `["steps", 2, "for"]` -> `steps[2].for` */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$-]*$/.test(segment))
      text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/**
 * What an issue says, with a "did you mean" where a value or a field name is a likely typo; `fieldsHere`
 * lists the fields the object at the issue's path may have, when known (fieldsAt).
 */
export function describeIssue(issue: z.core.$ZodIssue, fieldsHere: readonly string[] = []): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `required, expected ${issue.expected}`
        : `expected ${issue.expected}, got ${JSON.stringify(issue.input)}`;
    case "unrecognized_keys": {
      const names = issue.keys.map((k) => `"${k}"${didYouMean(k, fieldsHere)}`).join(", ");
      return `unknown ${issue.keys.length === 1 ? "field" : "fields"} ${names}`;
    }
    case "invalid_value": {
      const values = issue.values.filter((v): v is string => typeof v === "string");
      const given = (issue as { input?: unknown }).input;
      return typeof given === "string" && values.length === issue.values.length
        ? `expected one of ${values.map((v) => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(given)}${didYouMean(given, values)}`
        : issue.message;
    }
    case "invalid_union":
      return "note" in issue && issue.note === "No matching discriminator"
        ? `expected one of ${(issue as { options?: unknown[] }).options?.map((o) => JSON.stringify(o)).join(", ")}`
        : issue.message;
    default:
      return issue.message;
  }
}

/** Where a JSON syntax error is, as line:column, from the character offset Node reports. */
export function syntaxErrorLocation(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : "");
  if (match === null) return "";
  const before = text.slice(0, Number(match[1]));
  const line = before.split("\n").length;
  return ` at line ${line}, column ${before.length - before.lastIndexOf("\n")}`;
}

/** Parses a file's JSON text, or the problem that names where its syntax breaks. */
export function parseJsonText(text: string, file: string): { value: unknown } | { problem: JourneyProblem } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/ in JSON at position \d+.*$/, "") : String(error);
    return { problem: { file, path: "", message: `not valid JSON${syntaxErrorLocation(text, error)}: ${reason}` } };
  }
}

/** A schema's issues as problems of the file; with the schema and the input, unknown fields get suggestions. */
export function schemaProblems(
  file: string,
  error: { readonly issues: readonly z.core.$ZodIssue[] },
  checked?: { schema: z.core.$ZodType; input: unknown },
): JourneyProblem[] {
  return error.issues.map((issue) => {
    const fields =
      issue.code === "unrecognized_keys" && checked ? fieldsAt(checked.schema, checked.input, issue.path) : [];
    return { file, path: formatPath(issue.path), message: describeIssue(issue, fields) };
  });
}
