import { seededRandom, shuffleInPlace } from '../shared/random.ts';
import { axpy64 } from './axpy.ts';
import type { SparseMatrix, SparseVector } from './features.ts';

/**
 * Multinomial logistic (softmax) regression on sparse features, trained by SGD with L2 regularisation.
 *
 * Weights are stored feature-major (`weights[f * classes + k]`): a sparse row touches a few features and all
 * classes, so each touched feature's class weights are contiguous in memory.
 *
 * @example
 * const model = trainSoftmax(matrix, labels, 3, { ...DEFAULT_SOFTMAX_OPTIONS, seed: 1 });
 * const out = new Float64Array(3);
 * linearScores(model, vector, out); // logits; softmaxInPlace(out) gives probabilities
 */
export interface LinearModel {
  classes: number;
  dimension: number;
  weights: Float32Array;
  bias: Float32Array;
}

export interface SoftmaxOptions {
  /** L2 strength per example (the lambda of lambda/2 * |w|^2 added to the mean loss). */
  l2: number;
  epochs: number;
  /** Initial step size; it decays linearly to a tenth of it over the epochs. */
  learningRate: number;
  seed: number;
}

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxOptions = { l2: 1e-5, epochs: 12, learningRate: 1, seed: 1 };

// Class gradients smaller than this are skipped: once the model is confident, almost all of the K classes
// have p ~ 0 for an example, and skipping them makes the backward pass nearly free.
const GRADIENT_FLOOR = 1e-4;

export function trainSoftmax(
  x: SparseMatrix,
  labels: ArrayLike<number>,
  classes: number,
  options: SoftmaxOptions,
): LinearModel {
  const dimension = x.cols;
  const weights = new Float32Array(dimension * classes);
  const bias = new Float32Array(classes);
  const order = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) order[i] = i;
  const random = seededRandom(options.seed);
  const probs = new Float64Array(classes);
  // The true weights are scale * weights: L2 shrinkage of every weight is one multiplication of `scale`.
  let scale = 1;
  const totalSteps = options.epochs * x.rows;
  let step = 0;
  const { indptr, indices, values } = x;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let o = 0; o < x.rows; o++) {
      const row = order[o]!;
      const eta = options.learningRate * (1 - (0.9 * step) / totalSteps);
      step++;
      const from = indptr[row]!;
      const to = indptr[row + 1]!;
      for (let k = 0; k < classes; k++) probs[k] = 0;
      for (let p = from; p < to; p++) {
        const base = indices[p]! * classes;
        const v = values[p]!;
        for (let k = 0; k < classes; k++) probs[k]! += weights[base + k]! * v;
      }
      let max = -Infinity;
      for (let k = 0; k < classes; k++) {
        const s = probs[k]! * scale + bias[k]!;
        probs[k] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let k = 0; k < classes; k++) {
        const e = Math.exp(probs[k]! - max);
        probs[k] = e;
        sum += e;
      }
      const label = labels[row]!;
      scale *= 1 - eta * options.l2;
      const stepOverScale = eta / scale;
      for (let k = 0; k < classes; k++) {
        const g = probs[k]! / sum - (k === label ? 1 : 0);
        if (g < GRADIENT_FLOOR && g > -GRADIENT_FLOOR) continue;
        bias[k]! -= eta * g;
        const delta = g * stepOverScale;
        for (let p = from; p < to; p++) weights[indices[p]! * classes + k]! -= delta * values[p]!;
      }
      if (scale < 1e-4) {
        for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
        scale = 1;
      }
    }
  }
  if (scale !== 1) for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
  return { classes, dimension, weights, bias };
}

/** Writes the logits of one example into `out` (length = classes). */
export function linearScores(model: LinearModel, x: SparseVector, out: Float64Array): void {
  const { classes, weights, bias } = model;
  for (let k = 0; k < classes; k++) out[k] = bias[k]!;
  const { indices, values } = x;
  for (let p = 0; p < indices.length; p++) {
    const f = indices[p]!;
    if (f >= model.dimension) continue;
    axpy64(out, weights, f * classes, values[p]!, classes);
  }
}

/** In place: logits / temperature -> probabilities. */
export function softmaxInPlace(scores: Float64Array, temperature = 1): void {
  let max = -Infinity;
  for (let k = 0; k < scores.length; k++) if (scores[k]! > max) max = scores[k]!;
  let sum = 0;
  for (let k = 0; k < scores.length; k++) {
    const e = Math.exp((scores[k]! - max) / temperature);
    scores[k] = e;
    sum += e;
  }
  for (let k = 0; k < scores.length; k++) scores[k]! /= sum;
}
