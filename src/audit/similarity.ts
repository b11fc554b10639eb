/** Word 3-shingles of a reply, lower-cased, with numbers masked so "order 123" and "order 456" compare equal. */
export function shingles(text: string, size = 3): Set<string> {
  const words = text
    .toLowerCase()
    .replace(/\d+/g, '0')
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean);
  const out = new Set<string>();
  if (words.length < size) {
    if (words.length) out.add(words.join(' '));
    return out;
  }
  for (let i = 0; i + size <= words.length; i++) out.add(words.slice(i, i + size).join(' '));
  return out;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const s of a) if (b.has(s)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Mean pairwise Jaccard similarity of word 3-shingles over a sample of replies: near 1 when agents send the
 * same script, near 0 when every reply is written for the case. Null with fewer than two replies.
 */
export function meanPairwiseSimilarity(texts: readonly string[]): number | null {
  if (texts.length < 2) return null;
  const sets = texts.map((t) => shingles(t));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      sum += jaccard(sets[i] as Set<string>, sets[j] as Set<string>);
      pairs++;
    }
  }
  return sum / pairs;
}
