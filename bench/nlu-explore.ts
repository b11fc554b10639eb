/**
 * Feature experiments for the intent classifier (not part of `bench:nlu`, and not used by the product): the
 * plain one-vs-rest SVM's accuracy on held-out BANKING77 folds (the same stratified split as the benchmark)
 * for several feature views, with a slow but simple vectoriser. What it measured is in docs/nlu.md.
 *
 *   node bin/run-ts.js bench/nlu-explore.ts [--folds 0,1] [--configs base,base_char16] [--c 0.3,0.5]
 *     [--json '{"name": [{"kind": "word", "lo": 1, "hi": 2, "weight": 1}, ...]}']   extra views
 *     [--ens 1]        one SVM per block, margins summed (instead of one SVM on the concatenation)
 *     [--nb ALPHA]     NB-SVM log-count-ratio scaling per class, smoothing ALPHA [--pow P: |r|^P]
 *     [--file PATH]    another JSONL set (default ../shared/data/banking77/train.jsonl)
 *     [--test PATH]    train on all of --file, evaluate on PATH (e.g. CLINC150 or HWU64 val) instead of folds;
 *                      with out-of-scope examples it also prints argmax in-scope accuracy and oos recall
 * Block kinds: word, stem, wordbe (with ^ / $ markers), content (stop words dropped), skip, charwb, char, xchar;
 * per block `idf` (an exponent, 0 = none) and `binary` (binary tf).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type LabelledText,
  linearScores,
  OOS_LABEL,
  type SparseMatrix,
  type SparseVector,
  tokenise,
  toSparseMatrix,
  trainLinearSvm,
} from '../src/nlu/index.ts';
import { stratifiedFolds } from '../src/shared/index.ts';

const require = createRequire(import.meta.url);
const stem = require('wink-eng-lite-web-model/dist/porter-stemmer.js') as (w: string) => string;

type Block = {
  kind: 'word' | 'charwb' | 'char' | 'stem' | 'skip' | 'xchar' | 'wordbe' | 'content';
  lo: number;
  hi: number;
  weight: number;
  /** Exponent of the IDF in this block (default 1; 0: tf only). */
  idf?: number;
  /** true: binary tf instead of 1 + ln(tf). */
  binary?: boolean;
};

const STOP_WORDS = new Set(
  'a an the i me my we our you your it its is am are was were be been do does did have has had to of in on at for with and or but so this that there can could would will should please just'.split(
    ' ',
  ),
);

function termsOf(tokens: string[], b: Block): string[] {
  const out: string[] = [];
  if (b.kind === 'word' || b.kind === 'stem' || b.kind === 'wordbe' || b.kind === 'content') {
    // wordbe: with sentence-start and -end markers; content: over the words left once stop words are dropped
    const t =
      b.kind === 'stem'
        ? tokens.map(stem)
        : b.kind === 'wordbe'
          ? ['^', ...tokens, '$']
          : b.kind === 'content'
            ? tokens.filter((w) => !STOP_WORDS.has(w))
            : tokens;
    for (let n = b.lo; n <= b.hi; n++)
      for (let i = 0; i + n <= t.length; i++) out.push(t.slice(i, i + n).join(' '));
  } else if (b.kind === 'skip') {
    // ordered word pairs at distance lo..hi (distance 1 = bigram)
    for (let i = 0; i < tokens.length; i++)
      for (let d = b.lo; d <= b.hi && i + d < tokens.length; d++) out.push(`${tokens[i]}~${tokens[i + d]}`);
  } else if (b.kind === 'xchar') {
    // char n-grams that cross a word boundary: each contains the space between two adjacent words
    for (let j = 0; j + 1 < tokens.length; j++) {
      const a = tokens[j]!;
      const pair = `${a} ${tokens[j + 1]}`;
      const sp = a.length;
      for (let n = b.lo; n <= b.hi; n++)
        for (let i = Math.max(0, sp - n + 2); i <= sp - 1 && i + n <= pair.length; i++)
          out.push(pair.slice(i, i + n));
    }
  } else if (b.kind === 'charwb') {
    for (const tok of tokens) {
      const p = ` ${tok} `;
      for (let n = b.lo; n <= b.hi; n++) for (let i = 0; i + n <= p.length; i++) out.push(p.slice(i, i + n));
    }
  } else {
    const p = ` ${tokens.join(' ')} `;
    for (let n = b.lo; n <= b.hi; n++) for (let i = 0; i + n <= p.length; i++) out.push(p.slice(i, i + n));
  }
  return out;
}

function vectorise(train: string[], test: string[], blocks: Block[]) {
  const tok = (s: string) => tokenise(s);
  const trainTok = train.map(tok);
  const testTok = test.map(tok);
  const vocab = new Map<string, number>();
  const df: number[] = [];
  for (const t of trainTok) {
    const seen = new Set<number>();
    blocks.forEach((b, bi) => {
      for (const term of termsOf(t, b)) {
        const key = `${bi}\u0000${term}`;
        let id = vocab.get(key);
        if (id === undefined) {
          id = vocab.size;
          vocab.set(key, id);
          df.push(0);
        }
        seen.add(id);
      }
    });
    for (const id of seen) df[id]!++;
  }
  const n = train.length;
  const idf = df.map((d) => Math.log((1 + n) / (1 + d)) + 1);
  const vec = (t: string[]): SparseVector => {
    const idx: number[] = [];
    const val: number[] = [];
    blocks.forEach((b, bi) => {
      const counts = new Map<number, number>();
      for (const term of termsOf(t, b)) {
        const id = vocab.get(`${bi}\u0000${term}`);
        if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      let norm = 0;
      const start = idx.length;
      for (const [id, c] of counts) {
        const v = (b.binary ? 1 : 1 + Math.log(c)) * idf[id]! ** (b.idf ?? 1);
        idx.push(id);
        val.push(v);
        norm += v * v;
      }
      const s = norm > 0 ? b.weight / Math.sqrt(norm) : 0;
      for (let i = start; i < val.length; i++) val[i]! *= s;
    });
    return { indices: Int32Array.from(idx), values: Float32Array.from(val) };
  };
  const xTrain = toSparseMatrix(trainTok.map(vec), vocab.size);
  const xTest = testTok.map(vec);
  return { xTrain, xTest, dim: vocab.size };
}

function load(path: string): LabelledText[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l) as { text: string; label: string; in_scope?: boolean };
      return { text: r.text, label: r.in_scope === false ? OOS_LABEL : r.label };
    });
}

const CONFIGS: Record<string, Block[]> = {
  base: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1 },
  ],
  w13_wb25: [
    { kind: 'word', lo: 1, hi: 3, weight: 1 },
    { kind: 'charwb', lo: 2, hi: 5, weight: 1 },
  ],
  base_char16: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1 },
    { kind: 'char', lo: 1, hi: 6, weight: 1 },
  ],
  base_stem: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1 },
    { kind: 'stem', lo: 1, hi: 2, weight: 1 },
  ],
  word_char26: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'char', lo: 2, hi: 6, weight: 1 },
  ],
  base_skip24: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1 },
    { kind: 'skip', lo: 2, hi: 4, weight: 0.7 },
  ],
  base_w15: [
    { kind: 'word', lo: 1, hi: 2, weight: 1.5 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1 },
  ],
  ens3: [
    { kind: 'word', lo: 1, hi: 3, weight: 1 },
    { kind: 'charwb', lo: 2, hi: 5, weight: 1 },
    { kind: 'char', lo: 1, hi: 6, weight: 1 },
  ],
  w13_wb26: [
    { kind: 'word', lo: 1, hi: 3, weight: 1 },
    { kind: 'charwb', lo: 2, hi: 6, weight: 1 },
  ],
  base_x36: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1 },
    { kind: 'xchar', lo: 3, hi: 6, weight: 1 },
  ],
  base_x36w: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1 },
    { kind: 'xchar', lo: 3, hi: 6, weight: 0.6 },
  ],
  wcharwb_char16: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'char', lo: 1, hi: 6, weight: 1 },
  ],
  base_noidfchar: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1, idf: 0 },
  ],
  base_noidf: [
    { kind: 'word', lo: 1, hi: 2, weight: 1, idf: 0 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1, idf: 0 },
  ],
  base_idfchar05: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1, idf: 0.5 },
  ],
  base_binary: [
    { kind: 'word', lo: 1, hi: 2, weight: 1, binary: true },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1, binary: true },
  ],
  base_be: [
    { kind: 'wordbe', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1 },
  ],
  base_content: [
    { kind: 'word', lo: 1, hi: 2, weight: 1 },
    { kind: 'charwb', lo: 3, hi: 5, weight: 1 },
    { kind: 'content', lo: 2, hi: 2, weight: 0.7 },
  ],
  all4: [
    { kind: 'word', lo: 1, hi: 3, weight: 1 },
    { kind: 'charwb', lo: 2, hi: 5, weight: 1 },
    { kind: 'char', lo: 1, hi: 6, weight: 1 },
    { kind: 'stem', lo: 1, hi: 2, weight: 1 },
  ],
};

/** NB-SVM: per class, features scaled by the log-count ratio (Wang & Manning 2012), folded into the weights. */
function trainNbSvm(x: SparseMatrix, y: number[], classes: number, c: number, smooth: number, power: number) {
  const dim = x.cols;
  const pos = new Float64Array(dim * classes);
  const tot = new Float64Array(dim);
  const perClass = new Float64Array(classes);
  for (let i = 0; i < x.rows; i++) {
    perClass[y[i]!]!++;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
      pos[x.indices[p]! * classes + y[i]!]! += 1;
      tot[x.indices[p]!]! += 1;
    }
  }
  const weights = new Float32Array(dim * classes);
  const bias = new Float32Array(classes);
  const scaled = new Float32Array(x.values.length);
  const r = new Float64Array(dim);
  for (let k = 0; k < classes; k++) {
    let pSum = 0;
    let qSum = 0;
    for (let f = 0; f < dim; f++) {
      pSum += pos[f * classes + k]! + smooth;
      qSum += tot[f]! - pos[f * classes + k]! + smooth;
    }
    for (let f = 0; f < dim; f++) {
      const pr = (pos[f * classes + k]! + smooth) / pSum;
      const qr = (tot[f]! - pos[f * classes + k]! + smooth) / qSum;
      const lr = Math.log(pr / qr);
      r[f] = Math.sign(lr) * Math.abs(lr) ** power;
    }
    for (let p = 0; p < scaled.length; p++) scaled[p] = x.values[p]! * r[x.indices[p]!]!;
    const m = trainLinearSvm(
      { ...x, values: scaled },
      y.map((l) => (l === k ? 0 : 1)),
      1,
      { c, epochs: 60, tolerance: 0.1, seed: 1 },
    );
    for (let f = 0; f < dim; f++) weights[f * classes + k] = m.weights[f]! * r[f]!;
    bias[k] = m.bias[0]!;
  }
  return { classes, dimension: dim, weights, bias };
}

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const all = load(arg('--file') ?? '../shared/data/banking77/train.jsonl');
// --test FILE: train on all of --file, evaluate on FILE (train -> val) instead of the folds.
const testFile = arg('--test');
const testSet = testFile ? load(testFile) : [];
const labels = [...new Set(all.map((e) => e.label))].sort();
const gold = all.map((e) => labels.indexOf(e.label));
const folds = stratifiedFolds(gold, 5, 1);
const foldList = testFile ? [0] : (arg('--folds') ?? '0').split(',').map(Number);
const splitOf = (fold: number) =>
  testFile
    ? { tr: all, te: testSet }
    : { tr: all.filter((_, i) => folds[i] !== fold), te: all.filter((_, i) => folds[i] === fold) };
const cs = (arg('--c') ?? '0.5').split(',').map(Number);
const names = (arg('--configs') ?? Object.keys(CONFIGS).join(',')).split(',');
const extra = arg('--json');
if (extra) Object.assign(CONFIGS, JSON.parse(extra));
for (const name of names) {
  if (arg('--ens')) {
    const blocks = CONFIGS[name]!;
    let right = 0;
    let total = 0;
    const per: number[] = blocks.map(() => 0);
    for (const fold of foldList) {
      const { tr, te } = splitOf(fold);
      const y = tr.map((e) => labels.indexOf(e.label));
      const sums = te.map(() => new Float64Array(labels.length));
      blocks.forEach((b, bi) => {
        const { xTrain, xTest } = vectorise(
          tr.map((e) => e.text),
          te.map((e) => e.text),
          [{ ...b, weight: 1 }],
        );
        const model = trainLinearSvm(xTrain, y, labels.length, {
          c: cs[bi] ?? cs[0]!,
          epochs: 60,
          tolerance: 0.1,
          seed: 1,
        });
        const s = new Float64Array(labels.length);
        te.forEach((e, i) => {
          linearScores(model, xTest[i]!, s);
          let top = 0;
          for (let k = 0; k < labels.length; k++) {
            sums[i]![k]! += b.weight * s[k]!;
            if (s[k]! > s[top]!) top = k;
          }
          if (labels[top] === e.label) per[bi]!++;
        });
      });
      te.forEach((e, i) => {
        const s = sums[i]!;
        let top = 0;
        for (let k = 1; k < s.length; k++) if (s[k]! > s[top]!) top = k;
        if (labels[top] === e.label) right++;
        total++;
      });
    }
    console.log(
      `${name} ensemble acc=${(right / total).toFixed(4)} per-view ${per.map((p) => (p / total).toFixed(4)).join(' ')}`,
    );
    continue;
  }
  const blocks = CONFIGS[name]!;
  for (const c of cs) {
    let right = 0;
    let total = 0;
    let inRight = 0;
    let oos = 0;
    let oosRight = 0;
    let trainS = 0;
    let nnz = 0;
    let dim = 0;
    for (const fold of foldList) {
      const { tr, te } = splitOf(fold);
      const {
        xTrain,
        xTest,
        dim: d,
      } = vectorise(
        tr.map((e) => e.text),
        te.map((e) => e.text),
        blocks,
      );
      dim = d;
      nnz = xTrain.indptr[xTrain.rows]! / xTrain.rows;
      const t0 = performance.now();
      const y = tr.map((e) => labels.indexOf(e.label));
      const model = arg('--nb')
        ? trainNbSvm(xTrain, y, labels.length, c, Number(arg('--nb')), Number(arg('--pow') ?? 1))
        : trainLinearSvm(xTrain, y, labels.length, {
            c,
            epochs: Number(arg('--epochs') ?? 60),
            tolerance: Number(arg('--tol') ?? 0.1),
            seed: 1,
          });
      trainS += (performance.now() - t0) / 1000;
      const s = new Float64Array(labels.length);
      te.forEach((e, i) => {
        linearScores(model, xTest[i]!, s);
        let top = 0;
        for (let k = 1; k < s.length; k++) if (s[k]! > s[top]!) top = k;
        if (labels[top] === e.label) right++;
        total++;
        if (e.label === OOS_LABEL) {
          oos++;
          if (labels[top] === OOS_LABEL) oosRight++;
        } else if (labels[top] === e.label) inRight++;
      });
    }
    // With out-of-scope examples (CLINC150): argmax in-scope accuracy and out-of-scope recall, no threshold.
    const oosPart =
      oos > 0 ? ` in-scope=${(inRight / (total - oos)).toFixed(4)} oos=${(oosRight / oos).toFixed(3)}` : '';
    console.log(
      `${name.padEnd(16)} c=${c} acc=${(right / total).toFixed(4)}${oosPart} dim=${dim} nnz/row=${nnz.toFixed(0)} svm s=${trainS.toFixed(1)}`,
    );
  }
}
