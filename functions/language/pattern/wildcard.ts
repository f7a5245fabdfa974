/**
 * EventBridge wildcard values: `*` matches any run of characters (including none), `\*` is a literal asterisk,
 * `\\` a literal backslash. Two wildcards in a row and any other escape are invalid.
 */

/** A wildcard split on its wildcards: `a*b*c` is ["a", "b", "c"]; a value without wildcard has one part. */
export type WildcardParts = readonly string[];

/** Parses a wildcard value; returns its parts, or the problem as a message. */
export function parseWildcard(value: string): WildcardParts | string {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === "*") {
      if (value[i + 1] === "*") return `consecutive wildcard characters at position ${i} are not allowed`;
      parts.push(current);
      current = "";
    } else if (char === "\\") {
      const next = value[i + 1];
      if (next !== "*" && next !== "\\") {
        return `invalid escape at position ${i}: a backslash may only escape "*" or "\\"`;
      }
      current += next;
      i++;
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/** Does `text` match the wildcard? Linear in practice: the middle parts are found leftmost-first. */
export function matchWildcard(parts: WildcardParts, text: string): boolean {
  const last = parts.length - 1;
  const first = parts[0] ?? "";
  if (last === 0) return text === first;
  const end = parts[last] ?? "";
  if (text.length < first.length + end.length || !text.startsWith(first) || !text.endsWith(end)) return false;
  let from = first.length;
  const limit = text.length - end.length;
  for (let i = 1; i < last; i++) {
    const part = parts[i] ?? "";
    const at = text.indexOf(part, from);
    if (at < 0 || at + part.length > limit) return false;
    from = at + part.length;
  }
  return true;
}
