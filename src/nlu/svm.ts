import { seededRandom, shuffleInPlace } from '../shared/random.ts';
import type { SparseMatrix } from './features.ts';
import type { LinearModel } from './softmax.ts';

/**
 * One-vs-rest linear SVM (squared hinge loss, L2 regularisation), trained by dual coordinate descent with
 * shrinking (the liblinear method, Hsieh et al. 2008). Its scores are margins, not probabilities: the
 * classifier turns them into calibrated probabilities with a fitted temperature.
 *
 * @example
 * const model = trainLinearSvm(matrix, labels, 3, { c: 1, epochs: 50, tolerance: 0.1, seed: 1 });
 */
export interface SvmOptions {
  /** Inverse regularisation strength (liblinear's C). */
  c: number;
  /** Upper bound on passes over the data per class. */
  epochs: number;
  /** Stop when the projected-gradient spread falls below this (liblinear's eps). */
  tolerance: number;
  seed: number;
  /** Squared hinge ('l2', smoother, the default) or hinge ('l1'). */
  loss?: 'l1' | 'l2';
}

export const DEFAULT_SVM_OPTIONS: SvmOptions = { c: 0.5, epochs: 60, tolerance: 0.1, seed: 1 };

// The bias is learned as the weight of a constant feature of this value (regularised, as in liblinear).
const BIAS_FEATURE = 1;

export function trainLinearSvm(
  x: SparseMatrix,
  labels: ArrayLike<number>,
  classes: number,
  options: SvmOptions,
): LinearModel {
  const n = x.rows;
  const dimension = x.cols;
  const weights = new Float32Array(dimension * classes);
  const bias = new Float32Array(classes);
  const { indptr, indices, values } = x;
  const l1 = options.loss === 'l1';
  const diag = l1 ? 0 : 1 / (2 * options.c);
  const upper = l1 ? options.c : Infinity;
  const qii = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = BIAS_FEATURE * BIAS_FEATURE;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) s += values[p]! * values[p]!;
    qii[i] = s + diag;
  }
  const w = new Float64Array(dimension);
  const alpha = new Float64Array(n);
  const active = new Int32Array(n);
  const random = seededRandom(options.seed);
  for (let k = 0; k < classes; k++) {
    w.fill(0);
    alpha.fill(0);
    let b = 0;
    for (let i = 0; i < n; i++) active[i] = i;
    let activeSize = n;
    let maxOld = Infinity;
    let minOld = -Infinity;
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      let maxNew = -Infinity;
      let minNew = Infinity;
      shuffleInPlace(active.subarray(0, activeSize), random);
      for (let s = 0; s < activeSize; s++) {
        const i = active[s]!;
        const yi = labels[i] === k ? 1 : -1;
        const from = indptr[i]!;
        const to = indptr[i + 1]!;
        let dot = b * BIAS_FEATURE;
        for (let p = from; p < to; p++) dot += w[indices[p]!]! * values[p]!;
        const g = yi * dot - 1 + diag * alpha[i]!;
        let pg = g;
        if (alpha[i] === 0) {
          if (g > maxOld) {
            // Shrinking: this example sits at its bound and is unlikely to move; drop it from the pass.
            activeSize--;
            active[s] = active[activeSize]!;
            active[activeSize] = i;
            s--;
            continue;
          }
          if (g > 0) pg = 0;
        } else if (alpha[i] === upper) {
          if (g < minOld) {
            activeSize--;
            active[s] = active[activeSize]!;
            active[activeSize] = i;
            s--;
            continue;
          }
          if (g < 0) pg = 0;
        }
        if (pg > maxNew) maxNew = pg;
        if (pg < minNew) minNew = pg;
        if (Math.abs(pg) > 1e-12) {
          const old = alpha[i]!;
          const next = Math.min(Math.max(old - g / qii[i]!, 0), upper);
          alpha[i] = next;
          const d = (next - old) * yi;
          for (let p = from; p < to; p++) w[indices[p]!]! += d * values[p]!;
          b += d * BIAS_FEATURE;
        }
      }
      if (maxNew - minNew <= options.tolerance) {
        if (activeSize === n) break;
        // Converged on the shrunk set: check once more on everything before stopping.
        activeSize = n;
        maxOld = Infinity;
        minOld = -Infinity;
        continue;
      }
      maxOld = maxNew <= 0 ? Infinity : maxNew;
      minOld = minNew >= 0 ? -Infinity : minNew;
    }
    for (let f = 0; f < dimension; f++) weights[f * classes + k] = w[f]!;
    bias[k] = b * BIAS_FEATURE;
  }
  return { classes, dimension, weights, bias };
}
