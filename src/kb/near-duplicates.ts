import { searchTerms } from './text.ts';

/** Two articles at or above this cosine similarity are listed as near-duplicates (see docs/kb.md). */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.6;

export interface NearDuplicate {
  a: string;
  b: string;
  /** Cosine similarity of the two articles' TF-IDF vectors, 0..1. */
  similarity: number;
}

/**
 * Pairs of articles that say nearly the same thing: cosine similarity of TF-IDF vectors (stemmed words, stop
 * words out, sublinear term frequency, IDF over these articles), so reworded copies are caught as well as
 * pasted ones. All pairs are compared: fine for the hundreds of articles a help centre has.
 *
 * @example
 * nearDuplicates([{ id: 'returns', text: '...' }, { id: 'returns-old', text: '...' }]);
 * // [{ a: 'returns', b: 'returns-old', similarity: 0.83 }]
 */
export function nearDuplicates(
  articles: readonly { id: string; text: string }[],
  threshold: number = DEFAULT_DUPLICATE_THRESHOLD,
): NearDuplicate[] {
  const tfs = articles.map((a) => {
    const tf = new Map<string, number>();
    for (const term of searchTerms(a.text)) tf.set(term, (tf.get(term) ?? 0) + 1);
    return tf;
  });
  const df = new Map<string, number>();
  for (const tf of tfs) for (const term of tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const n = articles.length;
  const vectors = tfs.map((tf) => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [term, count] of tf) {
      const w = (1 + Math.log(count)) * Math.log((1 + n) / (1 + df.get(term)!)) + 1e-9;
      v.set(term, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, w] of v) v.set(term, w / norm);
    return v;
  });
  const out: NearDuplicate[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const [small, large] =
        vectors[i]!.size <= vectors[j]!.size ? [vectors[i]!, vectors[j]!] : [vectors[j]!, vectors[i]!];
      let dot = 0;
      for (const [term, w] of small) dot += w * (large.get(term) ?? 0);
      if (dot >= threshold) {
        out.push({ a: articles[i]!.id, b: articles[j]!.id, similarity: Math.round(dot * 1000) / 1000 });
      }
    }
  }
  return out.sort((x, y) => y.similarity - x.similarity);
}
