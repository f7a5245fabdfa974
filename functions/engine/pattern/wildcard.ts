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

/**
 * EventBridge rejects a rule whose wildcards on one field could keep too many partial matches alive at once
 * ("rule is too complex"). Following the complexity measure of AWS's event-ruler (the engine behind EventBridge):
 * the largest number of wildcard-pattern states a worst-case value can occupy simultaneously, counting a
 * wildcard state that is one step away as occupied too. Values are matched with their enclosing quotes.
 */
export const WILDCARD_COMPLEXITY_LIMIT = 10;

const STAR = -1;
const OTHER = -2;

export function wildcardComplexity(patterns: readonly WildcardParts[]): number {
  // Tokens per pattern: the quote, the characters (STAR for a wildcard), the closing quote.
  const tokens: number[][] = patterns.map((parts) => {
    const out = [34];
    parts.forEach((part, i) => {
      if (i > 0) out.push(STAR);
      for (let k = 0; k < part.length; k++) out.push(part.charCodeAt(k));
    });
    out.push(34);
    return out;
  });
  const alphabet = new Set<number>([OTHER]);
  for (const t of tokens) for (const c of t) if (c !== STAR) alphabet.add(c);

  // A state is (pattern, position): position k has consumed token k (or sits in the wildcard at k); -1 is the start.
  const encode = (p: number, k: number) => p * 1_000_003 + (k + 1);
  const decode = (s: number): [number, number] => [Math.floor(s / 1_000_003), (s % 1_000_003) - 1];

  const step = (states: readonly number[], c: number): number[] => {
    const out = new Set<number>();
    for (const s of states) {
      const [p, k] = decode(s);
      const t = tokens[p] ?? [];
      if (k >= 0 && t[k] === STAR) {
        out.add(s);
        if (t[k + 1] === c) out.add(encode(p, k + 1));
      }
      const n = k + 1;
      if (n < t.length) {
        if (t[n] === STAR) {
          out.add(encode(p, n));
          if (t[n + 1] === c) out.add(encode(p, n + 1));
        } else if (t[n] === c) {
          out.add(encode(p, n));
        }
      }
    }
    return [...out].sort((a, b) => a - b);
  };
  const size = (states: readonly number[]): number => {
    const set = new Set(states);
    let total = states.length;
    for (const s of states) {
      const [p, k] = decode(s);
      if (tokens[p]?.[k + 1] === STAR && !set.has(encode(p, k + 1))) total++;
    }
    return total;
  };

  let maximum = 0;
  const seen = new Set<string>();
  const pending: number[][] = [patterns.map((_, p) => encode(p, -1))];
  while (pending.length > 0) {
    const states = pending.pop() ?? [];
    for (const c of alphabet) {
      const next = step(states, c);
      if (next.length === 0) continue;
      const key = next.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      maximum = Math.max(maximum, size(next));
      if (maximum > WILDCARD_COMPLEXITY_LIMIT) return maximum;
      pending.push(next);
    }
  }
  return maximum;
}
