import { cosine, searchTerms, type TermVector } from '../kb/index.ts';

/**
 * TF-IDF vectors of answers over a fixed corpus, compared by cosine (`cosine` of src/kb): the knowledge base's
 * terms (`searchTerms`: words folded, stop words and anything with a digit out, Porter stems), sublinear term
 * frequency, and the smoothed IDF `ln((1 + n) / (1 + df)) + 1`.
 *
 * Why not src/kb's `tfidfVectors`: its IDF has no `+ 1`, so a term every text of the corpus shares weighs
 * nothing. That is right for telling articles apart, wrong here: a workflow with one reply line would match
 * nothing, and eight replies that all say "refund ... 5 working days" would look different because what they
 * share counts for 0. With `+ 1` a shared term still weighs 1, rarer ones more.
 *
 * @example
 * const space = answerSpace(['Your refund is on its way', 'Your order has shipped']);
 * space.similarity(space.vectorOf('The refund is on its way to you'), space.vectors[0]); // 1: the same terms
 * space.similarity(space.vectorOf('Your refund was sent'), space.vectors[0]); // 0.39
 */
export function answerSpace(corpus: readonly string[]): {
  vectors: TermVector[];
  vectorOf(text: string): TermVector;
  similarity(a: TermVector, b: TermVector): number;
} {
  const tfs = corpus.map(termFrequencies);
  const df = new Map<string, number>();
  for (const tf of tfs) for (const term of tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const n = corpus.length;
  const weigh = (tf: Map<string, number>): TermVector => {
    const v: TermVector = new Map();
    let norm = 0;
    for (const [term, count] of tf) {
      const w = (1 + Math.log(count)) * (Math.log((1 + n) / (1 + (df.get(term) ?? 0))) + 1);
      v.set(term, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, w] of v) v.set(term, w / norm);
    return v;
  };
  return {
    vectors: tfs.map(weigh),
    vectorOf: (text) => weigh(termFrequencies(text)),
    similarity: cosine,
  };
}

/** How many distinct terms a text has once stop words, numbers and repeats are out. */
export function termCount(text: string): number {
  return new Set(searchTerms(text)).size;
}

function termFrequencies(text: string): Map<string, number> {
  const tf = new Map<string, number>();
  for (const term of searchTerms(text)) tf.set(term, (tf.get(term) ?? 0) + 1);
  return tf;
}
