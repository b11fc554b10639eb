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
});
