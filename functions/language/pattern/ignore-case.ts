/**
 * Case-insensitive comparison for equals-ignore-case, prefix/suffix {"equals-ignore-case"} and anything-but
 * {"equals-ignore-case"}. EventBridge documents only "regardless of case"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html), so this follows
 * Event Ruler, its engine: each character of the pattern stands for its own lower-case or its own upper-case
 * form (full Unicode mappings, no locale), and the event's value is compared as written. So "ß" matches "ß" and
 * "SS" but not "ss", "ǆ" matches "Ǆ" but not the title-case "ǅ", and "İ" matches "İ" and "i̇" but not "i".
 * Unlike Event Ruler, which treats the two UTF-16 halves of a character beyond U+FFFF apart (so such a character
 * matches nothing), a character is a code point here. See docs/patterns.md.
 */

/** Where the pattern must sit in a value. */
export type Anchoring = "whole" | "start" | "end";

function literal(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

/** The regular-expression source for one pattern: per character, its lower-case or its upper-case form. */
function spellings(pattern: string): string {
  let source = "";
  for (const char of pattern) {
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    source += lower === upper ? literal(lower) : `(?:${literal(lower)}|${literal(upper)})`;
  }
  return source;
}

/** A test of a string against any of the patterns, ignoring case as EventBridge does. */
export function ignoreCaseTest(patterns: readonly string[], anchoring: Anchoring): (value: string) => boolean {
  const alternatives = patterns.map(spellings).join("|");
  const start = anchoring === "end" ? "" : "^";
  const end = anchoring === "start" ? "" : "$";
  // The u flag makes "." and classes work per code point; no i flag: the alternatives spell out the cases.
  const regex = new RegExp(`${start}(?:${alternatives})${end}`, "u");
  return (value) => regex.test(value);
}
