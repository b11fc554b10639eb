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
  /** For a foreign message (out of scope, or of an unknown intent): the index of its `ForeignSample`. */
  foreign?: number;
}

/**
 * A sample of held-out foreign messages that stands for a part of the live out-of-scope traffic: the data's own
 * out-of-scope examples, background texts, simulated unknown intents. The rate at which its kind passes a
 * threshold is estimated from `examples` messages, and counted at the upper end of what they allow
 * (`foreignRateUpperBound`): the fewer the examples, the more cautious the thresholds.
 */
export interface ForeignSample {
  /** Held-out messages in the sample, those rejected before the thresholds (novelty) included. */
  examples: number;
  /** How many live messages each one stands for. */
  weight: number;
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

/**
 * The one-sided normal quantile of the bound on foreign rates: 95%. A foreign sample of 100 messages none of
 * which passed allows a rate up to 2.6% (the Wilson bound); of 2,000, up to 0.14%.
 */
const FOREIGN_BOUND_Z = 1.645;

/**
 * Upper bound of a rate seen `passed` times in `examples` (Wilson score interval, one-sided at `z`). Unlike the
 * plain share it is above 0 when none passed, and wider the fewer the examples.
 *
 * @example
 * foreignRateUpperBound(0, 100); // 0.026
 */
export function foreignRateUpperBound(passed: number, examples: number, z = FOREIGN_BOUND_Z): number {
  if (examples <= 0) return 1;
  const p = Math.min(Math.max(passed / examples, 0), 1);
  const z2n = (z * z) / examples;
  const centre = p + z2n / 2;
  const spread = z * Math.sqrt((p * (1 - p)) / examples + z2n / (4 * examples));
  return Math.min(1, (centre + spread) / (1 + z2n));
}

/**
 * Chooses one threshold per intent (and a global one). Foreign predictions (`foreign` set) are counted two ways,
 * and each intent takes the worse of the two at each confidence:
 * - where they were seen: an intent that draws foreign messages needs a higher confidence;
 * - pooled: the share of each foreign sample that reaches the confidence on any intent, at the upper bound of
 *   its rate (`foreignRateUpperBound`), spread over the intents in proportion to the answers they give there.
 * The first alone is optimistic twice over: a sample none of whose messages passed counted for nothing, however
 * few they were; and the thresholds are chosen on those same messages, so each one seen raises the threshold of
 * the intent it landed on above itself while a new foreign message lands elsewhere (bench:nlu-oos, CLINC150: none
 * of its 100 held-out out-of-scope examples passed the thresholds for 10% out of scope, 9 of its 100 val ones did).
 *
 * @example
 * // 9,000 in-scope predictions and 2,000 out-of-scope examples for a quarter of the traffic (3,000 messages):
 * chooseThresholds(heldOut, classes, 0.97, [{ examples: 2000, weight: 1.5 }]);
 */
export function chooseThresholds(
  predictions: readonly HeldOutPrediction[],
  classes: number,
  targetPrecision: number,
  foreign: readonly ForeignSample[] = [],
): Thresholds {
  const sorted = [...predictions].sort((a, b) => b.confidence - a.confidence);
  const weightOf = (p: HeldOutPrediction) => p.weight ?? 1;
  const isForeign = (p: HeldOutPrediction) => p.foreign !== undefined;
  const passed = new Float64Array(foreign.length);
  /** The foreign weight that reaches the current prefix's confidence, each sample at its rate's upper bound. */
  const pooledForeign = () => {
    let total = 0;
    foreign.forEach((f, s) => {
      if (f.examples > 0 && f.weight > 0)
        total += f.weight * f.examples * foreignRateUpperBound(passed[s]!, f.examples);
    });
    return total;
  };
  // Per prefix of the descending list (all predictions at this confidence or above): the global precision, for
  // the prior, and the pooled foreign weight per answer.
  const globalConf: number[] = [];
  const globalPrecision: number[] = [];
  const foreignPerAnswer: number[] = [];
  let right = 0;
  let answers = 0;
  let foreignSeen = 0;
  let global = NEVER_ACCEPT;
  for (const p of sorted) {
    if (isForeign(p)) {
      foreignSeen += weightOf(p);
      if (p.foreign! < passed.length) passed[p.foreign!]! += 1;
    } else answers += weightOf(p);
    if (p.correct) right += weightOf(p);
    const pooled = pooledForeign();
    const all = answers + Math.max(foreignSeen, pooled);
    globalConf.push(p.confidence);
    globalPrecision.push(all === 0 ? 1 : right / all);
    foreignPerAnswer.push(answers === 0 ? 0 : pooled / answers);
    if (all > 0 && right / all >= targetPrecision) global = Math.max(MIN_THRESHOLD, p.confidence);
  }
  const prefixAt = (conf: number): number => {
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
    return found;
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
    let foreignHere = 0;
    let best = NEVER_ACCEPT;
    let lastMeets = false;
    for (const p of list) {
      if (isForeign(p)) foreignHere += weightOf(p);
      else count += weightOf(p);
      if (p.correct) correct += weightOf(p);
      const at = prefixAt(p.confidence);
      const prior = at < 0 ? 1 : globalPrecision[at]!;
      const pooled = count * (at < 0 ? 0 : foreignPerAnswer[at]!);
      const estimate =
        (correct + PRIOR_WEIGHT * prior) / (count + Math.max(foreignHere, pooled) + PRIOR_WEIGHT);
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
