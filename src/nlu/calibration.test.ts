import { describe, expect, it } from 'vitest';
import { seededRandom } from '../shared/random.ts';
import { expectedCalibrationError, fitTemperature } from './calibration.ts';
import { softmaxInPlace } from './softmax.ts';
import { chooseThresholds, coverageAtPrecision, NEVER_ACCEPT, passesThreshold } from './thresholds.ts';

/** Two-class scores whose true probability of class 0 is sigmoid(margin / trueT). */
function synthetic(n: number, trueT: number, seed: number) {
  const random = seededRandom(seed);
  const scores = new Float64Array(n * 2);
  const gold = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const margin = (random() - 0.5) * 2;
    scores[i * 2] = margin;
    const p0 = 1 / (1 + Math.exp(-margin / trueT));
    gold[i] = random() < p0 ? 0 : 1;
  }
  return { scores, gold };
}

describe('temperature scaling', () => {
  it('recovers the temperature that generated the labels', () => {
    const { scores, gold } = synthetic(20_000, 0.25, 3);
    expect(fitTemperature(scores, 2, gold)).toBeCloseTo(0.25, 1);
  });

  it('lowers the calibration error of over-confident scores', () => {
    const { scores, gold } = synthetic(5_000, 0.5, 4);
    const confidences = (t: number) => {
      const conf: number[] = [];
      const correct: boolean[] = [];
      for (let i = 0; i < gold.length; i++) {
        const p = Float64Array.from([scores[i * 2]!, scores[i * 2 + 1]!]);
        softmaxInPlace(p, t);
        const top = p[0]! >= p[1]! ? 0 : 1;
        conf.push(p[top]!);
        correct.push(top === gold[i]);
      }
      return expectedCalibrationError(conf, correct);
    };
    const fitted = fitTemperature(scores, 2, gold);
    expect(confidences(fitted)).toBeLessThan(confidences(0.05));
    expect(confidences(fitted)).toBeLessThan(0.03);
  });
});

describe('thresholds', () => {
  const random = seededRandom(9);
  // Class 0 is easy (right when confident), class 1 is right only 80% of the time whatever the confidence.
  const predictions = Array.from({ length: 2000 }, (_, i) => {
    const predicted = i % 2;
    const confidence = 0.5 + random() / 2;
    const correct = predicted === 0 ? random() < confidence + 0.05 : random() < 0.8;
    return { predicted, confidence, correct };
  });

  it('sets a per-intent threshold that reaches the target precision, and barely accepts an unreliable intent', () => {
    const t = chooseThresholds(predictions, 2, 0.97);
    expect(t.perIntent[0]).toBeGreaterThan(0.5);
    expect(t.perIntent[0]).toBeLessThan(1);
    expect(t.perIntent[1]).toBeGreaterThan(0.95);
    expect(chooseThresholds([{ predicted: 0, confidence: 0.9, correct: false }], 2, 0.97).perIntent[0]).toBe(
      NEVER_ACCEPT,
    );
    const accepted = predictions.filter((p) => passesThreshold(p.confidence, t.perIntent[p.predicted]!));
    const precision = accepted.filter((p) => p.correct).length / accepted.length;
    expect(precision).toBeGreaterThanOrEqual(0.96);
  });

  it('does not set the cut at the least confident held-out prediction when every one met the target', () => {
    // Very separable data: every held-out prediction is right and at 0.995 or more.
    const sharp = Array.from({ length: 200 }, (_, i) => ({
      predicted: 0,
      confidence: 0.995 + (i % 5) / 1000,
      correct: true,
    }));
    expect(chooseThresholds(sharp, 1, 0.97).perIntent[0]).toBe(0.97);
    // Lower confidences that were seen and right are still accepted.
    const wide = sharp.map((p, i) => ({ ...p, confidence: i === 0 ? 0.6 : p.confidence }));
    expect(chooseThresholds(wide, 1, 0.97).perIntent[0]).toBe(0.6);
  });

  it('measures coverage at a precision with a single cut-off', () => {
    const preds = [
      { confidence: 0.9, correct: true },
      { confidence: 0.8, correct: true },
      { confidence: 0.7, correct: false },
      { confidence: 0.6, correct: true },
    ];
    expect(coverageAtPrecision(preds, 1)).toBe(0.5);
    expect(coverageAtPrecision(preds, 0.75)).toBe(1);
  });
});
