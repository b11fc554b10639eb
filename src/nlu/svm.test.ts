import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SETTINGS, fitVectoriser, rowOf } from './features.ts';
import {
  DEFAULT_SOFTMAX_OPTIONS,
  type LinearModel,
  linearScores,
  softmaxInPlace,
  trainSoftmax,
} from './softmax.ts';
import { DEFAULT_SVM_OPTIONS, trainLinearSvm } from './svm.ts';
import { generateIntentExamples } from './testing.ts';

const train = generateIntentExamples({ seed: 11, perIntent: 40 });
const test = generateIntentExamples({ seed: 12, perIntent: 10 });
const labels = [...new Set(train.map((e) => e.label))].sort();
const vectoriser = fitVectoriser(
  train.map((e) => e.text),
  { ...DEFAULT_FEATURE_SETTINGS, minDf: 1 },
);
const x = vectoriser.transformAll(train.map((e) => e.text));
const y = train.map((e) => labels.indexOf(e.label));

function accuracy(model: LinearModel): number {
  const xt = vectoriser.transformAll(test.map((e) => e.text));
  const scores = new Float64Array(labels.length);
  let right = 0;
  test.forEach((e, i) => {
    linearScores(model, rowOf(xt, i), scores);
    let top = 0;
    for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[top]!) top = k;
    if (labels[top] === e.label) right++;
  });
  return right / test.length;
}

describe('linear models', () => {
  it('the one-vs-rest SVM (squared hinge and hinge) separates the generated intents', () => {
    expect(accuracy(trainLinearSvm(x, y, labels.length, DEFAULT_SVM_OPTIONS))).toBeGreaterThan(0.95);
    expect(
      accuracy(trainLinearSvm(x, y, labels.length, { ...DEFAULT_SVM_OPTIONS, loss: 'l1' })),
    ).toBeGreaterThan(0.95);
  });

  it('softmax regression by SGD separates them too, deterministically for a seed', () => {
    const a = trainSoftmax(x, y, labels.length, DEFAULT_SOFTMAX_OPTIONS);
    const b = trainSoftmax(x, y, labels.length, DEFAULT_SOFTMAX_OPTIONS);
    expect(accuracy(a)).toBeGreaterThan(0.95);
    expect(a.weights).toEqual(b.weights);
  });

  it('softmax with a temperature gives probabilities that sum to 1, flatter when hotter', () => {
    const cold = Float64Array.from([2, 1, 0]);
    const hot = Float64Array.from([2, 1, 0]);
    softmaxInPlace(cold, 0.5);
    softmaxInPlace(hot, 2);
    expect(cold.reduce((s, v) => s + v, 0)).toBeCloseTo(1);
    expect(cold[0]!).toBeGreaterThan(hot[0]!);
  });
});
