import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import {
  coverageAtPrecision,
  createIntentClassifier,
  createNlu,
  DEFAULT_TRAIN_OPTIONS,
  type EvaluationReport,
  evaluatePredictions,
  type IntentModel,
  OOS_LABEL,
  readModelFile,
  readTrainingFile,
  trainIntentModel,
  writeModelFile,
} from '../../nlu/index.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { parseInteger, parsePositiveInt } from './options.ts';

/**
 * `switchboard nlu train | eval | predict`: a contract that scripts rely on, so flags and output shapes stay
 * stable.
 *
 * @example
 * switchboard nlu train --data intents.jsonl --model intents.model.json --seed 7
 * echo '{"text":"where is my card"}' | switchboard nlu predict --model intents.model.json
 */
export function registerNlu(program: Command, io: CliIo): void {
  const nlu = program.command('nlu').description('intent classification: train, evaluate, predict');

  nlu
    .command('train')
    .description(
      'train an intent model from JSON Lines {"text", "label"} ("label": "oos" or "in_scope": false marks out of scope)',
    )
    .requiredOption('--data <file>', 'training examples, JSON Lines')
    .requiredOption('--model <file>', 'where to write the model (written whole or not at all)')
    .option('--seed <n>', 'random seed (same data + seed = same model)', '1')
    .option('--target-precision <p>', 'precision that accepted predictions should reach', '0.97')
    .option('--folds <n>', 'cross-validation folds for calibration and thresholds', '5')
    .option('--json', 'print the summary as one JSON object')
    .action(
      (opts: {
        data: string;
        model: string;
        seed: string;
        targetPrecision: string;
        folds: string;
        json?: boolean;
      }) => {
        const seed = parseInteger(opts.seed, '--seed');
        const targetPrecision = parseProbability(opts.targetPrecision, '--target-precision');
        const folds = parsePositiveInt(opts.folds, '--folds');
        if (folds < 2)
          throw new UserError('cli.bad_option', 'expected at least 2 folds', { field: '--folds' });
        const examples = readTrainingFile(resolvePath(io, opts.data));
        const started = performance.now();
        const model = trainIntentModel(examples, { ...DEFAULT_TRAIN_OPTIONS, seed, targetPrecision, folds });
        const seconds = (performance.now() - started) / 1000;
        const bytes = writeModelFile(resolvePath(io, opts.model), model);
        const summary = {
          model: opts.model,
          examples: examples.length,
          labels: model.labels.length,
          outOfScopeExamples: examples.filter((e) => e.label === OOS_LABEL).length,
          trainingSeconds: round(seconds, 2),
          modelBytes: bytes,
          crossValidation: model.cv,
        };
        io.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : formatTrainSummary(summary, model));
      },
    );

  nlu
    .command('eval')
    .description('evaluate a model on labelled JSON Lines')
    .requiredOption('--model <file>', 'a model written by `nlu train`')
    .requiredOption('--data <file>', 'labelled examples, JSON Lines')
    .option('--json', 'print the report as one JSON object')
    .action((opts: { model: string; data: string; json?: boolean }) => {
      const model = readModelFile(resolvePath(io, opts.model));
      const examples = readTrainingFile(resolvePath(io, opts.data), { forTraining: false });
      const report = evaluateModel(model, examples);
      io.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatEvalReport(report));
    });

  nlu
    .command('predict')
    .description('read JSON Lines {"text"} on stdin, write one JSON line per input, in order')
    .requiredOption('--model <file>', 'a model written by `nlu train`')
    .action(async (opts: { model: string }) => {
      const engine = createNlu({ model: readModelFile(resolvePath(io, opts.model)) });
      const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
      let lineNo = 0;
      let buffer: string[] = [];
      for await (const line of lines) {
        lineNo++;
        if (line.trim() === '') continue;
        const text = textOfLine(line, lineNo);
        buffer.push(JSON.stringify(engine.predict(text)));
        // Write in chunks: one write per line is the slowest part of streaming 10k predictions.
        if (buffer.length >= 256) {
          io.stdout.write(`${buffer.join('\n')}\n`);
          buffer = [];
        }
      }
      if (buffer.length) io.stdout.write(`${buffer.join('\n')}\n`);
    });
}

function textOfLine(line: string, lineNo: number): string {
  const where = { file: 'stdin', line: lineNo };
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (error) {
    throw new UserError('nlu.bad_input_line', 'this line is not JSON', where, { cause: error });
  }
  const text = typeof row === 'object' && row !== null ? (row as Record<string, unknown>).text : undefined;
  if (typeof text !== 'string') {
    throw new UserError('nlu.bad_input_line', 'expected {"text": "..."}', { ...where, field: 'text' });
  }
  return text;
}

export interface NluEvalReport extends EvaluationReport {
  targetPrecision: number;
  /** Best coverage of one confidence cut-off whose accepted predictions reach the target precision. */
  coverageAtTargetPrecision: number;
  thresholds: Record<string, number>;
  noveltyThreshold: number;
}

export function evaluateModel(
  model: IntentModel,
  examples: readonly { text: string; label: string }[],
): NluEvalReport {
  const classifier = createIntentClassifier(model);
  const scored = examples.map((e) => {
    const p = classifier.predict(e.text);
    return {
      gold: e.label,
      predicted: p.reason === 'out_of_scope' ? OOS_LABEL : p.label,
      confidence: p.confidence,
      accepted: !p.outOfScope,
    };
  });
  const report = evaluatePredictions(scored, OOS_LABEL);
  const target = model.thresholds.targetPrecision;
  return {
    ...report,
    targetPrecision: target,
    coverageAtTargetPrecision: coverageAtPrecision(
      scored.map((s) => ({
        confidence: s.predicted === OOS_LABEL ? 0 : s.confidence,
        correct: s.predicted !== OOS_LABEL && s.predicted === s.gold,
      })),
      target,
    ),
    thresholds: Object.fromEntries(model.labels.map((l, i) => [l, round(model.thresholds.perIntent[i]!, 4)])),
    noveltyThreshold: model.noveltyThreshold,
  };
}

function parseProbability(value: string, flag: string): number {
  const n = Number(value);
  if (!/^(?:0?\.\d+|1(?:\.0*)?|0)$/.test(value.trim()) || !(n > 0 && n <= 1)) {
    throw new UserError('cli.bad_option', `expected a number in (0, 1], got "${value}"`, { field: flag });
  }
  return n;
}

function resolvePath(io: CliIo, path: string): string {
  return resolve(io.cwd, path);
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const pct = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);

function formatTrainSummary(
  s: {
    model: string;
    examples: number;
    labels: number;
    outOfScopeExamples: number;
    trainingSeconds: number;
    modelBytes: number;
  },
  model: IntentModel,
): string {
  const cv = model.cv;
  return [
    `model written: ${s.model} (${(s.modelBytes / 1024).toFixed(0)} KiB)`,
    `examples ${s.examples}, labels ${s.labels}, out-of-scope examples ${s.outOfScopeExamples}, trained in ${s.trainingSeconds} s`,
    `${cv.folds}-fold cross-validation:`,
    `  accuracy          ${pct(cv.accuracy)}`,
    `  macro-F1          ${pct(cv.macroF1)}`,
    ...(cv.oosRecall === null
      ? []
      : [`  in-scope accuracy ${pct(cv.inScopeAccuracy)}`, `  oos recall        ${pct(cv.oosRecall)}`]),
    `  accepted          ${pct(cv.coverage)} at ${pct(cv.acceptedPrecision)} precision (target ${pct(model.thresholds.targetPrecision)})`,
    `  calibration error ${cv.expectedCalibrationError.toFixed(3)} (ECE)`,
    '',
  ].join('\n');
}

function formatEvalReport(r: NluEvalReport): string {
  const lines = [
    `examples          ${r.examples}`,
    `accuracy          ${pct(r.accuracy)}`,
    `macro-F1          ${pct(r.macroF1)}`,
  ];
  if (r.oosRecall !== null) {
    lines.push(`in-scope accuracy ${pct(r.inScopeAccuracy)}`);
    lines.push(`oos precision     ${pct(r.oosPrecision)}`);
    lines.push(`oos recall        ${pct(r.oosRecall)}`);
  }
  lines.push(`accepted by the thresholds: ${pct(r.coverage)} at ${pct(r.acceptedPrecision)} precision`);
  lines.push(
    `coverage at ${pct(r.targetPrecision)} precision (best single cut-off): ${pct(r.coverageAtTargetPrecision)}`,
  );
  lines.push('', 'most confused (gold -> predicted):');
  for (const p of r.confusedPairs)
    lines.push(`  ${String(p.count).padStart(4)}  ${p.gold} -> ${p.predicted}`);
  lines.push('', 'per-intent thresholds:');
  for (const [label, t] of Object.entries(r.thresholds)) lines.push(`  ${t.toFixed(3)}  ${label}`);
  lines.push('');
  return lines.join('\n');
}
