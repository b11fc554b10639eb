import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/index.ts';
import {
  createIntentClassifier,
  DEFAULT_TRAIN_OPTIONS,
  recalibrate,
  trainIntentModel,
} from './classifier.ts';
import {
  dequantiseRows,
  modelToJson,
  parseModel,
  quantiseRows,
  readModelFile,
  serialiseModel,
  writeModelFile,
} from './model-file.ts';
import { createNlu } from './nlu.ts';
import { generateIntentExamples, generateXorExamples } from './testing.ts';

const model = trainIntentModel(generateIntentExamples({ seed: 3, perIntent: 30, outOfScope: 20 }), {
  ...DEFAULT_TRAIN_OPTIONS,
  folds: 3,
});

describe('model file', () => {
  it('round-trips: same labels, thresholds and predictions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlu-model-'));
    const path = join(dir, 'm.json');
    writeModelFile(path, model);
    expect(readdirSync(dir)).toEqual(['m.json']);
    const loaded = readModelFile(path);
    expect(loaded.labels).toEqual(model.labels);
    expect(loaded.temperature).toBe(model.temperature);
    expect([...loaded.thresholds.perIntent]).toEqual([...model.thresholds.perIntent]);
    expect(loaded.noveltyScore).toBe(model.noveltyScore);
    expect(loaded.noveltyThreshold).toBe(model.noveltyThreshold);
    const a = createIntentClassifier(model);
    const b = createIntentClassifier(loaded);
    for (const text of [
      'where is my order',
      'refund my shoes',
      'new billing address',
      'forgot my pin',
      'tell me a joke',
    ]) {
      const pa = a.predict(text);
      const pb = b.predict(text);
      expect(pb.label).toBe(pa.label);
      expect(pb.confidence).toBeCloseTo(pa.confidence, 2);
    }
  });

  it('round-trips the network averaged with the SVM', () => {
    const withNetwork = trainIntentModel(generateXorExamples({ seed: 1, count: 600 }), {
      ...DEFAULT_TRAIN_OPTIONS,
      folds: 3,
    });
    expect(withNetwork.network).not.toBeNull();
    const json = modelToJson(withNetwork);
    expect(json.network).toMatchObject({
      kind: 'mlp-relu',
      hidden: 128,
      weight: withNetwork.network!.weight,
    });
    expect(modelToJson(model).network).toBeNull();
    const loaded = parseModel(JSON.stringify(json), 'm.json');
    const a = createIntentClassifier(withNetwork);
    const b = createIntentClassifier(loaded);
    for (const e of generateXorExamples({ seed: 5, count: 20 })) {
      const pa = a.predict(e.text);
      const pb = b.predict(e.text);
      expect(pb.label).toBe(pa.label);
      expect(pb.confidence).toBeCloseTo(pa.confidence, 2);
    }
    const bad = { ...json, network: { ...json.network!, hidden: 64 } };
    expect(() => parseModel(JSON.stringify(bad), 'm.json')).toThrow(/network array sizes do not match/);
  });

  it('is self-describing JSON', () => {
    const json = modelToJson(model);
    expect(json).toMatchObject({ format: 'switchboard-nlu-model', formatVersion: 4, oosLabel: 'oos' });
    expect(['confidence', 'oos-margin']).toContain(json.thresholds.noveltyScore);
    expect(json.features.settings.charNgrams).toEqual([3, 5]);
    expect(json.training.dataHash).toMatch(/^sha256:/);
    expect(json.crossValidation.folds).toBe(3);
  });

  it('refuses another format version with a clear UserError', () => {
    // Version 1 files compared the novelty threshold with the confidence only; version 2 says which score;
    // version 3 adds the network.
    const text = JSON.stringify({ ...modelToJson(model), formatVersion: 1 });
    expect(() => parseModel(text, 'm.json')).toThrow(/format version 1 cannot be read/);
    try {
      parseModel(text, 'm.json');
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe('nlu.model_version');
    }
  });

  it('refuses a corrupt or truncated file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlu-model-'));
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify(modelToJson(model)).slice(0, 500));
    expect(() => readModelFile(path)).toThrow(UserError);
    const wrongSizes = { ...modelToJson(model), classifier: { ...modelToJson(model).classifier, bias: [1] } };
    expect(() => parseModel(JSON.stringify(wrongSizes), 'x.json')).toThrow(/sizes do not match/);
    // A float32 array cut in the middle of a value (7 bytes) is a UserError too, not a crash.
    const json = modelToJson(model);
    const cut = { ...json, features: { ...json.features, idfFloat32: Buffer.alloc(7).toString('base64') } };
    expect(() => parseModel(JSON.stringify(cut), 'x.json')).toThrow(UserError);
    expect(() => parseModel('{"format":"other","formatVersion":1}', 'x.json')).toThrow(
      /not a Switchboard NLU model/,
    );
  });

  it('quantises weights to int8 per row within half a step', () => {
    const w = Float32Array.from([0.5, -1, 0.25, 0, 0, 0, 3, 2, -1]);
    const q = quantiseRows(w, 3);
    const back = dequantiseRows(q.scales, q.data, 3);
    for (let i = 0; i < w.length; i++) {
      expect(Math.abs(back[i]! - w[i]!)).toBeLessThanOrEqual(q.scales[Math.floor(i / 3)]! / 2 + 1e-7);
    }
  });

  it('stores the deployment entity patterns with the model, and still reads files without them', () => {
    const entities = { replace: { order_number: ['\\bSO-\\d{6}\\b'] }, add: { sku: ['\\bSKU-\\d+\\b'] } };
    const text = serialiseModel({ ...model, entities });
    expect(JSON.parse(text)).toMatchObject({ formatVersion: 4, entities });
    expect(parseModel(text, 'm.json').entities).toEqual(entities);
    const nlu = createNlu({ model: parseModel(text, 'm.json') });
    expect(nlu.predict('order SO-123456, SKU-77').entities.map((e) => e.value)).toEqual([
      'SO-123456',
      'SKU-77',
    ]);
    // A file written before patterns could be stored (no "entities") reads as the defaults.
    const old = parseModel(serialiseModel(model), 'old.json');
    expect(old.entities).toBeUndefined();
    expect(createNlu({ model: old }).predict('order #48213').entities[0]).toMatchObject({ value: '48213' });
  });

  it('keeps the held-out predictions, so a loaded model is recalibrated as the trained one is', () => {
    const loaded = parseModel(serialiseModel(model), 'm.json');
    expect(loaded.heldOut?.gold).toEqual(model.heldOut?.gold);
    expect(loaded.heldOut?.top).toEqual(model.heldOut?.top);
    expect(loaded.heldOut?.confidence).toEqual(model.heldOut?.confidence);
    expect(loaded.heldOut?.oosMargin).toEqual(model.heldOut?.oosMargin);
    const a = recalibrate(model, { expectedOosShare: 0.4 });
    const b = recalibrate(loaded, { expectedOosShare: 0.4 });
    expect([...b.thresholds.perIntent]).toEqual([...a.thresholds.perIntent]);
    expect(b.noveltyThreshold).toBe(a.noveltyThreshold);
  });

  it('reads a version 3 file, which predicts but cannot be recalibrated', () => {
    const { heldOut: _dropped, ...rest } = modelToJson(model);
    const v3 = parseModel(JSON.stringify({ ...rest, formatVersion: 3 }), 'v3.json');
    expect(v3.heldOut).toBeUndefined();
    expect(createIntentClassifier(v3).predict('where is my order').label).toBe(
      createIntentClassifier(model).predict('where is my order').label,
    );
    expect(() => recalibrate(v3, { expectedOosShare: 0.2 })).toThrow(/train it again to recalibrate/);
    expect(() => parseModel(JSON.stringify({ ...rest, formatVersion: 2 }), 'v2.json')).toThrow(
      /format version 2 cannot be read/,
    );
  });

  it('refuses a model whose stored entity pattern does not compile', () => {
    const text = JSON.stringify({ ...modelToJson(model), entities: { replace: { sku: ['(SKU'] }, add: {} } });
    expect(() => parseModel(text, 'm.json')).toThrow(/entity patterns: not a valid regular expression/);
    try {
      parseModel(text, 'm.json');
    } catch (error) {
      expect((error as UserError).describe()).toMatch(
        /^m\.json: entities\.replace\.sku\.0: the model's entity patterns/,
      );
    }
  });
  describe('refuses a tampered file, naming the field', () => {
    const json = modelToJson(model);
    const network = modelToJson(
      trainIntentModel(generateXorExamples({ seed: 1, count: 300 }), { ...DEFAULT_TRAIN_OPTIONS, folds: 3 }),
    );
    const nanFloat32 = (count: number, at = 0) => {
      const a = new Float32Array(count).fill(1);
      a[at] = Number.NaN;
      return Buffer.from(a.buffer).toString('base64');
    };
    const dimension = json.classifier.dimension;
    const cases: [string, unknown, string, RegExp][] = [
      [
        'char n-grams up to 20,000 characters',
        {
          ...json,
          features: { ...json.features, settings: { ...json.features.settings, charNgrams: [1, 20000] } },
        },
        'features.settings.charNgrams.1',
        /at most 6/,
      ],
      [
        'word n-grams of 50 words',
        {
          ...json,
          features: { ...json.features, settings: { ...json.features.settings, wordNgrams: [1, 50] } },
        },
        'features.settings.wordNgrams.1',
        /at most 3/,
      ],
      [
        'a block weight that overflows float32',
        {
          ...json,
          features: { ...json.features, settings: { ...json.features.settings, wordWeight: 1e300 } },
        },
        'features.settings.wordWeight',
        /./,
      ],
      [
        'a NaN weight scale',
        { ...json, classifier: { ...json.classifier, rowScalesFloat32: nanFloat32(dimension, 3) } },
        'classifier.rowScalesFloat32',
        /not a finite number at 3/,
      ],
      [
        'a NaN IDF',
        { ...json, features: { ...json.features, idfFloat32: nanFloat32(dimension) } },
        'features.idfFloat32',
        /not a finite number at 0/,
      ],
      [
        'an infinite bias',
        JSON.stringify({ ...json, classifier: { ...json.classifier, bias: [] } }).replace(
          '"bias":[]',
          `"bias":[${json.classifier.bias.map((_, i) => (i === 0 ? '1e999' : '0')).join(',')}]`,
        ),
        'classifier.bias.0',
        /./,
      ],
      [
        'a temperature that turns every score into infinity',
        { ...json, calibration: { method: 'temperature', temperature: 1e-300 } },
        'calibration.temperature',
        /./,
      ],
      [
        'a negative per-intent threshold',
        {
          ...json,
          thresholds: {
            ...json.thresholds,
            perIntent: { ...json.thresholds.perIntent, [json.labels[0]!]: -0.5 },
          },
        },
        `thresholds.perIntent.${json.labels[0]}`,
        /between 0 and 1, or 2/,
      ],
      [
        'a global threshold above 1',
        { ...json, thresholds: { ...json.thresholds, global: 1.5 } },
        'thresholds.global',
        /between 0 and 1, or 2/,
      ],
      [
        'a negative novelty threshold',
        { ...json, thresholds: { ...json.thresholds, noveltyThreshold: -1 } },
        'thresholds.noveltyThreshold',
        /./,
      ],
      [
        'a confidence novelty threshold above 1',
        { ...json, thresholds: { ...json.thresholds, noveltyScore: 'confidence', noveltyThreshold: 1.5 } },
        'thresholds.noveltyThreshold',
        /above 1/,
      ],
      [
        'a per-intent threshold for an unknown intent',
        {
          ...json,
          thresholds: { ...json.thresholds, perIntent: { ...json.thresholds.perIntent, ghost: 0.5 } },
        },
        'thresholds.perIntent.ghost',
        /not one of the model's labels/,
      ],
      [
        'duplicate labels',
        { ...json, labels: [json.labels[0], ...json.labels.slice(0, -1)] },
        'labels.1',
        /duplicate label/,
      ],
      [
        'a vocabulary larger than the weights',
        { ...json, features: { ...json.features, wordTerms: [...json.features.wordTerms, 'extra'] } },
        'features',
        /sizes do not match/,
      ],
      [
        'a held-out confidence that is NaN',
        { ...json, heldOut: { ...json.heldOut!, confidenceFloat32: nanFloat32(json.training.examples, 2) } },
        'heldOut.confidenceFloat32',
        /at 2/,
      ],
      [
        'a held-out intent index out of range',
        {
          ...json,
          heldOut: {
            ...json.heldOut!,
            goldInt32: Buffer.from(new Int32Array(json.training.examples).fill(99).buffer).toString('base64'),
          },
        },
        'heldOut.goldInt32',
        /not an intent index at 0/,
      ],
      [
        'a NaN in the network',
        {
          ...network,
          network: { ...network.network!, b2Float32: nanFloat32(network.classifier.classes, 1) },
        },
        'network.b2Float32',
        /not a finite number at 1/,
      ],
      [
        'an infinitesimal network temperature',
        { ...network, network: { ...network.network!, mlpTemperature: 1e-30 } },
        'network.mlpTemperature',
        /./,
      ],
    ];
    it.each(cases)('%s', (_name, tampered, field, message) => {
      const text = typeof tampered === 'string' ? tampered : JSON.stringify(tampered);
      let caught: unknown;
      try {
        parseModel(text, 'm.json');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UserError);
      const error = caught as UserError;
      expect(error.code).toBe('nlu.model_corrupt');
      expect(error.describe().startsWith(`m.json: ${field}: `)).toBe(true);
      expect(error.message).toMatch(message);
    });

    it('still reads the untampered files, version 4 and 3', () => {
      expect(parseModel(JSON.stringify(json), 'm.json').labels).toEqual(json.labels);
      expect(parseModel(JSON.stringify(network), 'n.json').network).not.toBeNull();
      const { heldOut: _dropped, ...v3 } = json;
      expect(parseModel(JSON.stringify({ ...v3, formatVersion: 3 }), 'v3.json').labels).toEqual(json.labels);
    });
  });
});
