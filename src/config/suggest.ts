// "Did you mean X?" for unknown keys: the closest known key by edit distance, if close enough.

/** Levenshtein distance with adjacent transpositions counted as one edit (Damerau, restricted). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key closest to `key` (ignoring case, `-` vs `_`), or null when none is plausibly meant. */
export function suggestKey(key: string, known: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/-/g, '_');
  const k = norm(key);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const dist = editDistance(k, norm(candidate));
    if (dist < bestDistance) {
      best = candidate;
      bestDistance = dist;
    }
  }
  // Allow about one edit per three characters, at least one: `instnaces` -> instances, not `foo` -> env.
  const limit = Math.max(1, Math.floor(k.length / 3));
  return best !== null && bestDistance <= limit ? best : null;
}
