/**
 * Temperature scaling (Guo et al. 2017): one number T such that softmax(scores / T) matches how often the
 * predictions are right. T is fitted on held-out (out-of-fold) scores by minimising the negative
 * log-likelihood, so a confidence of 0.9 means about 9 in 10 right on data the model did not see.
 *
 * @example
 * const t = fitTemperature(outOfFoldScores, classes, goldLabels); // e.g. 0.08 for SVM margins
 */
export function fitTemperature(scores: Float64Array, classes: number, gold: ArrayLike<number>): number {
  const n = gold.length;
  if (n === 0) return 1;
  const nll = (logT: number) => {
    const t = Math.exp(logT);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const base = i * classes;
      let max = -Infinity;
      for (let k = 0; k < classes; k++) max = Math.max(max, scores[base + k]! / t);
      let sum = 0;
      for (let k = 0; k < classes; k++) sum += Math.exp(scores[base + k]! / t - max);
      total += Math.log(sum) + max - scores[base + gold[i]!]! / t;
    }
    return total / n;
  };
  // The NLL is unimodal in log T for these problems; a golden-section search over a wide bracket suffices.
  let lo = Math.log(1e-3);
  let hi = Math.log(1e3);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = nll(a);
  let fb = nll(b);
  for (let iter = 0; iter < 60 && hi - lo > 1e-4; iter++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = nll(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = nll(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Expected calibration error: the gap between confidence and accuracy, averaged over equal-width confidence
 * bins weighted by their size. 0 is perfect.
 */
export function expectedCalibrationError(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 10,
) {
  const count = new Float64Array(bins);
  const confSum = new Float64Array(bins);
  const rightSum = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i]!;
    const bin = Math.min(bins - 1, Math.floor(c * bins));
    count[bin]! += 1;
    confSum[bin]! += c;
    if (correct[i]) rightSum[bin]! += 1;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    ece += Math.abs(confSum[b]! - rightSum[b]!) / confidence.length;
  }
  return ece;
}
