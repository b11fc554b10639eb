import { seededRandom, shuffleInPlace } from '../shared/random.ts';
import { axpy32, axpy64 } from './axpy.ts';
import type { SparseMatrix, SparseVector } from './features.ts';
import { softmaxInPlace } from './softmax.ts';

/**
 * A small neural network on the same sparse features as the SVM: one hidden layer of ReLU units with dropout,
 * a softmax output, trained by plain SGD on the cross-entropy with a linearly decaying step. Alone it is no
 * better than the SVM (BANKING77 5-fold 0.906 vs 0.907), but it errs on other examples: hidden units combine
 * words ("top up" with "didn't go through") where the SVM can only add them, so the classifier averages the
 * two (see classifier.ts).
 *
 * Only features seen in at least `minDf` training texts get an input row: a feature seen once teaches the
 * network nothing that generalises, and dropping them keeps the weight matrix small (BANKING77: 18,000 of
 * 70,000 features).
 *
 * @example
 * const model = trainMlp(matrix, labels, 3, { ...DEFAULT_MLP_OPTIONS, seed: 1 });
 * const score = createMlpScorer(model, matrix.cols);
 * const out = new Float64Array(3);
 * score(vector, out); // logits: softmax(out) gives probabilities
 */
export interface MlpOptions {
  /** Hidden ReLU units. */
  hidden: number;
  epochs: number;
  /** First step size; it decays linearly to 0 over the epochs. */
  learningRate: number;
  /** Share of hidden units dropped at each training step. */
  dropout: number;
  /** Features in fewer training texts than this are not read. */
  minDf: number;
  seed: number;
}

export const DEFAULT_MLP_OPTIONS: MlpOptions = {
  hidden: 128,
  epochs: 10,
  learningRate: 0.05,
  dropout: 0.3,
  minDf: 2,
  seed: 1,
};

export interface MlpModel {
  classes: number;
  hidden: number;
  /** The input features the network reads, ascending (indices into the vectoriser's features). */
  inputs: Int32Array;
  /** inputs.length x hidden, one row per input feature. */
  w1: Float32Array;
  b1: Float32Array;
  /** hidden x classes, one row per hidden unit. */
  w2: Float32Array;
  b2: Float32Array;
}

export function trainMlp(
  x: SparseMatrix,
  labels: ArrayLike<number>,
  classes: number,
  options: MlpOptions,
): MlpModel {
  const hidden = options.hidden;
  const df = new Int32Array(x.cols);
  for (let p = 0; p < x.indptr[x.rows]!; p++) df[x.indices[p]!]!++;
  const kept: number[] = [];
  for (let f = 0; f < x.cols; f++) if (df[f]! >= options.minDf) kept.push(f);
  const inputs = Int32Array.from(kept);
  const rowOfFeature = inputRows(inputs, x.cols);
  // The training matrix with columns renumbered to input rows (and unread features dropped), built once.
  const indptr = new Int32Array(x.rows + 1);
  const rowBase = new Int32Array(x.indptr[x.rows]!);
  const values = new Float32Array(x.indptr[x.rows]!);
  let nnz = 0;
  for (let i = 0; i < x.rows; i++) {
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
      const r = rowOfFeature[x.indices[p]!]!;
      if (r < 0) continue;
      rowBase[nnz] = r * hidden;
      values[nnz++] = x.values[p]!;
    }
    indptr[i + 1] = nnz;
  }

  const random = seededRandom(options.seed);
  // Small uniform weights: the inputs are L2-normalised blocks, so a hidden unit starts near 0 either side.
  const w1 = new Float32Array(inputs.length * hidden);
  for (let i = 0; i < w1.length; i++) w1[i] = (random() * 2 - 1) * 0.09;
  const b1 = new Float32Array(hidden);
  const w2 = new Float32Array(hidden * classes);
  const scale2 = Math.sqrt(1 / hidden);
  for (let i = 0; i < w2.length; i++) w2[i] = (random() * 2 - 1) * scale2;
  const b2 = new Float32Array(classes);

  const h = new Float32Array(hidden);
  const active = new Int32Array(hidden);
  const activeOut = new Float64Array(hidden);
  const grad = new Float64Array(hidden);
  const out = new Float64Array(classes);
  const keep = 1 / (1 - options.dropout);
  const order = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) order[i] = i;
  const totalSteps = options.epochs * x.rows;
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let o = 0; o < x.rows; o++) {
      const i = order[o]!;
      const eta = options.learningRate * (1 - step / totalSteps);
      step++;
      const from = indptr[i]!;
      const to = indptr[i + 1]!;
      h.set(b1);
      for (let p = from; p < to; p++) axpy32(h, w1, rowBase[p]!, values[p]!, hidden);
      // ReLU and dropout: only the units that are on and kept carry a signal, forward and back.
      let nActive = 0;
      for (let j = 0; j < hidden; j++) {
        if (h[j]! > 0 && random() >= options.dropout) {
          active[nActive] = j;
          activeOut[nActive++] = h[j]! * keep;
        }
      }
      for (let k = 0; k < classes; k++) out[k] = b2[k]!;
      for (let a = 0; a < nActive; a++) axpy64(out, w2, active[a]! * classes, activeOut[a]!, classes);
      // out becomes the gradient of the loss on the logits: p - onehot(label).
      softmaxInPlace(out);
      out[labels[i]!]! -= 1;
      for (let a = 0; a < nActive; a++) {
        const base = active[a]! * classes;
        const hj = activeOut[a]!;
        let g = 0;
        for (let k = 0; k < classes; k++) {
          const wk = w2[base + k]!;
          g += wk * out[k]!;
          w2[base + k] = wk - eta * out[k]! * hj;
        }
        grad[a] = g * keep;
        b1[active[a]!]! -= eta * grad[a]!;
      }
      for (let k = 0; k < classes; k++) b2[k]! -= eta * out[k]!;
      for (let p = from; p < to; p++) {
        const base = rowBase[p]!;
        const v = eta * values[p]!;
        for (let a = 0; a < nActive; a++) w1[base + active[a]!]! -= v * grad[a]!;
      }
    }
  }
  return { classes, hidden, inputs, w1, b1, w2, b2 };
}

/** Feature index -> input row, -1 for features the network does not read. */
function inputRows(inputs: Int32Array, dimension: number): Int32Array {
  const rows = new Int32Array(dimension).fill(-1);
  for (let r = 0; r < inputs.length; r++) rows[inputs[r]!] = r;
  return rows;
}

/**
 * A scoring function for a trained network: writes the logits of a feature vector into `out`. `dimension`
 * is the vectoriser's; features beyond it (or not read by the network) are ignored.
 */
export function createMlpScorer(
  model: MlpModel,
  dimension: number,
): (x: SparseVector, out: Float64Array) => void {
  const { hidden, classes, w1, b1, w2, b2 } = model;
  // Feature index -> offset of its row in w1, -1 for features the network does not read.
  const rowBase = inputRows(model.inputs, dimension).map((r) => (r < 0 ? -1 : r * hidden));
  const h = new Float32Array(hidden);
  return (x, out) => {
    h.set(b1);
    const { indices, values } = x;
    for (let p = 0; p < indices.length; p++) {
      const base = indices[p]! < dimension ? rowBase[indices[p]!]! : -1;
      if (base >= 0) axpy32(h, w1, base, values[p]!, hidden);
    }
    for (let k = 0; k < classes; k++) out[k] = b2[k]!;
    for (let j = 0; j < hidden; j++) if (h[j]! > 0) axpy64(out, w2, j * classes, h[j]!, classes);
  };
}
