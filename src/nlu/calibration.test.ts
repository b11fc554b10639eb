import { describe, expect, it } from 'vitest';
import { seededRandom } from '../shared/random.ts';
import { expectedCalibrationError, fitTemperature } from './calibration.ts';
import { softmaxInPlace } from './softmax.ts';
import {
  chooseThresholds,
  coverageAtPrecision,
  foreignRateUpperBound,
  NEVER_ACCEPT,
  passesThreshold,
} from './thresholds.ts';

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

describe('foreign messages counted at the upper bound of their rate', () => {
  it('bounds a rate above what was seen, the more the fewer the examples', () => {
    expect(foreignRateUpperBound(0, 100)).toBeCloseTo(0.026, 3);
    expect(foreignRateUpperBound(0, 2000)).toBeCloseTo(0.00135, 4);
    expect(foreignRateUpperBound(5, 100)).toBeGreaterThan(0.05);
    expect(foreignRateUpperBound(50, 1000)).toBeLessThan(foreignRateUpperBound(5, 100));
    expect(foreignRateUpperBound(0, 0)).toBe(1);
  });

  // Ten intents, right about as often as their confidence says; a quarter of the traffic foreign, and none of
  // the held-out foreign messages passed (the novelty rule rejected them all). The foreign weight is the same
  // whatever the number of examples; what differs is how sure they can make us of "none passes".
  const random = seededRandom(11);
  const inScope = Array.from({ length: 2000 }, (_, i) => {
    const confidence = 0.5 + random() / 2;
    return { predicted: i % 10, confidence, correct: random() < Math.min(1, confidence + 0.04) };
  });
  const mass = inScope.length / 3;
  const thresholdsWith = (examples: number) =>
    chooseThresholds(inScope, 10, 0.97, [{ examples, weight: mass / examples }]);

  it('makes the thresholds at least as strict with few held-out foreign examples as with many', () => {
    const few = [...thresholdsWith(200).perIntent];
    const many = [...thresholdsWith(5000).perIntent];
    for (const [k, t] of few.entries()) expect(t).toBeGreaterThanOrEqual(many[k]!);
    expect(few.some((t, k) => t > many[k]!)).toBe(true);
    // With many examples the bound costs little: close to the thresholds of no foreign traffic at all.
    const none = [...chooseThresholds(inScope, 10, 0.97).perIntent];
    for (const [k, t] of many.entries()) expect(t).toBeGreaterThanOrEqual(none[k]!);
    const accepted = (ts: number[]) => inScope.filter((p) => passesThreshold(p.confidence, ts[p.predicted]!));
    expect(accepted(many).length).toBeGreaterThan(0.9 * accepted(none).length);
    expect(accepted(few).length).toBeLessThan(accepted(many).length);
  });

  it('keeps the promise at the bound: the accepted answers stay right when foreign ones pass at that rate', () => {
    const t = [...thresholdsWith(200).perIntent];
    const accepted = inScope.filter((p) => passesThreshold(p.confidence, t[p.predicted]!));
    const right = accepted.filter((p) => p.correct).length;
    // Every foreign message that passes at the bound (200 examples, none seen) lands on some accepted answer.
    const foreign = mass * foreignRateUpperBound(0, 200);
    expect(right / (accepted.length + foreign)).toBeGreaterThanOrEqual(0.96);
  });
});
