import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SETTINGS, fitVectoriser } from './features.ts';
import { createMlpScorer, DEFAULT_MLP_OPTIONS, trainMlp } from './mlp.ts';
import { linearScores } from './softmax.ts';
import { trainLinearSvm } from './svm.ts';
import { generateXorExamples } from './testing.ts';

function xorTexts(count: number, seed: number): { texts: string[]; labels: number[] } {
  const examples = generateXorExamples({ seed, count });
  return { texts: examples.map((e) => e.text), labels: examples.map((e) => (e.label === 'same' ? 0 : 1)) };
}

function accuracy(score: (i: number, out: Float64Array) => void, labels: number[]): number {
  const out = new Float64Array(2);
  let right = 0;
  labels.forEach((label, i) => {
    score(i, out);
    if ((out[1]! > out[0]! ? 1 : 0) === label) right++;
  });
  return right / labels.length;
}

describe('trainMlp', () => {
  const train = xorTexts(600, 1);
  const test = xorTexts(200, 2);
  const vectoriser = fitVectoriser(train.texts, { ...DEFAULT_FEATURE_SETTINGS, minDf: 1, charIdf: false });
  const x = vectoriser.transformAll(train.texts);
  const testRows = test.texts.map((t) => vectoriser.transform(t));
  const options = { ...DEFAULT_MLP_OPTIONS, epochs: 30, seed: 1 };

  it('learns word interactions that a linear model cannot', () => {
    const network = createMlpScorer(trainMlp(x, train.labels, 2, options), vectoriser.dimension);
    const svm = trainLinearSvm(x, train.labels, 2, { c: 0.5, epochs: 60, tolerance: 0.1, seed: 1 });
    const mlpAccuracy = accuracy((i, out) => network(testRows[i]!, out), test.labels);
    const svmAccuracy = accuracy((i, out) => linearScores(svm, testRows[i]!, out), test.labels);
    expect(mlpAccuracy).toBeGreaterThan(0.95);
    expect(svmAccuracy).toBeLessThan(0.7);
  });

  it('is deterministic for a seed, and another seed gives other weights', () => {
    const a = trainMlp(x, train.labels, 2, options);
    const b = trainMlp(x, train.labels, 2, options);
    const c = trainMlp(x, train.labels, 2, { ...options, seed: 2 });
    expect([...b.w2]).toEqual([...a.w2]);
    expect([...c.w2]).not.toEqual([...a.w2]);
  });

  it('reads only the features seen in minDf training texts, and ignores unknown ones', () => {
    const model = trainMlp(x, train.labels, 2, { ...options, minDf: 2, epochs: 1 });
    const df = new Int32Array(x.cols);
    for (const f of x.indices) df[f]!++;
    expect([...model.inputs]).toEqual([...df.keys()].filter((f) => df[f]! >= 2));
    expect(model.w1).toHaveLength(model.inputs.length * model.hidden);
    // A feature index beyond the vectoriser (a newer vocabulary) or not read by the network adds nothing.
    const score = createMlpScorer(model, vectoriser.dimension);
    const bias = new Float64Array(2);
    score({ indices: new Int32Array(0), values: new Float32Array(0) }, bias);
    const out = new Float64Array(2);
    score({ indices: Int32Array.from([vectoriser.dimension + 5]), values: Float32Array.from([1]) }, out);
    expect([...out]).toEqual([...bias]);
  });
});
