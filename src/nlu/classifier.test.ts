import { describe, expect, it } from 'vitest';
import { createIntentClassifier, DEFAULT_TRAIN_OPTIONS, trainIntentModel } from './classifier.ts';
import { serialiseModel } from './model-file.ts';
import { generateIntentExamples, generateXorExamples } from './testing.ts';
import { NEVER_ACCEPT } from './thresholds.ts';

const options = { ...DEFAULT_TRAIN_OPTIONS, folds: 3 };

describe('trainIntentModel', () => {
  const examples = generateIntentExamples({ seed: 1, perIntent: 40 });
  const model = trainIntentModel(examples, options);
  const classifier = createIntentClassifier(model);

  it('learns the intents, with typos, and ranks alternatives', () => {
    const p = classifier.predict('where is my pakcage');
    expect(p.label).toBe('track_order');
    expect(p.alternatives).toHaveLength(3);
    expect(p.alternatives[0]!.label).toBe('track_order');
    expect(p.alternatives[0]!.confidence).toBeGreaterThanOrEqual(p.alternatives[1]!.confidence);
    expect(classifier.predict('how do I reset my passwrod').label).toBe('reset_password');
    expect(classifier.predict('please refund my headphones').label).toBe('refund');
  });

  it('reports held-out figures and a calibrated temperature', () => {
    expect(model.cv.folds).toBe(3);
    expect(model.cv.accuracy).toBeGreaterThan(0.9);
    expect(model.temperature).toBeGreaterThan(0);
    expect(model.thresholds.perIntent).toHaveLength(4);
    expect(model.training.dataHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('keeps the SVM alone when the network adds nothing on held-out folds', () => {
    expect(model.network).toBeNull();
  });

  it('is deterministic for a seed', () => {
    const again = trainIntentModel(examples, options);
    expect(serialiseModel(again)).toBe(serialiseModel(model));
  });

  it('takes a message with no word, or only a number it knows, as out of scope, whatever its confidence', () => {
    // "order 12345" is a slot of track_order: the number alone pulls toward it.
    const thresholdsOpen = createIntentClassifier({
      ...model,
      thresholds: { ...model.thresholds, perIntent: new Float64Array(4).fill(0) },
    });
    for (const text of ['xqzt 12345', '12345', 'see https://x.example', '', '🙂 !!']) {
      expect(thresholdsOpen.predict(text), text).toMatchObject({
        accepted: false,
        outOfScope: true,
        reason: 'out_of_scope',
      });
    }
    // One word it knows is enough to go on; without a placeholder, an unknown word goes by its spelling.
    expect(thresholdsOpen.predict('where xqzt 12345').accepted).toBe(true);
    expect(thresholdsOpen.predict('pakcage')).toMatchObject({ label: 'track_order', accepted: true });
    expect(classifier.vectoriser.read('where is my pakcage 12345 https://x.example').words).toEqual({
      tokens: 6,
      placeholders: 2,
      known: 3,
    });
  });

  it('refuses unsure predictions as low confidence, not out of scope, and accepts confident ones', () => {
    const confident = classifier.predict('where is my parcel');
    expect(confident).toMatchObject({ accepted: true, outOfScope: false, reason: 'accepted' });
    const unsure = createIntentClassifier({
      ...model,
      thresholds: { ...model.thresholds, perIntent: new Float64Array(4).fill(NEVER_ACCEPT) },
    });
    expect(unsure.predict('where is my parcel')).toMatchObject({
      accepted: false,
      outOfScope: false,
      reason: 'low_confidence',
    });
  });
});

describe('out-of-scope examples', () => {
  const examples = generateIntentExamples({ seed: 2, perIntent: 40, outOfScope: 40 });
  const model = trainIntentModel(examples, options);
  const classifier = createIntentClassifier(model);

  it('learns them as a class that is never returned as the label', () => {
    expect(model.labels).toContain('oos');
    const p = classifier.predict('tell me a joke about the weather');
    expect(p.outOfScope).toBe(true);
    expect(p.reason).toBe('out_of_scope');
    expect(p.label).not.toBe('oos');
    expect(p.alternatives.map((a) => a.label)).not.toContain('oos');
    expect(classifier.predict('when will my order be delivered').outOfScope).toBe(false);
  });

  it('reports out-of-scope recall on the held-out folds', () => {
    expect(model.cv.oosRecall).toBeGreaterThan(0.8);
  });

  it('compares the novelty threshold with the score it was chosen for', () => {
    expect(['confidence', 'oos-margin']).toContain(model.noveltyScore);
    const text = 'when will my order be delivered';
    // The margin over the oos class: a cut-off above any margin sends everything to people, 0 only what the
    // oos class wins.
    const strict = createIntentClassifier({ ...model, noveltyScore: 'oos-margin', noveltyThreshold: 1e9 });
    expect(strict.predict(text)).toMatchObject({ outOfScope: true, reason: 'out_of_scope' });
    const lenient = createIntentClassifier({ ...model, noveltyScore: 'oos-margin', noveltyThreshold: 0 });
    expect(lenient.predict(text).reason).not.toBe('out_of_scope');
    expect(lenient.predict('tell me a joke about the weather').reason).toBe('out_of_scope');
  });
});

describe('without out-of-scope examples', () => {
  it('has no novelty threshold', () => {
    const model = trainIntentModel(generateIntentExamples({ seed: 4, perIntent: 20 }), options);
    expect(model).toMatchObject({ noveltyScore: 'confidence', noveltyThreshold: 0 });
  });
});

describe('the network averaged with the SVM', () => {
  // Intents told apart only by a pair of words: the SVM alone is near chance, the network learns the pairs.
  const examples = generateXorExamples({ seed: 1, count: 600 });
  const model = trainIntentModel(examples, options);
  const svmOnly = trainIntentModel(examples, { ...options, mlp: false });

  it('is kept when it beats the SVM on the held-out folds, with its weight and calibration', () => {
    expect(svmOnly.network).toBeNull();
    expect(svmOnly.cv.accuracy).toBeLessThan(0.75);
    expect(model.network).not.toBeNull();
    expect(model.network!.weight).toBeGreaterThan(0);
    expect(model.cv.accuracy).toBeGreaterThan(0.95);
    expect(model.cv.expectedCalibrationError).toBeLessThan(0.1);
  });

  it('predicts new texts with calibrated confidence', () => {
    const classifier = createIntentClassifier(model);
    const test = generateXorExamples({ seed: 2, count: 200 });
    const right = test.filter((e) => classifier.predict(e.text).label === e.label).length;
    expect(right / test.length).toBeGreaterThan(0.95);
    const p = classifier.predict('beta now again south today');
    expect(p.label).toBe('same');
    expect(p.confidence).toBeGreaterThan(0.5);
    expect(p.confidence).toBeLessThanOrEqual(1);
  });

  it('is deterministic for a seed', () => {
    expect(serialiseModel(trainIntentModel(examples, options))).toBe(serialiseModel(model));
  });
});
