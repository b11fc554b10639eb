/**
 * Text -> sparse TF-IDF features: word 1-2-grams and character 3-5-grams taken inside word boundaries (the
 * char_wb analyser: each word is padded with one space on each side, so " card" and "card " keep the word
 * edges). Character n-grams give light typo robustness ("recieve" still shares most n-grams with "receive").
 *
 * @example
 * const v = fitVectoriser(['my card has not arrived', 'top up failed'], DEFAULT_FEATURE_SETTINGS);
 * const x = v.transform('my card never arrived'); // { indices: Int32Array, values: Float32Array }
 */
export interface FeatureSettings {
  /** Smallest and largest word n-gram. */
  wordNgrams: [number, number];
  /** Smallest and largest character n-gram (within word boundaries). */
  charNgrams: [number, number];
  /** Terms seen in fewer training texts are dropped (keeps the model small; singletons rarely generalise). */
  minDf: number;
  /** tf -> 1 + ln(tf): a word said twice is not twice the evidence. */
  sublinearTf: boolean;
  /**
   * IDF on the char block too (the word block always has it). The intent classifier turns it off (see
   * DEFAULT_TRAIN_OPTIONS in classifier.ts).
   */
  charIdf: boolean;
  /** Each block is L2-normalised, then scaled by its weight. */
  wordWeight: number;
  charWeight: number;
}

export const DEFAULT_FEATURE_SETTINGS: FeatureSettings = {
  wordNgrams: [1, 2],
  charNgrams: [3, 5],
  minDf: 2,
  sublinearTf: true,
  charIdf: true,
  wordWeight: 1,
  charWeight: 1,
};

export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** Rows of sparse vectors in compressed sparse row form. */
export interface SparseMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Words whose char features are cached; cleared when full (bounded memory on open-ended input). */
const CHAR_CACHE_LIMIT = 100_000;

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/g;
const EMAIL_RE = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
// Digits with separators (1,200.50 / 12/03/2024 / 10:30) become one token: the value rarely names the intent.
const NUMBER_RE = /\d+(?:[.,:/-]\d+)*/g;
const APOSTROPHE_RE = /(\p{L})['’‘`](\p{L})/gu;
/** The tokens `tokenise` puts in place of URLs, emails and numbers: they say what a text holds, not what it means. */
const PLACEHOLDERS = new Set(['_url_', '_email_', '_num_']);
const TOKEN_RE = /[\p{L}\p{N}_]+|[$€£¥₹]/gu;

/**
 * Lowercase, Unicode NFKC, numbers / URLs / emails replaced by placeholder tokens, apostrophes inside words
 * dropped ("don't" and "dont" become one word), then split into word tokens.
 */
export function tokenise(text: string): string[] {
  const normalised = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(URL_RE, ' _url_ ')
    .replace(EMAIL_RE, ' _email_ ')
    .replace(NUMBER_RE, ' _num_ ')
    .replace(APOSTROPHE_RE, '$1$2');
  return normalised.match(TOKEN_RE) ?? [];
}

/** Calls `visit` with each word n-gram of the tokens. */
export function forEachWordNgram(
  tokens: string[],
  range: [number, number],
  visit: (term: string) => void,
): void {
  const [lo, hi] = range;
  for (let n = lo; n <= hi; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      visit(n === 1 ? tokens[i]! : tokens.slice(i, i + n).join(' '));
    }
  }
}

/** Calls `visit` with each character n-gram of each space-padded token. */
export function forEachCharNgram(
  tokens: string[],
  range: [number, number],
  visit: (term: string) => void,
): void {
  const [lo, hi] = range;
  for (const token of tokens) {
    const padded = ` ${token} `;
    for (let n = lo; n <= hi; n++) {
      if (padded.length < n) break;
      for (let i = 0; i + n <= padded.length; i++) visit(padded.slice(i, i + n));
    }
  }
}

/** The fitted vocabulary and IDF weights: what a model file stores to rebuild the vectoriser. */
export interface VectoriserState {
  settings: FeatureSettings;
  wordTerms: string[];
  charTerms: string[];
  /** IDF per feature: the word terms first, then the char terms. */
  idf: Float32Array;
}

/** A text's word tokens: how many, how many are placeholders of numbers, URLs and emails, how many others are known. */
export interface WordCounts {
  tokens: number;
  placeholders: number;
  known: number;
}

export interface Vectoriser {
  readonly state: VectoriserState;
  readonly dimension: number;
  transform(text: string): SparseVector;
  /** The text's vector and what its word tokens are to the vocabulary, from one tokenisation. */
  read(text: string): { vector: SparseVector; words: WordCounts };
  transformAll(texts: readonly string[]): SparseMatrix;
}

/** Learns the vocabulary and IDF from training texts. */
export function fitVectoriser(texts: readonly string[], settings: FeatureSettings): Vectoriser {
  const wordDf = new Map<string, number>();
  const charDf = new Map<string, number>();
  for (const text of texts) {
    const tokens = tokenise(text);
    const seenWords = new Set<string>();
    forEachWordNgram(tokens, settings.wordNgrams, (t) => seenWords.add(t));
    for (const t of seenWords) wordDf.set(t, (wordDf.get(t) ?? 0) + 1);
    const seenChars = new Set<string>();
    forEachCharNgram(tokens, settings.charNgrams, (t) => seenChars.add(t));
    for (const t of seenChars) charDf.set(t, (charDf.get(t) ?? 0) + 1);
  }
  const keep = (df: Map<string, number>) =>
    [...df.entries()]
      .filter(([, n]) => n >= settings.minDf)
      .map(([t]) => t)
      .sort();
  const wordTerms = keep(wordDf);
  const charTerms = keep(charDf);
  const n = texts.length;
  const idf = new Float32Array(wordTerms.length + charTerms.length);
  wordTerms.forEach((t, i) => {
    idf[i] = Math.log((1 + n) / (1 + wordDf.get(t)!)) + 1;
  });
  charTerms.forEach((t, i) => {
    idf[wordTerms.length + i] = settings.charIdf ? Math.log((1 + n) / (1 + charDf.get(t)!)) + 1 : 1;
  });
  return vectoriserFromState({ settings, wordTerms, charTerms, idf });
}

/** Rebuilds a vectoriser from its stored state (a loaded model). */
export function vectoriserFromState(state: VectoriserState): Vectoriser {
  const { settings } = state;
  const wordIndex = new Map<string, number>(state.wordTerms.map((t, i) => [t, i]));
  const charOffset = state.wordTerms.length;
  const charIndex = new Map<string, number>(state.charTerms.map((t, i) => [t, charOffset + i]));
  const dimension = charOffset + state.charTerms.length;
  // Char n-grams never cross a word boundary, so a word's char features depend on the word alone: caching
  // them per word makes transform several times faster (support messages reuse a small vocabulary).
  const charCache = new Map<string, Int32Array>();
  const charFeaturesOf = (token: string): Int32Array => {
    let grams = charCache.get(token);
    if (grams) return grams;
    const found: number[] = [];
    forEachCharNgram([token], settings.charNgrams, (t) => {
      const index = charIndex.get(t);
      if (index !== undefined) found.push(index);
    });
    grams = Int32Array.from(found);
    if (charCache.size >= CHAR_CACHE_LIMIT) charCache.clear();
    charCache.set(token, grams);
    return grams;
  };
  // Scratch space reused across calls: counts per feature plus the list of features touched.
  const counts = new Float64Array(dimension);
  const touched = new Int32Array(4096);
  let touchedBuffer = touched;

  const vectorOf = (tokens: string[]): SparseVector => {
    let nTouched = 0;
    const add = (index: number | undefined) => {
      if (index === undefined) return;
      if (counts[index] === 0) {
        if (nTouched === touchedBuffer.length) {
          const bigger = new Int32Array(touchedBuffer.length * 2);
          bigger.set(touchedBuffer);
          touchedBuffer = bigger;
        }
        touchedBuffer[nTouched++] = index;
      }
      counts[index]! += 1;
    };
    forEachWordNgram(tokens, settings.wordNgrams, (t) => add(wordIndex.get(t)));
    const wordEnd = nTouched;
    for (const token of tokens) {
      const grams = charFeaturesOf(token);
      for (let i = 0; i < grams.length; i++) add(grams[i]);
    }
    const indices = touchedBuffer.slice(0, nTouched);
    const values = new Float32Array(nTouched);
    const weighBlock = (from: number, to: number, weight: number) => {
      let norm = 0;
      for (let i = from; i < to; i++) {
        const f = indices[i]!;
        const tf = counts[f]!;
        const v = (settings.sublinearTf ? 1 + Math.log(tf) : tf) * state.idf[f]!;
        values[i] = v;
        norm += v * v;
        counts[f] = 0;
      }
      const scale = norm > 0 ? weight / Math.sqrt(norm) : 0;
      for (let i = from; i < to; i++) values[i]! *= scale;
    };
    weighBlock(0, wordEnd, settings.wordWeight);
    weighBlock(wordEnd, nTouched, settings.charWeight);
    return { indices, values };
  };

  const transform = (text: string): SparseVector => vectorOf(tokenise(text));
  const wordCounts = (tokens: readonly string[]): WordCounts => {
    let placeholders = 0;
    let known = 0;
    for (const t of tokens) {
      if (PLACEHOLDERS.has(t)) placeholders++;
      else if (wordIndex.has(t)) known++;
    }
    return { tokens: tokens.length, placeholders, known };
  };

  return {
    state,
    dimension,
    transform,
    read: (text) => {
      const tokens = tokenise(text);
      return { vector: vectorOf(tokens), words: wordCounts(tokens) };
    },
    transformAll: (texts) => toSparseMatrix(texts.map(transform), dimension),
  };
}

export function toSparseMatrix(rows: readonly SparseVector[], cols: number): SparseMatrix {
  const indptr = new Int32Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) indptr[i + 1] = indptr[i]! + rows[i]!.indices.length;
  const nnz = indptr[rows.length]!;
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  rows.forEach((row, i) => {
    indices.set(row.indices, indptr[i]!);
    values.set(row.values, indptr[i]!);
  });
  return { rows: rows.length, cols, indptr, indices, values };
}

/** The rows at the given positions, as a new matrix (fold splits). */
export function selectRows(m: SparseMatrix, rows: ArrayLike<number>): SparseMatrix {
  const picked: SparseVector[] = [];
  for (let i = 0; i < rows.length; i++) picked.push(rowOf(m, rows[i]!));
  return toSparseMatrix(picked, m.cols);
}

export function rowOf(m: SparseMatrix, row: number): SparseVector {
  const from = m.indptr[row]!;
  const to = m.indptr[row + 1]!;
  return { indices: m.indices.subarray(from, to), values: m.values.subarray(from, to) };
}
