import { createRequire } from 'node:module';
import {
  createIntentClassifier,
  DEFAULT_FEATURE_SETTINGS,
  DEFAULT_TRAIN_OPTIONS,
  fitVectoriser,
  type LabelledText,
  linearScores,
  OOS_LABEL,
  serialiseModel,
  softmaxInPlace,
  trainIntentModel,
  trainSoftmax,
} from '../src/nlu/index.ts';

/** One prediction, in the shape every system gives the benchmark. */
export interface BenchPrediction {
  /** An intent or OOS_LABEL. */
  predicted: string;
  /** The system's confidence in its top intent. */
  confidence: number;
  /** Switchboard only: accepted by its own per-intent thresholds. */
  accepted?: boolean;
  /** NLP.js only: its best intent even when it answered "None". */
  topIntent?: string;
}

export interface TrainedSystem {
  modelBytes: number;
  predict(text: string): Promise<BenchPrediction> | BenchPrediction;
}

export interface BenchSystem {
  name: string;
  train(examples: LabelledText[]): Promise<TrainedSystem>;
}

export const switchboard: BenchSystem = {
  name: 'switchboard',
  async train(examples) {
    const model = trainIntentModel(examples, DEFAULT_TRAIN_OPTIONS);
    const classifier = createIntentClassifier(model);
    return {
      modelBytes: Buffer.byteLength(serialiseModel(model)),
      predict(text) {
        const p = classifier.predict(text);
        return {
          predicted: p.reason === 'out_of_scope' ? OOS_LABEL : p.label,
          confidence: p.confidence,
          accepted: p.accepted,
        };
      },
    };
  },
};

/**
 * The simple baseline: TF-IDF (word 1-2-grams, char 3-5-grams) + softmax regression, no calibration, no
 * thresholds; the out-of-scope examples are just one more class.
 */
export const tfidfLogReg: BenchSystem = {
  name: 'tfidf+logreg',
  async train(examples) {
    const labels = [...new Set(examples.map((e) => e.label))].sort();
    const vectoriser = fitVectoriser(
      examples.map((e) => e.text),
      { ...DEFAULT_FEATURE_SETTINGS, minDf: 1 },
    );
    const x = vectoriser.transformAll(examples.map((e) => e.text));
    const model = trainSoftmax(
      x,
      examples.map((e) => labels.indexOf(e.label)),
      labels.length,
      { l2: 1e-5, epochs: 10, learningRate: 1, seed: 1 },
    );
    const scores = new Float64Array(labels.length);
    return {
      modelBytes:
        model.weights.byteLength +
        JSON.stringify(vectoriser.state.wordTerms.concat(vectoriser.state.charTerms)).length,
      predict(text) {
        linearScores(model, vectoriser.transform(text), scores);
        softmaxInPlace(scores);
        let top = 0;
        for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[top]!) top = k;
        return { predicted: labels[top]!, confidence: scores[top]! };
      },
    };
  },
};

interface NlpJsResult {
  intent: string;
  score: number;
  classifications?: { intent: string; score: number }[];
}
interface NlpJsManager {
  addDocument(locale: string, text: string, intent: string): void;
  train(): Promise<unknown>;
  process(locale: string, text: string): Promise<NlpJsResult>;
  export(minified?: boolean): string;
}

/** NLP.js 4 (`node-nlp`), NlpManager with default settings, as a user would run it. */
export const nlpJs: BenchSystem = {
  name: 'nlp.js',
  async train(examples) {
    const require = createRequire(import.meta.url);
    const { NlpManager } = require('node-nlp') as { NlpManager: new (settings: object) => NlpJsManager };
    // Default settings, except autoSave, which would write ./model.nlp into the working directory.
    const manager = new NlpManager({ languages: ['en'], autoSave: false });
    // NLP.js has no out-of-scope class: it answers "None" below its threshold, which the benchmark reads as
    // out of scope. Its oos training examples would become an intent called "oos", as a user would add them.
    for (const e of examples) manager.addDocument('en', e.text, e.label);
    await manager.train();
    return {
      modelBytes: Buffer.byteLength(manager.export(true)),
      async predict(text) {
        const r = await manager.process('en', text);
        const top = r.classifications?.[0];
        return {
          predicted: r.intent === 'None' ? OOS_LABEL : r.intent,
          confidence: r.intent === 'None' ? (top?.score ?? 0) : r.score,
          topIntent: top?.intent ?? r.intent,
        };
      },
    };
  },
};

export const SYSTEMS: BenchSystem[] = [switchboard, nlpJs, tfidfLogReg];
