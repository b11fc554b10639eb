/**
 * Per-intent acceptance thresholds chosen on held-out predictions so that accepted predictions are right at
 * least `targetPrecision` of the time. A prediction below its intent's threshold is not acted on: it goes to
 * a person.
 *
 * @example
 * const t = chooseThresholds(heldOut, labels.length, 0.97);
 * const accept = passesThreshold(confidence, t.perIntent[labelIndex]!);
 */
export interface HeldOutPrediction {
  /** Predicted class index. */
  predicted: number;
  confidence: number;
  correct: boolean;
  /**
   * How many live messages this one stands for (default 1). Out-of-scope examples are weighted so that they are
   * the expected share of the traffic, whatever their count in the training data.
   */
  weight?: number;
}

export interface Thresholds {
  targetPrecision: number;
  /** The single threshold that reaches the target over all intents together. */
  global: number;
  /** One per class index; NEVER_ACCEPT (2) when the intent never reached the target on held-out data. */
  perIntent: Float64Array;
}

/** The threshold of an intent that never reached the target: above any probability, so nothing passes. */
export const NEVER_ACCEPT = 2;

export const passesThreshold = (confidence: number, threshold: number): boolean => confidence >= threshold;

/**
 * Pseudo-observations that pull an intent's estimated precision toward the global curve: with ~20-100
 * held-out predictions per intent, the raw per-intent precision is too noisy to trust on its own.
 */
const PRIOR_WEIGHT = 10;
/** Never accept below this, whatever the held-out data says. */
const MIN_THRESHOLD = 0.05;

export function chooseThresholds(
  predictions: readonly HeldOutPrediction[],
  classes: number,
  targetPrecision: number,
): Thresholds {
  const sorted = [...predictions].sort((a, b) => b.confidence - a.confidence);
  const weightOf = (p: HeldOutPrediction) => p.weight ?? 1;
  // Global precision of the prefix accepted at each confidence, as a step function for the prior.
  const globalConf: number[] = [];
  const globalPrecision: number[] = [];
  let right = 0;
  let seen = 0;
  let global = NEVER_ACCEPT;
  for (const p of sorted) {
    seen += weightOf(p);
    if (p.correct) right += weightOf(p);
    globalConf.push(p.confidence);
    globalPrecision.push(seen === 0 ? 1 : right / seen);
    if (seen > 0 && right / seen >= targetPrecision) global = Math.max(MIN_THRESHOLD, p.confidence);
  }
  const precisionAt = (conf: number): number => {
    // Last prefix index whose confidence is >= conf (binary search on the descending list).
    let lo = 0;
    let hi = globalConf.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (globalConf[mid]! >= conf) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 1 : globalPrecision[found]!;
  };
  const perIntent = new Float64Array(classes).fill(NEVER_ACCEPT);
  const byClass: HeldOutPrediction[][] = Array.from({ length: classes }, () => []);
  for (const p of sorted) byClass[p.predicted]?.push(p);
  for (let k = 0; k < classes; k++) {
    const list = byClass[k]!;
    if (list.length === 0) {
      perIntent[k] = Math.max(global, MIN_THRESHOLD);
      continue;
    }
    let correct = 0;
    let count = 0;
    let best = NEVER_ACCEPT;
    let lastMeets = false;
    for (const p of list) {
      count += weightOf(p);
      if (p.correct) correct += weightOf(p);
      const estimate = (correct + PRIOR_WEIGHT * precisionAt(p.confidence)) / (count + PRIOR_WEIGHT);
      lastMeets = estimate >= targetPrecision;
      if (lastMeets) best = Math.max(MIN_THRESHOLD, p.confidence);
    }
    // Every held-out prediction of the intent, down to the least confident, still met the target: the data
    // gives no reason to refuse lower confidences, so the cut need not sit at the lowest one seen (on very
    // separable data that is 0.99+, and a new phrasing at 0.98 would be refused). A calibrated confidence at
    // the target precision is right that often, so the cut may go down to it.
    perIntent[k] = lastMeets ? Math.max(MIN_THRESHOLD, Math.min(best, targetPrecision)) : best;
  }
  return { targetPrecision, global, perIntent };
}

/**
 * Coverage at a precision: the largest share of predictions that a single confidence cut-off can accept
 * while the accepted ones are at least `precision` right (0 when no cut-off reaches it). An oracle figure
 * (the cut-off is chosen on the same predictions), comparable across systems.
 */
export function coverageAtPrecision(
  predictions: readonly { confidence: number; correct: boolean }[],
  precision: number,
): number {
  const sorted = [...predictions].sort((a, b) => b.confidence - a.confidence);
  let right = 0;
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.correct) right++;
    // Only cut between distinct confidences: ties are accepted or rejected together.
    const next = sorted[i + 1];
    if (next && next.confidence === sorted[i]!.confidence) continue;
    if (right / (i + 1) >= precision) best = (i + 1) / sorted.length;
  }
  return best;
}
