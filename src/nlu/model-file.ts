import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../shared/index.ts';
import type { IntentModel } from './classifier.ts';
import { OOS_LABEL } from './classifier.ts';
import { type EntityPatternsConfig, findBadEntityPattern } from './entities.ts';
import { NEVER_ACCEPT } from './thresholds.ts';

/**
 * The model file: one self-describing JSON document (format and version, labels, feature settings and
 * vocabulary, training-data hash, calibration, thresholds, cross-validation figures) with the numeric arrays
 * stored compactly as base64. The weight matrix is quantised to int8 with one scale per feature row, which
 * makes the file 4x smaller than float32 and changes no prediction that matters (see model-file.test.ts).
 *
 * @example
 * writeModelFile('intents.model.json', model);
 * const again = readModelFile('intents.model.json'); // UserError if corrupt or another format version
 */
export const MODEL_FORMAT = 'switchboard-nlu-model';
export const MODEL_FORMAT_VERSION = 2;

const base64Of = (a: Float32Array | Int8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function float32From(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteLength % 4 !== 0) throw new Error('float32 array has a length that is not a multiple of 4');
  // Copy into an aligned buffer: a Buffer slice may start at any byte offset.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

function int8From(base64: string): Int8Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Int8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** int8 quantisation with one scale per row of `cols` values (a feature's weights for every class). */
export function quantiseRows(values: Float32Array, cols: number): { scales: Float32Array; data: Int8Array } {
  const rows = values.length / cols;
  const scales = new Float32Array(rows);
  const data = new Int8Array(values.length);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(values[r * cols + c]!));
    const scale = max / 127;
    scales[r] = scale;
    if (scale === 0) continue;
    for (let c = 0; c < cols; c++) data[r * cols + c] = Math.round(values[r * cols + c]! / scale);
  }
  return { scales, data };
}

export function dequantiseRows(scales: Float32Array, data: Int8Array, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * scales[Math.floor(i / cols)]!;
  return out;
}

const featureSettingsSchema = z.object({
  wordNgrams: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
  charNgrams: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
  minDf: z.number().int().min(1),
  sublinearTf: z.boolean(),
  charIdf: z.boolean(),
  wordWeight: z.number(),
  charWeight: z.number(),
});

const fileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(MODEL_FORMAT_VERSION),
  labels: z.array(z.string()).min(2),
  oosLabel: z.string(),
  features: z.object({
    settings: featureSettingsSchema,
    wordTerms: z.array(z.string()),
    charTerms: z.array(z.string()),
    idfFloat32: z.string(),
  }),
  classifier: z.object({
    kind: z.literal('linear-svm-ovr'),
    classes: z.number().int().min(2),
    dimension: z.number().int().min(0),
    weightsInt8: z.string(),
    rowScalesFloat32: z.string(),
    bias: z.array(z.number()),
  }),
  calibration: z.object({ method: z.literal('temperature'), temperature: z.number().positive() }),
  thresholds: z.object({
    targetPrecision: z.number().min(0).max(1),
    global: z.number(),
    noveltyThreshold: z.number(),
    noveltyScore: z.enum(['confidence', 'oos-margin']),
    perIntent: z.record(z.string(), z.number()),
  }),
  crossValidation: z.object({
    folds: z.number(),
    accuracy: z.number(),
    macroF1: z.number(),
    inScopeAccuracy: z.number(),
    oosRecall: z.number().nullable(),
    coverage: z.number(),
    acceptedPrecision: z.number().nullable(),
    coverageAtTarget: z.number(),
    expectedCalibrationError: z.number(),
  }),
  training: z.object({
    examples: z.number().int(),
    dataHash: z.string(),
    options: z.object({
      seed: z.number(),
      targetPrecision: z.number(),
      folds: z.number().int(),
      features: featureSettingsSchema,
      svm: z.object({ c: z.number(), epochs: z.number(), tolerance: z.number() }),
      expectedOosShare: z.number().min(0).max(1),
      thresholdMargin: z.number().min(0).max(1),
    }),
  }),
  /** Optional, so version-1 files written before deployments could set patterns still load. */
  entities: z
    .object({
      replace: z.record(z.string(), z.array(z.string())),
      add: z.record(z.string(), z.array(z.string())),
    })
    .optional(),
});

export type ModelFileJson = z.infer<typeof fileSchema>;

export function modelToJson(model: IntentModel): ModelFileJson {
  const { linear } = model;
  const q = quantiseRows(linear.weights, linear.classes);
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    labels: model.labels,
    oosLabel: OOS_LABEL,
    features: {
      settings: model.vectoriser.settings,
      wordTerms: model.vectoriser.wordTerms,
      charTerms: model.vectoriser.charTerms,
      idfFloat32: base64Of(model.vectoriser.idf),
    },
    classifier: {
      kind: 'linear-svm-ovr',
      classes: linear.classes,
      dimension: linear.dimension,
      weightsInt8: base64Of(q.data),
      rowScalesFloat32: base64Of(q.scales),
      bias: [...linear.bias],
    },
    calibration: { method: 'temperature', temperature: model.temperature },
    thresholds: {
      targetPrecision: model.thresholds.targetPrecision,
      global: model.thresholds.global,
      noveltyThreshold: model.noveltyThreshold,
      noveltyScore: model.noveltyScore,
      perIntent: Object.fromEntries(model.labels.map((l, i) => [l, model.thresholds.perIntent[i]!])),
    },
    crossValidation: model.cv,
    training: model.training,
    ...(model.entities ? { entities: model.entities } : {}),
  };
}

/** Parses and checks a model file's text. Every problem is a UserError naming the file. */
export function parseModel(text: string, file: string): IntentModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      'nlu.model_corrupt',
      'the model file is not valid JSON (corrupt or truncated?)',
      { file },
      {
        cause: error,
      },
    );
  }
  const header = z.object({ format: z.string(), formatVersion: z.number() }).safeParse(raw);
  if (!header.success || header.data.format !== MODEL_FORMAT) {
    throw new UserError(
      'nlu.model_corrupt',
      `not a Switchboard NLU model (expected format "${MODEL_FORMAT}")`,
      {
        file,
      },
    );
  }
  if (header.data.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new UserError(
      'nlu.model_version',
      `model format version ${header.data.formatVersion} cannot be read by this version, which reads version ${MODEL_FORMAT_VERSION}: retrain with \`switchboard nlu train\``,
      { file, field: 'formatVersion' },
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError('nlu.model_corrupt', `the model file is malformed: ${issue.message}`, {
      file,
      field: issue.path.join('.'),
    });
  }
  const m = parsed.data;
  const idf = float32From(m.features.idfFloat32);
  const scales = float32From(m.classifier.rowScalesFloat32);
  const data = int8From(m.classifier.weightsInt8);
  const { classes, dimension } = m.classifier;
  const dimensionOk =
    idf.length === m.features.wordTerms.length + m.features.charTerms.length && idf.length === dimension;
  if (
    !dimensionOk ||
    classes !== m.labels.length ||
    data.length !== dimension * classes ||
    scales.length !== dimension ||
    m.classifier.bias.length !== classes
  ) {
    throw new UserError('nlu.model_corrupt', 'the model file is malformed: array sizes do not match', {
      file,
    });
  }
  const entities: EntityPatternsConfig | undefined = m.entities;
  const badPattern = entities ? findBadEntityPattern(entities) : undefined;
  if (badPattern) {
    throw new UserError('nlu.model_corrupt', `the model's entity patterns: ${badPattern.message}`, {
      file,
      field: ['entities', ...badPattern.path].join('.'),
    });
  }
  return {
    labels: m.labels,
    vectoriser: {
      settings: m.features.settings,
      wordTerms: m.features.wordTerms,
      charTerms: m.features.charTerms,
      idf,
    },
    linear: {
      classes,
      dimension,
      weights: dequantiseRows(scales, data, classes),
      bias: Float32Array.from(m.classifier.bias),
    },
    temperature: m.calibration.temperature,
    thresholds: {
      targetPrecision: m.thresholds.targetPrecision,
      global: m.thresholds.global,
      perIntent: Float64Array.from(m.labels.map((l) => m.thresholds.perIntent[l] ?? NEVER_ACCEPT)),
    },
    noveltyThreshold: m.thresholds.noveltyThreshold,
    noveltyScore: m.thresholds.noveltyScore,
    cv: m.crossValidation,
    training: m.training,
    ...(entities ? { entities } : {}),
  };
}

export function serialiseModel(model: IntentModel): string {
  return JSON.stringify(modelToJson(model));
}

/** Writes to a temporary file beside the target, then renames: a failed write leaves no partial model. */
export function writeModelFile(path: string, model: IntentModel): number {
  const text = serialiseModel(model);
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return Buffer.byteLength(text);
}

export function readModelFile(path: string): IntentModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError('nlu.model_missing', 'cannot read the model file', { file: path }, { cause: error });
  }
  return parseModel(text, path);
}
