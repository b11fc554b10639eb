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
  const vectors = tfidfVectors(articles.map((a) => a.text));
  const n = articles.length;
  const out: NearDuplicate[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dot = cosine(vectors[i]!, vectors[j]!);
      if (dot >= threshold) {
        out.push({ a: articles[i]!.id, b: articles[j]!.id, similarity: Math.round(dot * 1000) / 1000 });
      }
    }
  }
  return out.sort((x, y) => y.similarity - x.similarity);
}

/** A text as unit-length TF-IDF weights of its stemmed terms. */
export type TermVector = Map<string, number>;

/**
 * Unit-length TF-IDF vectors of texts (stemmed words, stop words out, sublinear term frequency, smoothed IDF
 * over these texts); `vectorOf` turns another text into a vector with the same IDF.
 */
export function tfidfVectors(
  texts: readonly string[],
): TermVector[] & { vectorOf(text: string): TermVector } {
  const tfs = texts.map(termFrequencies);
  const df = new Map<string, number>();
  for (const tf of tfs) for (const term of tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const n = texts.length;
  const weigh = (tf: Map<string, number>): TermVector => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [term, count] of tf) {
      const w = (1 + Math.log(count)) * Math.log((1 + n) / (1 + (df.get(term) ?? 0))) + 1e-9;
      v.set(term, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, w] of v) v.set(term, w / norm);
    return v;
  };
  return Object.assign(tfs.map(weigh), { vectorOf: (text: string) => weigh(termFrequencies(text)) });
}

/** Cosine similarity of two unit vectors. */
export function cosine(a: TermVector, b: TermVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, w] of small) dot += w * (large.get(term) ?? 0);
  return dot;
}

function termFrequencies(text: string): Map<string, number> {
  const tf = new Map<string, number>();
  for (const term of searchTerms(text)) tf.set(term, (tf.get(term) ?? 0) + 1);
  return tf;
}
