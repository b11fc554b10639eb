import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../shared/index.ts';
import { detectHumanRequest } from './human-request.ts';
import { jsonlObjects } from './jsonl-objects.ts';
import { analyseSentiment, type SentimentResult } from './sentiment.ts';

type SentimentLabel = SentimentResult['label'];
const SENTIMENT_LABELS: readonly SentimentLabel[] = ['negative', 'neutral', 'positive'];

export interface SentimentExample {
  text: string;
  label: SentimentLabel;
}

export interface HumanRequestExample {
  text: string;
  requested: boolean;
}

/** A labelled set shipped in `fixtures/`: `tuning` sets were looked at while the detectors were written. */
export interface BundledDetectorSet {
  name: string;
  detector: 'sentiment' | 'human_request';
  split: 'tuning' | 'holdout';
  path: string;
}

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/**
 * The labelled sets of the detectors. The holdout sets were written before the detectors' last changes and
 * never looked at message by message, and the detectors must never be tuned on them: their figures are the
 * honest ones. A holdout set whose misses were studied becomes a tuning set, and a fresh holdout replaces it.
 */
export const BUNDLED_DETECTOR_SETS: readonly BundledDetectorSet[] = [
  { name: 'sentiment', detector: 'sentiment', split: 'tuning', path: fixture('sentiment.jsonl') },
  {
    // The first holdout set: its misses were looked at and fixed (session 4), so it is a tuning set now.
    name: 'sentiment-tuning-2',
    detector: 'sentiment',
    split: 'tuning',
    path: fixture('sentiment-tuning-2.jsonl'),
  },
  {
    name: 'sentiment-holdout',
    detector: 'sentiment',
    split: 'holdout',
    path: fixture('sentiment-holdout.jsonl'),
  },
  { name: 'human-request', detector: 'human_request', split: 'tuning', path: fixture('human-request.jsonl') },
  {
    // The first holdout set: its misses were looked at and fixed (session 4), so it is a tuning set now.
    name: 'human-request-tuning-2',
    detector: 'human_request',
    split: 'tuning',
    path: fixture('human-request-tuning-2.jsonl'),
  },
  {
    name: 'human-request-holdout',
    detector: 'human_request',
    split: 'holdout',
    path: fixture('human-request-holdout.jsonl'),
  },
];

/** Parses JSON Lines and checks each row; every problem is a UserError with the file and line. */
function parseRows<T>(
  text: string,
  file: string,
  check: (row: Record<string, unknown>) => { value: T } | { field: string; message: string },
): T[] {
  const rows: T[] = [];
  for (const { record, where } of jsonlObjects(text, file, 'nlu.bad_labelled_line')) {
    const result = check(record);
    if ('field' in result) {
      throw new UserError('nlu.bad_labelled_line', result.message, { ...where, field: result.field });
    }
    rows.push(result.value);
  }
  if (rows.length === 0) throw new UserError('nlu.empty_labelled_set', 'the file has no examples', { file });
  return rows;
}

const textOf = (row: Record<string, unknown>) =>
  typeof row.text === 'string' && row.text.trim() !== '' ? row.text : undefined;

/**
 * Sentiment examples: JSON Lines `{"text", "label": "negative" | "neutral" | "positive"}`.
 *
 * @example
 * parseSentimentJsonl('{"text":"thanks, it works","label":"positive"}', 'mine.jsonl');
 */
export function parseSentimentJsonl(text: string, file: string): SentimentExample[] {
  return parseRows<SentimentExample>(text, file, (row) => {
    const t = textOf(row);
    if (t === undefined) return { field: 'text', message: 'missing or empty "text"' };
    const label = row.label;
    if (typeof label !== 'string' || !(SENTIMENT_LABELS as readonly string[]).includes(label)) {
      return { field: 'label', message: 'expected "label" to be "negative", "neutral" or "positive"' };
    }
    return { value: { text: t, label: label as SentimentLabel } };
  });
}

/**
 * Human-request examples: JSON Lines `{"text", "requested": true | false}`.
 *
 * @example
 * parseHumanRequestJsonl('{"text":"agent please","requested":true}', 'mine.jsonl');
 */
export function parseHumanRequestJsonl(text: string, file: string): HumanRequestExample[] {
  return parseRows<HumanRequestExample>(text, file, (row) => {
    const t = textOf(row);
    if (t === undefined) return { field: 'text', message: 'missing or empty "text"' };
    if (typeof row.requested !== 'boolean') {
      return { field: 'requested', message: 'expected "requested" to be true or false' };
    }
    return { value: { text: t, requested: row.requested } };
  });
}

export function readLabelledFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new UserError(
      'nlu.labelled_file_missing',
      'cannot read the labelled file',
      { file: path },
      { cause },
    );
  }
}

export interface ClassFigures {
  messages: number;
  /** Share of this class's messages labelled right (the class's recall). */
  accuracy: number;
  /** Share of the messages labelled this class that are this class; null when none was. */
  precision: number | null;
}

export interface SentimentEvaluation {
  messages: number;
  accuracy: number;
  perClass: Record<SentimentLabel, ClassFigures>;
  mistakes: { text: string; expected: SentimentLabel; got: SentimentLabel }[];
}

export function evaluateSentimentDetector(
  examples: readonly SentimentExample[],
  analyse: (text: string) => SentimentResult = analyseSentiment,
): SentimentEvaluation {
  const gold = new Map(SENTIMENT_LABELS.map((l) => [l, 0]));
  const predicted = new Map(SENTIMENT_LABELS.map((l) => [l, 0]));
  const right = new Map(SENTIMENT_LABELS.map((l) => [l, 0]));
  const mistakes: SentimentEvaluation['mistakes'] = [];
  for (const e of examples) {
    const got = analyse(e.text).label;
    gold.set(e.label, gold.get(e.label)! + 1);
    predicted.set(got, predicted.get(got)! + 1);
    if (got === e.label) right.set(got, right.get(got)! + 1);
    else mistakes.push({ text: e.text, expected: e.label, got });
  }
  const correct = [...right.values()].reduce((a, b) => a + b, 0);
  const perClass = Object.fromEntries(
    SENTIMENT_LABELS.map((l) => [
      l,
      {
        messages: gold.get(l)!,
        accuracy: ratio(right.get(l)!, gold.get(l)!) ?? 0,
        precision: ratio(right.get(l)!, predicted.get(l)!),
      },
    ]),
  ) as Record<SentimentLabel, ClassFigures>;
  return { messages: examples.length, accuracy: ratio(correct, examples.length) ?? 0, perClass, mistakes };
}

export interface HumanRequestEvaluation {
  messages: number;
  requests: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** null when nothing was detected. */
  precision: number | null;
  /** null when the set has no requests. */
  recall: number | null;
  mistakes: { text: string; expected: boolean; got: boolean }[];
}

export function evaluateHumanRequestDetector(
  examples: readonly HumanRequestExample[],
  detect: (text: string) => { requested: boolean } = detectHumanRequest,
): HumanRequestEvaluation {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const mistakes: HumanRequestEvaluation['mistakes'] = [];
  for (const e of examples) {
    const got = detect(e.text).requested;
    if (got && e.requested) tp++;
    else if (got) fp++;
    else if (e.requested) fn++;
    if (got !== e.requested) mistakes.push({ text: e.text, expected: e.requested, got });
  }
  return {
    messages: examples.length,
    requests: tp + fn,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    mistakes,
  };
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
