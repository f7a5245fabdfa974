/** Words for problem messages: quoting, lists, and "did you mean" for a likely typo. */

export function quote(text: string): string {
  return JSON.stringify(text);
}

/** `a, b, c`, or the fallback when there is nothing to list. */
export function listOf(items: Iterable<string>, none = "none"): string {
  const all = [...items];
  return all.length === 0 ? none : all.join(", ");
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate the word is likely a typo of, if one is close enough. */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  // Up to one edit per three characters, at most three: "welcom" -> "welcome", not "a" -> "b".
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (candidate !== word && d <= allowed && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` when one candidate is a likely typo of the word, else "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = closestMatch(word, candidates);
  return best === undefined ? "" : ` (did you mean ${quote(best)}?)`;
}
