/**
 * Figures for a set of predictions against gold labels: accuracy, macro-F1, out-of-scope precision and
 * recall, coverage and precision of the accepted predictions, and the most confused pairs.
 *
 * @example
 * const m = evaluatePredictions([{ gold: 'refund', predicted: 'refund', confidence: 0.9, accepted: true }], 'oos');
 * m.accuracy; // 1
 */
export interface ScoredPrediction {
  gold: string;
  /** The decision: an intent, or the out-of-scope label when the model ruled the text out of scope. */
  predicted: string;
  /** Calibrated probability of the top intent. */
  confidence: number;
  /** Above its intent's threshold: would be acted on without a person. */
  accepted: boolean;
}

export interface ConfusedPair {
  gold: string;
  predicted: string;
  count: number;
}

export interface EvaluationReport {
  examples: number;
  accuracy: number;
  macroF1: number;
  /** Accuracy on the examples whose gold label is not out of scope (CLINC150's "in-scope accuracy"). */
  inScopeAccuracy: number;
  /** Null when the gold labels have no out-of-scope examples. */
  oosRecall: number | null;
  oosPrecision: number | null;
  /** Share of examples accepted by the thresholds, and how often the accepted ones were right. */
  coverage: number;
  acceptedPrecision: number | null;
  confusedPairs: ConfusedPair[];
}

export function evaluatePredictions(
  predictions: readonly ScoredPrediction[],
  oosLabel: string,
  topPairs = 10,
): EvaluationReport {
  const n = predictions.length;
  let correct = 0;
  let inScope = 0;
  let inScopeCorrect = 0;
  let oosGold = 0;
  let oosPredicted = 0;
  let oosBoth = 0;
  let accepted = 0;
  let acceptedRight = 0;
  const tp = new Map<string, number>();
  const goldCount = new Map<string, number>();
  const predCount = new Map<string, number>();
  const pairs = new Map<string, ConfusedPair>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const p of predictions) {
    const right = p.gold === p.predicted;
    if (right) {
      correct++;
      inc(tp, p.gold);
    } else {
      const key = `${p.gold}\u0000${p.predicted}`;
      const pair = pairs.get(key) ?? { gold: p.gold, predicted: p.predicted, count: 0 };
      pair.count++;
      pairs.set(key, pair);
    }
    inc(goldCount, p.gold);
    inc(predCount, p.predicted);
    if (p.gold === oosLabel) {
      oosGold++;
      if (p.predicted === oosLabel) oosBoth++;
    } else {
      inScope++;
      if (right) inScopeCorrect++;
    }
    if (p.predicted === oosLabel) oosPredicted++;
    if (p.accepted) {
      accepted++;
      if (right) acceptedRight++;
    }
  }
  let f1Sum = 0;
  const labels = new Set([...goldCount.keys()]);
  for (const label of labels) {
    const t = tp.get(label) ?? 0;
    const precision = t / (predCount.get(label) || 1);
    const recall = t / (goldCount.get(label) || 1);
    f1Sum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  }
  return {
    examples: n,
    accuracy: n ? correct / n : 0,
    macroF1: labels.size ? f1Sum / labels.size : 0,
    inScopeAccuracy: inScope ? inScopeCorrect / inScope : 0,
    oosRecall: oosGold ? oosBoth / oosGold : null,
    oosPrecision: oosGold ? (oosPredicted ? oosBoth / oosPredicted : 0) : null,
    coverage: n ? accepted / n : 0,
    acceptedPrecision: accepted ? acceptedRight / accepted : null,
    confusedPairs: [...pairs.values()]
      .sort(
        (a, b) => b.count - a.count || a.gold.localeCompare(b.gold) || a.predicted.localeCompare(b.predicted),
      )
      .slice(0, topPairs),
  };
}

/** Out-of-scope shares of live traffic `nlu eval` and bench:nlu-oos report. */
export const REPORTED_OOS_SHARES = [0, 0.1, 0.25, 0.5] as const;

export interface ShareFigures {
  /** Out-of-scope share of the traffic. */
  share: number;
  /** Share of all messages answered on their own (accepted). */
  answered: number;
  /** How often those answers were right; null when nothing was answered. */
  precision: number | null;
}

/**
 * What the accepted predictions would be worth if `share` of the traffic were out of scope: the out-of-scope
 * predictions are weighted to make up that share (so every share uses all of them), the in-scope ones count once.
 * An accepted out-of-scope message is always a wrong answer. Null precision with nothing accepted; no figure for
 * a share above 0 without out-of-scope predictions.
 *
 * @example
 * atOutOfScopeShares(inScope, foreign, [0, 0.5]);
 * // [{ share: 0, answered: 0.78, precision: 0.972 }, { share: 0.5, answered: 0.39, precision: 0.969 }]
 */
export function atOutOfScopeShares(
  inScope: readonly { accepted: boolean; correct: boolean }[],
  outOfScope: readonly { accepted: boolean }[],
  shares: readonly number[] = REPORTED_OOS_SHARES,
): ShareFigures[] {
  const n = inScope.length;
  const acceptedIn = inScope.filter((p) => p.accepted).length;
  const rightIn = inScope.filter((p) => p.accepted && p.correct).length;
  const acceptedOos = outOfScope.filter((p) => p.accepted).length;
  return shares.flatMap((share) => {
    if (share > 0 && outOfScope.length === 0) return [];
    if (n === 0) return [];
    const weight = share === 0 ? 0 : (n * share) / (1 - share) / outOfScope.length;
    const answered = acceptedIn + acceptedOos * weight;
    return [
      {
        share,
        answered: answered / (n + outOfScope.length * weight),
        precision: answered === 0 ? null : rightIn / answered,
      },
    ];
  });
}
