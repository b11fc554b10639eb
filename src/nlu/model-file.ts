import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError, writeFileAtomically } from '../shared/index.ts';
import type { Blend, HeldOutSummary, IntentModel } from './classifier.ts';
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
export const MODEL_FORMAT_VERSION = 4;
/** Versions this one reads: 3 has no held-out predictions (it predicts; it cannot be recalibrated). */
const READABLE_VERSIONS = [3, 4];

const base64Of = (a: Float32Array | Int8Array | Int32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/**
 * The bytes of a base64 array copied into an aligned buffer (a Buffer slice may start at any byte offset). A
 * byte count that is not a multiple of `width` gives an empty buffer, which the size checks then refuse.
 */
function alignedBytes(base64: string, width: number): ArrayBuffer {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteLength % width !== 0) return new ArrayBuffer(0);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

const float32From = (base64: string) => new Float32Array(alignedBytes(base64, 4));
const int32From = (base64: string) => new Int32Array(alignedBytes(base64, 4));

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

/**
 * Bounds on what a file may ask of the featuriser. Training writes word 1-2-grams and character 3-5-grams
 * (DEFAULT_TRAIN_OPTIONS); a tampered file asking for character n-grams up to 20,000 would make one long
 * message take minutes, so anything beyond these is refused.
 */
const MAX_WORD_NGRAM = 3;
const MAX_CHAR_NGRAM = 6;
/** Block weights are 1 in training; a huge one overflows the float32 feature values to infinity. */
const MAX_BLOCK_WEIGHT = 100;
/** The bracket fitTemperature searches (1e-3 to 1e3), with room for rounding. */
const temperatureSchema = z
  .number()
  .min(0.999e-3, 'a temperature below 0.001 (training never chooses one)')
  .max(1.001e3, 'a temperature above 1000 (training never chooses one)');
/** A probability threshold, or NEVER_ACCEPT for an intent that never reached the target. */
const thresholdSchema = z
  .number()
  .refine(
    (t) => t === NEVER_ACCEPT || (t >= 0 && t <= 1),
    `a threshold must be between 0 and 1, or ${NEVER_ACCEPT} (never accept)`,
  );

const ngramBound = (max: number) =>
  z.number().int().min(1).max(max, `n-grams of at most ${max} are allowed (training writes smaller ones)`);

const featureSettingsSchema = z.object({
  wordNgrams: z.tuple([ngramBound(MAX_WORD_NGRAM), ngramBound(MAX_WORD_NGRAM)]),
  charNgrams: z.tuple([ngramBound(MAX_CHAR_NGRAM), ngramBound(MAX_CHAR_NGRAM)]),
  minDf: z.number().int().min(1),
  sublinearTf: z.boolean(),
  charIdf: z.boolean(),
  wordWeight: z.number().min(0).max(MAX_BLOCK_WEIGHT),
  charWeight: z.number().min(0).max(MAX_BLOCK_WEIGHT),
});

const fileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.number().int(),
  labels: z
    .array(z.string().min(1))
    .min(2)
    .superRefine((labels, ctx) => {
      const seen = new Set<string>();
      labels.forEach((label, i) => {
        if (seen.has(label))
          ctx.addIssue({ code: 'custom', message: `duplicate label "${label}"`, path: [i] });
        seen.add(label);
      });
    }),
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
  /** The network averaged with the SVM (version 3); null when training kept the SVM alone. */
  network: z
    .object({
      kind: z.literal('mlp-relu'),
      hidden: z.number().int().min(1),
      inputsInt32: z.string(),
      w1Int8: z.string(),
      w1RowScalesFloat32: z.string(),
      b1Float32: z.string(),
      w2Float32: z.string(),
      b2Float32: z.string(),
      weight: z.number().min(0).max(1),
      svmTemperature: temperatureSchema,
      mlpTemperature: temperatureSchema,
    })
    .nullable(),
  calibration: z.object({ method: z.literal('temperature'), temperature: temperatureSchema }),
  thresholds: z.object({
    targetPrecision: z.number().min(0).max(1),
    global: thresholdSchema,
    /** Compared with a probability (at most 1) or a raw score margin; training sweeps it from 0 up. */
    noveltyThreshold: z.number().min(0),
    noveltyScore: z.enum(['confidence', 'oos-margin']),
    perIntent: z.record(z.string(), thresholdSchema),
  }),
  /** The cross-validation's held-out predictions (version 4), for `recalibrate`. */
  heldOut: z
    .object({
      goldInt32: z.string(),
      topInt32: z.string(),
      confidenceFloat32: z.string(),
      /** NaN where there is no out-of-scope class. */
      oosMarginFloat32: z.string(),
      /** The same decisions with each example's own intent hidden (`unknownIntentShare`). */
      unknown: z
        .object({ topInt32: z.string(), confidenceFloat32: z.string(), oosMarginFloat32: z.string() })
        .optional(),
    })
    .optional(),
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
      mlp: z.union([
        z.literal(false),
        z.object({
          hidden: z.number().int().min(1),
          epochs: z.number().int().min(0),
          learningRate: z.number().positive(),
          dropout: z.number().min(0).lt(1),
          minDf: z.number().int().min(1),
        }),
      ]),
      expectedOosShare: z.number().min(0).max(1),
      unknownIntentShare: z.number().min(0).max(1).optional(),
      thresholdMargin: z.number().min(0).max(1),
    }),
    background: z
      .object({ examples: z.number().int(), groups: z.array(z.string()), dropped: z.array(z.string()) })
      .optional(),
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
  const { linear, network } = model;
  const q = quantiseRows(linear.weights, linear.classes);
  const w1 = network ? quantiseRows(network.mlp.w1, network.mlp.hidden) : null;
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
    network:
      network && w1
        ? {
            kind: 'mlp-relu',
            hidden: network.mlp.hidden,
            inputsInt32: base64Of(network.mlp.inputs),
            w1Int8: base64Of(w1.data),
            w1RowScalesFloat32: base64Of(w1.scales),
            b1Float32: base64Of(network.mlp.b1),
            w2Float32: base64Of(network.mlp.w2),
            b2Float32: base64Of(network.mlp.b2),
            weight: network.weight,
            svmTemperature: network.svmTemperature,
            mlpTemperature: network.mlpTemperature,
          }
        : null,
    calibration: { method: 'temperature', temperature: model.temperature },
    thresholds: {
      targetPrecision: model.thresholds.targetPrecision,
      global: model.thresholds.global,
      noveltyThreshold: model.noveltyThreshold,
      noveltyScore: model.noveltyScore,
      perIntent: Object.fromEntries(model.labels.map((l, i) => [l, model.thresholds.perIntent[i]!])),
    },
    ...(model.heldOut
      ? {
          heldOut: {
            goldInt32: base64Of(Int32Array.from(model.heldOut.gold)),
            topInt32: base64Of(Int32Array.from(model.heldOut.top)),
            confidenceFloat32: base64Of(Float32Array.from(model.heldOut.confidence)),
            oosMarginFloat32: base64Of(Float32Array.from(model.heldOut.oosMargin, (m) => m ?? Number.NaN)),
            ...(model.heldOut.unknown
              ? {
                  unknown: {
                    topInt32: base64Of(Int32Array.from(model.heldOut.unknown.top)),
                    confidenceFloat32: base64Of(Float32Array.from(model.heldOut.unknown.confidence)),
                    oosMarginFloat32: base64Of(
                      Float32Array.from(model.heldOut.unknown.oosMargin, (m) => m ?? Number.NaN),
                    ),
                  },
                }
              : {}),
          },
        }
      : {}),
    crossValidation: model.cv,
    training: model.training,
    ...(model.entities ? { entities: model.entities } : {}),
  };
}

/** Every problem with a file's content is this error, naming the field. */
function refuse(file: string, field: string, message: string): never {
  throw new UserError('nlu.model_corrupt', `the model file is malformed: ${message}`, { file, field });
}

/**
 * Refuses a decoded array holding NaN or an infinity (a tampered file; training never writes one: every
 * confidence would become NaN) or a value outside [min, max]. `nanAllowed` allows NaN where it stands for null.
 */
function checkValues(
  values: Float32Array,
  where: { file: string; field: string },
  range: { min?: number; max?: number; nanAllowed?: boolean } = {},
): void {
  const { min = -Infinity, max = Infinity, nanAllowed = false } = range;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v) && nanAllowed) continue;
    if (!Number.isFinite(v)) refuse(where.file, where.field, `not a finite number at ${i} (${v})`);
    if (v < min || v > max) refuse(where.file, where.field, `${v} at ${i} is outside [${min}, ${max}]`);
  }
}

function checkIndices(values: Int32Array, classes: number, where: { file: string; field: string }): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v >= classes) refuse(where.file, where.field, `not an intent index at ${i} (${v})`);
  }
}

function heldOutOf(m: ModelFileJson, file: string): HeldOutSummary | undefined {
  if (!m.heldOut) return undefined;
  const gold = int32From(m.heldOut.goldInt32);
  const top = int32From(m.heldOut.topInt32);
  const confidence = float32From(m.heldOut.confidenceFloat32);
  const margin = float32From(m.heldOut.oosMarginFloat32);
  const n = m.training.examples;
  if (gold.length !== n || top.length !== n || confidence.length !== n || margin.length !== n) {
    throw new UserError('nlu.model_corrupt', 'the model file is malformed: held-out sizes do not match', {
      file,
      field: 'heldOut',
    });
  }
  const classes = m.classifier.classes;
  const at = (field: string) => ({ file, field: `heldOut.${field}` });
  checkIndices(gold, classes, at('goldInt32'));
  checkIndices(top, classes, at('topInt32'));
  checkValues(confidence, at('confidenceFloat32'), { min: 0, max: 1 });
  checkValues(margin, at('oosMarginFloat32'), { nanAllowed: true });
  const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
  const u = m.heldOut.unknown;
  let unknown: HeldOutSummary['unknown'];
  if (u) {
    const uTop = int32From(u.topInt32);
    const uConfidence = float32From(u.confidenceFloat32);
    const uMargin = float32From(u.oosMarginFloat32);
    if (uTop.length !== n || uConfidence.length !== n || uMargin.length !== n) {
      throw new UserError('nlu.model_corrupt', 'the model file is malformed: held-out sizes do not match', {
        file,
        field: 'heldOut.unknown',
      });
    }
    checkIndices(uTop, classes, at('unknown.topInt32'));
    checkValues(uConfidence, at('unknown.confidenceFloat32'), { min: 0, max: 1 });
    checkValues(uMargin, at('unknown.oosMarginFloat32'), { nanAllowed: true });
    unknown = {
      top: Array.from(uTop),
      confidence: Array.from(uConfidence, round4),
      oosMargin: Array.from(uMargin, (x) => (Number.isNaN(x) ? null : round4(x))),
    };
  }
  return {
    gold: Array.from(gold),
    top: Array.from(top),
    confidence: Array.from(confidence, round4),
    oosMargin: Array.from(margin, (x) => (Number.isNaN(x) ? null : round4(x))),
    ...(unknown ? { unknown } : {}),
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
  if (!READABLE_VERSIONS.includes(header.data.formatVersion)) {
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
  const terms = m.features.wordTerms.length + m.features.charTerms.length;
  const sizes: [field: string, actual: number, expected: number, what: string][] = [
    ['features', idf.length, terms, `IDF values for ${terms} vocabulary terms`],
    ['classifier.dimension', dimension, idf.length, 'features for the IDF values'],
    ['classifier.classes', classes, m.labels.length, 'classes for the labels'],
    ['classifier.weightsInt8', data.length, dimension * classes, 'weights'],
    ['classifier.rowScalesFloat32', scales.length, dimension, 'row scales'],
    ['classifier.bias', m.classifier.bias.length, classes, 'biases'],
  ];
  for (const [field, actual, expected, what] of sizes) {
    if (actual !== expected) {
      refuse(file, field, `array sizes do not match: ${actual} ${what}, expected ${expected}`);
    }
  }
  checkValues(idf, { file, field: 'features.idfFloat32' }, { min: 0 });
  checkValues(scales, { file, field: 'classifier.rowScalesFloat32' }, { min: 0 });
  if (m.thresholds.noveltyScore === 'confidence' && m.thresholds.noveltyThreshold > 1) {
    refuse(file, 'thresholds.noveltyThreshold', 'a confidence threshold above 1 would refuse every message');
  }
  const labels = new Set(m.labels);
  for (const label of Object.keys(m.thresholds.perIntent)) {
    if (!labels.has(label)) {
      refuse(file, `thresholds.perIntent.${label}`, `"${label}" is not one of the model's labels`);
    }
  }
  const network = networkOf(m, file);
  const heldOut = heldOutOf(m, file);
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
    network,
    temperature: m.calibration.temperature,
    thresholds: {
      targetPrecision: m.thresholds.targetPrecision,
      global: m.thresholds.global,
      perIntent: Float64Array.from(m.labels.map((l) => m.thresholds.perIntent[l] ?? NEVER_ACCEPT)),
    },
    noveltyThreshold: m.thresholds.noveltyThreshold,
    noveltyScore: m.thresholds.noveltyScore,
    cv: m.crossValidation,
    ...(heldOut ? { heldOut } : {}),
    training: m.training,
    ...(entities ? { entities } : {}),
  };
}

function networkOf(m: ModelFileJson, file: string): Blend | null {
  if (!m.network) return null;
  const n = m.network;
  const classes = m.classifier.classes;
  const inputs = int32From(n.inputsInt32);
  const scales = float32From(n.w1RowScalesFloat32);
  const w1 = int8From(n.w1Int8);
  const b1 = float32From(n.b1Float32);
  const w2 = float32From(n.w2Float32);
  const b2 = float32From(n.b2Float32);
  let previous = -1;
  const inputsOk = inputs.every((f) => {
    const ok = f > previous && f < m.classifier.dimension;
    previous = f;
    return ok;
  });
  if (
    !inputsOk ||
    scales.length !== inputs.length ||
    w1.length !== inputs.length * n.hidden ||
    b1.length !== n.hidden ||
    w2.length !== n.hidden * classes ||
    b2.length !== classes
  ) {
    throw new UserError(
      'nlu.model_corrupt',
      'the model file is malformed: network array sizes do not match',
      {
        file,
        field: 'network',
      },
    );
  }
  const at = (field: string) => ({ file, field: `network.${field}` });
  checkValues(scales, at('w1RowScalesFloat32'), { min: 0 });
  checkValues(b1, at('b1Float32'));
  checkValues(w2, at('w2Float32'));
  checkValues(b2, at('b2Float32'));
  return {
    mlp: { classes, hidden: n.hidden, inputs, w1: dequantiseRows(scales, w1, n.hidden), b1, w2, b2 },
    weight: n.weight,
    svmTemperature: n.svmTemperature,
    mlpTemperature: n.mlpTemperature,
  };
}

export function serialiseModel(model: IntentModel): string {
  return JSON.stringify(modelToJson(model));
}

/** Writes to a temporary file beside the target, then renames: a failed write leaves no partial model. */
export function writeModelFile(path: string, model: IntentModel): number {
  const text = serialiseModel(model);
  writeFileAtomically(path, text);
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
