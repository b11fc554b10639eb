import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { deploymentWorkflowsDir, loadDeploymentConfig } from '../../app/index.ts';
import { loadEntityPatternsFile } from '../../app/nlu-config.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import {
  atOutOfScopeShares,
  type BackgroundText,
  BUNDLED_DETECTOR_SETS,
  coverageAtPrecision,
  createIntentClassifier,
  createNlu,
  DEFAULT_TRAIN_OPTIONS,
  type EvaluationReport,
  type ExpectedShare,
  entityOptionsOf,
  evaluateHumanRequestDetector,
  evaluatePredictions,
  evaluateSentimentDetector,
  expectedShareFromHistory,
  generateBackgroundTexts,
  type HumanRequestEvaluation,
  heldOutAtShares,
  type IntentModel,
  type LabelledText,
  OOS_LABEL,
  parseHumanRequestJsonl,
  parseModel,
  parseSentimentJsonl,
  readLabelledFile,
  readTrainingFile,
  recalibrate,
  type SentimentEvaluation,
  type ShareFigures,
  scopeToIntents,
  serialiseModel,
  trainIntentModel,
  trainingExamplesFromStore,
  unknownIntentShareOf,
  writeModelFile,
} from '../../nlu/index.ts';
import { type Clock, systemClock, UserError, writeFileAtomically } from '../../shared/index.ts';
import type { ArtifactInfo, ArtifactKind, Store } from '../../store/index.ts';
import { loadWorkflowDir } from '../../workflows/index.ts';
import type { CliIo } from '../io.ts';
import { progressBar } from '../progress.ts';
import { registerRetrain } from './nlu-retrain.ts';
import {
  CREATE_STORE_HINT,
  DB_HELP,
  MODEL_HELP,
  openStoreFromOptions,
  outputFile,
  parseInteger,
  parsePositiveInt,
  requireStore,
  resolveModel,
} from './options.ts';

/**
 * `switchboard nlu train | import | export | versions | activate | eval | predict | eval-detectors`: a contract
 * that scripts rely on, so flags and output shapes stay stable. The model every process uses is the store's
 * active `nlu-model` version: `train --activate` and `import --activate` store a new one, `activate N` switches
 * (a rollback is activating an older one), and running processes pick the change up within seconds.
 *
 * @example
 * switchboard nlu train --data intents.jsonl --model intents.model.json --seed 7
 * switchboard nlu train --from-store --db switchboard.db --min-examples 10 --activate
 * // ... stored as nlu-model v4 (active)
 * switchboard nlu import intents.model.json --note "retrained on the March tickets" --activate
 * switchboard nlu versions
 * switchboard nlu activate 3
 * switchboard nlu export --out active.model.json
 * echo '{"text":"where is my card"}' | switchboard nlu predict --model active.model.json
 * switchboard nlu eval-detectors --errors
 */
export function registerNlu(program: Command, io: CliIo, clock: Clock = systemClock): void {
  const nlu = program
    .command('nlu')
    .description(
      'intent classification: train, store and activate versions, evaluate, predict; figures of the sentiment and human-request detectors',
    );

  nlu
    .command('train')
    .description(
      'train an intent model from JSON Lines {"text", "label"} ("label": "oos" or "in_scope": false marks out of scope), or from the categorised tickets of the store; write it to --model FILE, store it as the active version with --activate, or both',
    )
    .option('--data <file>', 'training examples, JSON Lines')
    .option(
      '--from-store',
      'train from the tickets in the store that carry a category (subject + first customer message)',
    )
    .option('--db <path>', `with --from-store or --activate: ${DB_HELP}`)
    .option('--source <name>', 'with --from-store: only tickets of this source')
    .option('--min-examples <n>', 'with --from-store: leave out categories with fewer examples', '5')
    .option('--model <file>', 'where to write the model (written whole or not at all)')
    .option('--out <file>', 'same as --model')
    .option(
      '--activate',
      'store the model in the store as a new nlu-model version and make it the active one (every process picks it up)',
    )
    .option('--note <text>', 'with --activate: one line on where the version came from (default: the data)')
    .option('--entities <file>', 'YAML entity patterns of the deployment, stored in the model file')
    .option('--seed <n>', 'random seed (same data + seed = same model)', '1')
    .option('--target-precision <p>', 'precision that accepted predictions should reach', '0.97')
    .option('--folds <n>', 'cross-validation folds for calibration and thresholds', '5')
    .option(
      '--oos-share <s>',
      'the share of live messages expected to be out of scope (0 to 0.95): thresholds are chosen so the target precision holds at it (default: with --from-store and workflows, the share of the history outside the categories they serve, at least 0.1; else 0.1)',
    )
    .option(
      '--background <source>',
      'texts of other domains to learn out of scope from and calibrate on: generic (everyday texts Switchboard generates), none, or a JSON Lines file of {"text", "group"}',
      'generic',
    )
    .option(
      '--scope <scope>',
      'with --from-store: all (every category becomes an intent) or workflows (only the categories the workflows serve; the others become out-of-scope examples)',
      'all',
    )
    .option(
      '--config <file>',
      `with --from-store: the deployment whose workflows give the default --oos-share and --scope workflows (default: ./${DEFAULT_CONFIG_FILE} when it exists)`,
    )
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts: TrainOpts) => {
      // Every flag and file is checked before the store is opened or training starts.
      const seed = parseInteger(opts.seed, '--seed');
      const targetPrecision = parseProbability(opts.targetPrecision, '--target-precision');
      const folds = parsePositiveInt(opts.folds, '--folds');
      if (folds < 2) throw new UserError('cli.bad_option', 'expected at least 2 folds', { field: '--folds' });
      const givenShare =
        opts.oosShare !== undefined ? parseOosShare(opts.oosShare, '--oos-share') : undefined;
      const scope = parseScope(opts);
      const background = backgroundOf(opts.background ?? 'generic', io);
      const modelPath = modelOutPath(opts);
      const modelFile =
        modelPath !== null ? outputFile(modelPath, opts.model !== undefined ? '--model' : '--out', io) : null;
      const input = trainingInputOf(opts);
      const note = opts.note !== undefined ? parseNote(opts.note) : undefined;
      if (note !== undefined && !opts.activate) {
        throw new UserError('cli.bad_option', '--note only applies with --activate', { field: '--note' });
      }
      const entities =
        opts.entities !== undefined ? loadEntityPatternsFile(resolvePath(io, opts.entities)) : undefined;
      const fromFile = input.kind === 'file' ? fileTrainingData(io, input.path) : null;
      // The store is opened before training, so a wrong --db fails in a second rather than after the training.
      // Training from it needs one that exists; --activate alone may create it.
      const store =
        input.kind === 'store' || opts.activate
          ? await openVersionStore(opts, io, input.kind === 'store' ? 'read' : 'write')
          : undefined;
      try {
        const stored0 =
          input.kind === 'store' ? await storeTrainingData(store!, opts, input.minExamples) : fromFile!;
        const served = input.kind === 'store' ? workflowIntentsOf(opts, io) : null;
        const data = scope === 'workflows' ? onlyWorkflowIntents(stored0, served, store!) : stored0;
        const share = expectedShareOf(givenShare, stored0, served);
        const started = performance.now();
        const progress = progressBar(io, 1, 'steps', { label: 'training', show: 'count' });
        let trained: IntentModel;
        try {
          trained = trainIntentModel(
            data.examples,
            { ...DEFAULT_TRAIN_OPTIONS, seed, targetPrecision, folds, expectedOosShare: share.value },
            {
              onProgress: (done, total) => progress.update(done, { total }),
              background: background.texts,
            },
          );
        } finally {
          progress.stop();
        }
        const model: IntentModel = entities ? { ...trained, entities } : trained;
        const seconds = (performance.now() - started) / 1000;
        // The file first: a failed write then leaves the active version alone.
        const content = opts.activate ? serialiseModel(model) : null;
        const bytes = modelFile !== null ? writeModelFile(modelFile, model) : Buffer.byteLength(content!);
        const stored =
          store && content !== null
            ? await saveVersion({
                store,
                kind: 'nlu-model',
                content,
                note:
                  note ??
                  `trained on ${input.kind === 'file' ? basename(input.path) : 'the store'} (${data.examples.length} examples, seed ${seed})`,
                activate: true,
                clock,
              })
            : undefined;
        const summary = {
          model: modelPath,
          examples: data.examples.length,
          labels: model.labels.length,
          outOfScopeExamples: data.examples.filter((e) => e.label === OOS_LABEL).length,
          expectedOosShare: share,
          background: {
            source: background.source,
            ...(model.training.background ?? { examples: 0, groups: [], dropped: [] }),
          },
          trainingSeconds: round(seconds, 2),
          modelBytes: bytes,
          crossValidation: model.cv,
          // The network is kept only when the held-out folds say the average beats the SVM alone.
          classifier: model.network
            ? { kind: 'svm+network', networkWeight: model.network.weight }
            : { kind: 'svm', networkWeight: 0 },
          entityPatterns: entities ? Object.keys({ ...entities.replace, ...entities.add }).sort() : [],
          ...(data.store ? { fromStore: data.store } : {}),
          ...(stored ? { stored: storedSummary(stored) } : {}),
        };
        io.stdout.write(
          opts.json
            ? `${JSON.stringify(summary)}\n`
            : `${formatTrainSummary(summary, model)}${stored ? `${formatStored(stored)}\n` : ''}`,
        );
      } finally {
        await store?.close();
      }
    });

  nlu
    .command('import')
    .description(
      'store a model file (written by `nlu train --model` or `nlu export`) as a new nlu-model version; the file is checked first, and a bad one stores nothing',
    )
    .argument('<file>', 'the model file')
    .option('--activate', 'make it the active version (every process picks it up within seconds)')
    .option('--note <text>', 'one line on where it came from (default: "imported from FILE")')
    .option('--db <path>', DB_HELP)
    .option('--json', 'print the stored version as one JSON object')
    .action(
      async (file: string, opts: { activate?: boolean; note?: string; db?: string; json?: boolean }) => {
        const note = opts.note !== undefined ? parseNote(opts.note) : `imported from ${basename(file)}`;
        const content = readModelText(io, file);
        const model = parseModel(content, file);
        const store = await openVersionStore(opts, io, 'write');
        try {
          const stored = await saveVersion({
            store,
            kind: 'nlu-model',
            content,
            note,
            activate: opts.activate === true,
            clock,
          });
          io.stdout.write(
            opts.json
              ? `${JSON.stringify({ ...storedSummary(stored), labels: model.labels.length })}\n`
              : `${file}: ${model.labels.length} labels, ${stored.info.bytes} bytes\n${formatStored(stored)}\n`,
          );
        } finally {
          await store.close();
        }
      },
    );

  registerRetrain(nlu, io);
  registerVersionCommands(nlu, io, clock, {
    kind: 'nlu-model',
    noun: 'NLU model',
    howToStore:
      'store one with `switchboard nlu import FILE --activate` or `switchboard nlu train ... --activate`',
    check: (content, shownAs) => {
      parseModel(content, shownAs);
    },
  });

  nlu
    .command('calibrate')
    .description(
      'choose the thresholds of a model again for another expected out-of-scope share or target precision, from the held-out predictions it keeps (no training); write the result to --model FILE, store it as the active version with --activate, or both',
    )
    .option('--from <file>', "the model to recalibrate (default: the store's active model)")
    .option(
      '--db <path>',
      `the store whose active model is used without --from, and where --activate stores: ${DB_HELP}`,
    )
    .requiredOption('--oos-share <s>', 'the share of live messages expected to be out of scope (0 to 0.95)')
    .option(
      '--target-precision <p>',
      "precision that accepted predictions should reach (default: the model's)",
    )
    .option('--model <file>', 'where to write the recalibrated model')
    .option('--activate', 'store it as a new nlu-model version and make it the active one')
    .option('--json', 'print the summary as one JSON object')
    .action(
      async (opts: {
        from?: string;
        db?: string;
        oosShare: string;
        targetPrecision?: string;
        model?: string;
        activate?: boolean;
        json?: boolean;
      }) => {
        const share = parseOosShare(opts.oosShare, '--oos-share');
        const targetPrecision =
          opts.targetPrecision !== undefined
            ? parseProbability(opts.targetPrecision, '--target-precision')
            : undefined;
        if (opts.model === undefined && !opts.activate) {
          throw new UserError(
            'cli.bad_option',
            'where should the model go? give --model FILE, --activate (store it as the active version), or both',
            { field: '--model' },
          );
        }
        const out = opts.model !== undefined ? outputFile(opts.model, '--model', io) : null;
        const before = await resolveModel(
          { ...(opts.from !== undefined ? { model: opts.from } : {}), db: opts.db },
          io,
        );
        const after = recalibrate(before, {
          expectedOosShare: share,
          ...(targetPrecision !== undefined ? { targetPrecision } : {}),
        });
        const content = serialiseModel(after);
        if (out !== null) writeModelFile(out, after);
        let stored: SavedVersion | undefined;
        if (opts.activate) {
          const store = await openVersionStore(opts, io, 'write');
          try {
            stored = await saveVersion({
              store,
              kind: 'nlu-model',
              content,
              note: `recalibrated for ${pct(share)} out of scope${targetPrecision !== undefined ? `, target ${pct(targetPrecision)}` : ''}`,
              activate: true,
              clock,
            });
          } finally {
            await store.close();
          }
        }
        const summary = {
          model: opts.model ?? null,
          expectedOosShare: { before: before.training.options.expectedOosShare, after: share },
          targetPrecision: after.thresholds.targetPrecision,
          heldOut: { before: heldOutFigures(before), after: heldOutFigures(after) },
          ...(stored ? { stored: storedSummary(stored) } : {}),
        };
        io.stdout.write(
          opts.json
            ? `${JSON.stringify(summary)}\n`
            : `${formatCalibration(summary)}${stored ? `${formatStored(stored)}\n` : ''}`,
        );
      },
    );

  nlu
    .command('eval')
    .description(
      'evaluate a model on labelled JSON Lines: accuracy, and the precision and share answered at several out-of-scope shares',
    )
    .option('--model <file>', `${MODEL_HELP}; a file from \`nlu train\` or \`nlu export\``)
    .option('--db <path>', `the store whose active model is used without --model: ${DB_HELP}`)
    .requiredOption(
      '--data <file>',
      'labelled examples, JSON Lines (label "oos" or "in_scope": false: out of scope)',
    )
    .option(
      '--oos-data <file>',
      'more out-of-scope texts, JSON Lines {"text"}, for the figures at each out-of-scope share (messages of kinds the model never saw)',
    )
    .option('--json', 'print the report as one JSON object')
    .action(async (opts: { model?: string; db?: string; data: string; oosData?: string; json?: boolean }) => {
      const examples = readTrainingFile(resolvePath(io, opts.data), { forTraining: false });
      const foreign =
        opts.oosData !== undefined
          ? readTextsFile(io, opts.oosData, '--oos-data').map((text) => ({ text, label: OOS_LABEL }))
          : [];
      const model = await resolveModel(opts, io);
      const report = evaluateModel(model, [...examples, ...foreign]);
      io.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatEvalReport(report));
    });

  nlu
    .command('predict')
    .description(
      'read JSON Lines {"text"} on stdin, write one JSON line per non-blank input, in order, as each is read; a line that is not {"text"} gets {"line", "error"} in its place, is reported on stderr, and the command exits 2 at the end',
    )
    .option('--model <file>', `${MODEL_HELP}; a file from \`nlu train\` or \`nlu export\``)
    .option('--db <path>', `the store whose active model is used without --model: ${DB_HELP}`)
    .option('--entities <file>', 'YAML entity patterns, used instead of the ones stored in the model')
    .action(async (opts: { model?: string; db?: string; entities?: string }) => {
      const entities =
        opts.entities !== undefined ? loadEntityPatternsFile(resolvePath(io, opts.entities)) : undefined;
      const model = await resolveModel(opts, io);
      const engine = createNlu({ model, ...(entities ? { entities: entityOptionsOf(entities) } : {}) });
      const bad = await streamLines(io, (line, lineNo) => {
        const text = textOfLine(line, lineNo);
        return JSON.stringify(engine.predict(text));
      });
      if (bad.count > 0) {
        throw new UserError(
          'nlu.bad_input_lines',
          `${bad.count} line${bad.count === 1 ? ' was' : 's were'} not {"text": "..."} (the first: line ${bad.first}); the other lines were predicted`,
          { file: 'stdin' },
        );
      }
    });

  nlu
    .command('eval-detectors')
    .description(
      'accuracy of the sentiment detector and precision/recall of the human-request detector on labelled sets (default: the bundled tuning and holdout sets)',
    )
    .option(
      '--sentiment <file>',
      'your own JSON Lines {"text", "label": "negative" | "neutral" | "positive"}',
    )
    .option('--human-requests <file>', 'your own JSON Lines {"text", "requested": true | false}')
    .option('--errors', 'also list the messages each detector got wrong')
    .option('--json', 'print the results as one JSON object')
    .action((opts: { sentiment?: string; humanRequests?: string; errors?: boolean; json?: boolean }) => {
      const report = evaluateDetectors(io, opts);
      if (opts.json) {
        // One flat row per set: its name and split, then the figures (and the mistakes with --errors).
        const rows = <T extends { mistakes: unknown }>(list: { set: string; split: string; result: T }[]) =>
          list.map(({ set, split, result: { mistakes, ...figures } }) => ({
            set,
            split,
            ...figures,
            ...(opts.errors ? { mistakes } : {}),
          }));
        io.stdout.write(
          `${JSON.stringify({ sentiment: rows(report.sentiment), humanRequests: rows(report.humanRequests) })}\n`,
        );
      } else {
        io.stdout.write(formatDetectorReport(report, opts.errors === true));
      }
    });
}

interface TrainOpts {
  data?: string;
  fromStore?: boolean;
  db?: string;
  source?: string;
  minExamples: string;
  model?: string;
  out?: string;
  activate?: boolean;
  note?: string;
  entities?: string;
  seed: string;
  targetPrecision: string;
  folds: string;
  oosShare?: string;
  background?: string;
  scope?: string;
  config?: string;
  json?: boolean;
}

interface TrainingData {
  examples: LabelledText[];
  store?: {
    location: string;
    source: string | null;
    ticketsRead: number;
    categorisedTickets: number;
    minExamples: number;
    leftOut: { label: string; examples: number }[];
  };
}

/** `--model FILE` (or `--out`), or null when the model only goes to the store (`--activate`). */
function modelOutPath(opts: TrainOpts): string | null {
  if (opts.model !== undefined && opts.out !== undefined && opts.model !== opts.out) {
    throw new UserError('cli.bad_option', 'give --model or --out (the same option), not both', {
      field: '--out',
    });
  }
  const path = opts.model ?? opts.out ?? null;
  if (path === null && !opts.activate) {
    throw new UserError(
      'cli.bad_option',
      'where should the model go? give --model FILE, --activate (store it as the active version), or both',
      { field: '--model' },
    );
  }
  return path;
}

function trainingInputOf(
  opts: TrainOpts,
): { kind: 'file'; path: string } | { kind: 'store'; minExamples: number } {
  if (opts.data !== undefined && opts.fromStore) {
    throw new UserError('cli.bad_option', 'give --data FILE or --from-store, not both', {
      field: '--from-store',
    });
  }
  if (opts.data !== undefined) {
    if (opts.source !== undefined) {
      throw new UserError('cli.bad_option', '--source only applies with --from-store', { field: '--source' });
    }
    if (opts.db !== undefined && !opts.activate) {
      throw new UserError('cli.bad_option', '--db only applies with --from-store or --activate', {
        field: '--db',
      });
    }
    return { kind: 'file', path: opts.data };
  }
  if (!opts.fromStore) {
    throw new UserError(
      'cli.bad_option',
      'what should the model learn from? give --data FILE or --from-store',
      {
        field: '--data',
      },
    );
  }
  return { kind: 'store', minExamples: parsePositiveInt(opts.minExamples, '--min-examples') };
}

function parseOosShare(value: string, flag: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0 || x > 0.95) {
    throw new UserError('cli.bad_option', `expected a share from 0 to 0.95, got "${value}"`, { field: flag });
  }
  return x;
}

function parseScope(opts: TrainOpts): 'all' | 'workflows' {
  const scope = opts.scope ?? 'all';
  if (scope !== 'all' && scope !== 'workflows') {
    throw new UserError('cli.bad_option', `expected all or workflows, got "${scope}"`, { field: '--scope' });
  }
  if (scope === 'workflows' && !opts.fromStore) {
    throw new UserError('cli.bad_option', '--scope workflows only applies with --from-store', {
      field: '--scope',
    });
  }
  return scope;
}

/** `--background`: the generated everyday texts, none, or a JSON Lines file of {"text", "group"}. */
function backgroundOf(source: string, io: CliIo): { source: string; texts: BackgroundText[] } {
  if (source === 'generic') return { source, texts: generateBackgroundTexts() };
  if (source === 'none') return { source, texts: [] };
  const path = resolvePath(io, source);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      'cli.bad_option',
      `cannot read ${source}: give generic, none, or a JSON Lines file`,
      { field: '--background' },
      { cause: error },
    );
  }
  const texts: BackgroundText[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = { file: source, line: i + 1 };
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new UserError('nlu.bad_background', 'not a JSON line', where);
    }
    const r = row as { text?: unknown; group?: unknown };
    if (typeof r !== 'object' || r === null || typeof r.text !== 'string' || r.text.trim() === '') {
      throw new UserError('nlu.bad_background', 'expected {"text": "...", "group": "..."}', {
        ...where,
        field: 'text',
      });
    }
    if (r.group !== undefined && (typeof r.group !== 'string' || r.group.trim() === '')) {
      throw new UserError('nlu.bad_background', 'group must be a non-empty string', {
        ...where,
        field: 'group',
      });
    }
    texts.push({ text: r.text, group: typeof r.group === 'string' ? r.group : 'background' });
  });
  if (texts.length === 0) {
    throw new UserError('nlu.bad_background', 'the background file holds no texts', { file: source });
  }
  return { source: basename(source), texts };
}

/**
 * The intents the deployment's workflows start on (`--config`, else ./switchboard.yaml, else ./workflows), or
 * null when it has no workflows.
 */
function workflowIntentsOf(opts: TrainOpts, io: CliIo): Set<string> | null {
  const { config, baseDir } = loadDeploymentConfig({ option: opts.config, cwd: io.cwd });
  const dir = deploymentWorkflowsDir(config, baseDir);
  if (dir === null) return null;
  const { workflows } = loadWorkflowDir(dir);
  const intents = new Set(workflows.flatMap((w) => w.definition.trigger.intents));
  return intents.size > 0 ? intents : null;
}

/** `--scope workflows`: the categories no workflow serves become out-of-scope examples, grouped by category. */
function onlyWorkflowIntents(
  data: TrainingData,
  served: ReadonlySet<string> | null,
  store: Store,
): TrainingData {
  const where = { file: store.capabilities.location, field: '--scope' };
  if (served === null) {
    throw new UserError(
      'nlu.no_workflows',
      'the deployment has no workflows, so no category is in scope: give --config, or --scope all',
      where,
    );
  }
  const examples = scopeToIntents(data.examples, served);
  const intents = new Set(examples.map((e) => e.label).filter((l) => l !== OOS_LABEL));
  if (intents.size < 2) {
    throw new UserError(
      'nlu.too_few_labels',
      `training needs at least two categories the workflows serve; found ${intents.size} (${[...intents].join(', ') || 'none'}) among the workflows' intents: ${[...served].sort().join(', ')}`,
      where,
    );
  }
  return { ...data, examples };
}

function expectedShareOf(
  given: number | undefined,
  data: TrainingData,
  served: ReadonlySet<string> | null,
): ExpectedShare {
  if (given !== undefined) return { value: given, from: 'option' };
  return (
    (served !== null && data.store
      ? expectedShareFromHistory({ examples: data.examples, leftOut: data.store.leftOut, served })
      : null) ?? { value: DEFAULT_TRAIN_OPTIONS.expectedOosShare, from: 'default' }
  );
}

function fileTrainingData(io: CliIo, path: string): TrainingData {
  return { examples: readTrainingFile(resolvePath(io, path)) };
}

async function storeTrainingData(store: Store, opts: TrainOpts, minExamples: number): Promise<TrainingData> {
  const location = store.capabilities.location;
  const data = await trainingExamplesFromStore({
    store,
    minExamples,
    ...(opts.source !== undefined ? { source: opts.source } : {}),
  });
  const where = {
    file: location,
    ...(opts.source !== undefined ? { field: `source ${opts.source}` } : {}),
  };
  if (data.categorisedTickets === 0) {
    throw new UserError(
      'nlu.no_categorised_tickets',
      `no ticket in the store carries a category (${data.ticketsRead} tickets read): import tickets with categories, or train from labelled examples with --data`,
      where,
    );
  }
  const intents = new Set(data.examples.map((e) => e.label).filter((l) => l !== OOS_LABEL));
  if (intents.size < 2) {
    const left = data.leftOut.map((l) => `${l.label} (${l.examples})`).join(', ');
    throw new UserError(
      'nlu.too_few_labels',
      `training needs at least two categories with ${minExamples} or more examples; ${intents.size} left${left ? `, left out: ${left}` : ''}`,
      where,
    );
  }
  return {
    examples: data.examples,
    store: {
      location,
      source: opts.source ?? null,
      ticketsRead: data.ticketsRead,
      categorisedTickets: data.categorisedTickets,
      minExamples,
      leftOut: data.leftOut,
    },
  };
}

/** The model file's text, read once: it is both checked and stored as it is (its sha256 is the version's). */
function readModelText(io: CliIo, file: string): string {
  try {
    return readFileSync(resolvePath(io, file), 'utf8');
  } catch (error) {
    throw new UserError('nlu.model_missing', 'cannot read the model file', { file }, { cause: error });
  }
}

// Store versions. `kb` registers the same commands for its index (kb.ts imports these).

/** A kind of stored version as the `versions`, `activate` and `export` commands present it. */
export interface VersionedKind {
  kind: ArtifactKind;
  /** What a version holds, for messages: `NLU model`. */
  noun: string;
  /** How to store a first version, for messages when there is none. */
  howToStore: string;
  /** Throws a UserError naming `shownAs` when this build cannot use the content. */
  check(content: string, shownAs: string): void;
}

/**
 * The store of `--db` (see `storeLocation`). `read`: a store that does not exist is a UserError with `hint`,
 * rather than a new empty store.
 */
export async function openVersionStore(
  opts: { db?: string },
  io: CliIo,
  mode: 'read' | 'write',
  hint = CREATE_STORE_HINT,
): Promise<Store> {
  if (mode === 'read') requireStore(opts, io, hint);
  return openStoreFromOptions(opts, io);
}

export interface SavedVersion {
  info: ArtifactInfo;
  /** False when the content was the newest version's: no new version was made. */
  isNew: boolean;
}

/** Stores content as a new version of `kind` (the newest one when identical), activated when asked. */
export async function saveVersion(props: {
  store: Store;
  kind: ArtifactKind;
  content: string;
  note: string;
  activate: boolean;
  clock: Clock;
}): Promise<SavedVersion> {
  const { store, kind, content, note, activate, clock } = props;
  const newest = (await store.listArtifacts(kind))[0];
  const info = await store.saveArtifact({ kind, content, by: 'cli', note, activate, at: clock.now() });
  return { info, isNew: newest?.version !== info.version };
}

/** `stored as nlu-model v3 (active)`, or what to run to activate it. */
export function formatStored({ info, isNew }: SavedVersion): string {
  const command = info.kind === 'nlu-model' ? 'nlu' : 'kb';
  const state = info.active
    ? '(active)'
    : `(not active: \`switchboard ${command} activate ${info.version}\` makes it the active one)`;
  return `${isNew ? '' : 'already '}stored as ${info.kind} v${info.version} ${state}`;
}

export function storedSummary({ info, isNew }: SavedVersion) {
  return { kind: info.kind, version: info.version, active: info.active, sha256: info.sha256, new: isNew };
}

/** One line, so `versions` stays a table. */
export function parseNote(value: string): string {
  const note = value.trim();
  if (note === '' || /[\r\n]/.test(note) || note.length > 200) {
    throw new UserError('cli.bad_option', 'expected one line of text (at most 200 characters)', {
      field: '--note',
    });
  }
  return note;
}

/** `3` or `v3`. */
export function parseVersion(value: string, flag: string): number {
  return parsePositiveInt(value.replace(/^v/i, ''), flag);
}

/**
 * `versions`, `activate N` and `export --out FILE [--version N]` for one kind of stored version.
 *
 * @example
 * registerVersionCommands(kb, io, clock, { kind: 'kb-index', command: 'kb', noun: 'knowledge base', howToStore, check });
 */
export function registerVersionCommands(group: Command, io: CliIo, clock: Clock, spec: VersionedKind): void {
  const { kind, noun } = spec;
  const open = (opts: { db?: string }) => openVersionStore(opts, io, 'read', spec.howToStore);

  group
    .command('versions')
    .description(`the ${noun} versions in the store, newest first; * marks the active one`)
    .option('--db <path>', DB_HELP)
    .option('--json', 'one JSON array, newest first')
    .action(async (opts: { db?: string; json?: boolean }) => {
      const store = await open(opts);
      try {
        const list = await store.listArtifacts(kind);
        if (opts.json) io.stdout.write(`${JSON.stringify(list)}\n`);
        else if (list.length === 0) io.stdout.write(`no ${kind} stored yet: ${spec.howToStore}\n`);
        else io.stdout.write(formatVersions(list));
      } finally {
        await store.close();
      }
    });

  group
    .command('activate')
    .description(
      `make a stored ${noun} version the active one (a rollback is activating an older one); every process picks it up within seconds`,
    )
    .argument('<version>', 'a version number from `versions` (3 or v3)')
    .option('--db <path>', DB_HELP)
    .action(async (value: string, opts: { db?: string }) => {
      const version = parseVersion(value, 'version');
      const store = await open(opts);
      try {
        const artifact = await versionOf(store, kind, version, spec);
        if (artifact.active) {
          io.stdout.write(`${kind} v${version} is already the active one\n`);
          return;
        }
        // A version this build cannot read would leave every process without it: refused before activating.
        spec.check(artifact.content, `${kind} v${version}`);
        const was = (await store.activeArtifacts())[kind];
        await store.activateArtifact({ kind, version, by: 'cli', at: clock.now() });
        io.stdout.write(
          `${kind} v${version} is now active${was !== undefined ? ` (was v${was})` : ''}; running processes pick it up within seconds\n`,
        );
      } finally {
        await store.close();
      }
    });

  group
    .command('export')
    .description(`write the active (or a given) ${noun} version to a file`)
    .requiredOption('--out <file>', 'where to write it (written whole or not at all)')
    .option('--version <n>', 'this version instead of the active one')
    .option('--db <path>', DB_HELP)
    .action(async (opts: { out: string; version?: string; db?: string }) => {
      const version = opts.version !== undefined ? parseVersion(opts.version, '--version') : undefined;
      const out = outputFile(opts.out, '--out', io);
      const store = await open(opts);
      try {
        const artifact =
          version !== undefined
            ? await versionOf(store, kind, version, spec)
            : await store.getArtifact(kind, 'active');
        if (!artifact) {
          throw new UserError('artifact.none_active', `no active ${noun} in the store: ${spec.howToStore}`, {
            file: store.capabilities.location,
          });
        }
        writeFileAtomically(out, artifact.content);
        io.stdout.write(
          `${kind} v${artifact.version}${artifact.active ? ' (active)' : ''} -> ${opts.out} (${artifact.bytes} bytes, sha256 ${artifact.sha256.slice(0, 12)})\n`,
        );
      } finally {
        await store.close();
      }
    });
}

async function versionOf(store: Store, kind: ArtifactKind, version: number, spec: VersionedKind) {
  const artifact = await store.getArtifact(kind, version);
  if (artifact) return artifact;
  const known = (await store.listArtifacts(kind)).map((a) => `v${a.version}`);
  throw new UserError(
    'artifact.not_found',
    known.length
      ? `there is no ${kind} v${version} in the store (stored: ${known.join(', ')})`
      : `there is no ${kind} v${version} in the store, nor any other: ${spec.howToStore}`,
    { file: store.capabilities.location, field: 'version' },
  );
}

function formatVersions(list: readonly ArtifactInfo[]): string {
  const rows = list.map((a) => [
    `v${a.version}`,
    a.active ? '*' : '',
    new Date(a.createdAt).toISOString().slice(0, 16).replace('T', ' '),
    a.createdBy,
    String(a.bytes),
    a.sha256.slice(0, 12),
    a.note ?? '',
  ]);
  const header = ['version', 'active', 'created (UTC)', 'by', 'bytes', 'sha256', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

interface DetectorReport {
  sentiment: { set: string; split: 'tuning' | 'holdout' | 'yours'; result: SentimentEvaluation }[];
  humanRequests: { set: string; split: 'tuning' | 'holdout' | 'yours'; result: HumanRequestEvaluation }[];
}

function evaluateDetectors(io: CliIo, opts: { sentiment?: string; humanRequests?: string }): DetectorReport {
  const own = opts.sentiment !== undefined || opts.humanRequests !== undefined;
  const sets = own
    ? [
        ...(opts.sentiment !== undefined
          ? [
              {
                name: opts.sentiment,
                detector: 'sentiment' as const,
                split: 'yours' as const,
                path: resolvePath(io, opts.sentiment),
              },
            ]
          : []),
        ...(opts.humanRequests !== undefined
          ? [
              {
                name: opts.humanRequests,
                detector: 'human_request' as const,
                split: 'yours' as const,
                path: resolvePath(io, opts.humanRequests),
              },
            ]
          : []),
      ]
    : BUNDLED_DETECTOR_SETS;
  const report: DetectorReport = { sentiment: [], humanRequests: [] };
  for (const set of sets) {
    const text = readLabelledFile(set.path);
    if (set.detector === 'sentiment') {
      report.sentiment.push({
        set: set.name,
        split: set.split,
        result: evaluateSentimentDetector(parseSentimentJsonl(text, set.path)),
      });
    } else {
      report.humanRequests.push({
        set: set.name,
        split: set.split,
        result: evaluateHumanRequestDetector(parseHumanRequestJsonl(text, set.path)),
      });
    }
  }
  return report;
}

const fixed = (n: number | null) => (n === null ? '-' : n.toFixed(3));

function formatDetectorReport(report: DetectorReport, withErrors: boolean): string {
  const lines: string[] = [];
  if (report.sentiment.length) {
    lines.push(
      'sentiment (accuracy; per class: share of its messages labelled right / precision)',
      `${'set'.padEnd(24)} ${'split'.padEnd(8)} ${'msgs'.padStart(5)} ${'accuracy'.padStart(8)}  ${'negative'.padStart(11)}  ${'neutral'.padStart(11)}  ${'positive'.padStart(11)}`,
    );
    for (const { set, split, result: r } of report.sentiment) {
      const cls = (c: keyof SentimentEvaluation['perClass']) =>
        `${fixed(r.perClass[c].accuracy)}/${fixed(r.perClass[c].precision)}`.padStart(11);
      lines.push(
        `${set.padEnd(24)} ${split.padEnd(8)} ${String(r.messages).padStart(5)} ${fixed(r.accuracy).padStart(8)}  ${cls('negative')}  ${cls('neutral')}  ${cls('positive')}`,
      );
    }
    lines.push('');
  }
  if (report.humanRequests.length) {
    lines.push(
      'human requests',
      `${'set'.padEnd(24)} ${'split'.padEnd(8)} ${'msgs'.padStart(5)} ${'requests'.padStart(8)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'fp'.padStart(4)} ${'fn'.padStart(4)}`,
    );
    for (const { set, split, result: r } of report.humanRequests) {
      lines.push(
        `${set.padEnd(24)} ${split.padEnd(8)} ${String(r.messages).padStart(5)} ${String(r.requests).padStart(8)} ${fixed(r.precision).padStart(9)} ${fixed(r.recall).padStart(7)} ${String(r.falsePositives).padStart(4)} ${String(r.falseNegatives).padStart(4)}`,
      );
    }
    lines.push('');
  }
  if (withErrors) {
    for (const { set, result } of report.sentiment) {
      if (!result.mistakes.length) continue;
      lines.push(`${set}: wrong (expected -> got)`);
      for (const m of result.mistakes) lines.push(`  ${m.expected} -> ${m.got}  ${JSON.stringify(m.text)}`);
      lines.push('');
    }
    for (const { set, result } of report.humanRequests) {
      if (!result.mistakes.length) continue;
      lines.push(`${set}: wrong`);
      for (const m of result.mistakes) {
        lines.push(`  ${m.expected ? 'missed request ' : 'false request  '}  ${JSON.stringify(m.text)}`);
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

/**
 * Reads stdin line by line and writes one output line per non-blank input line, as soon as the input waiting has
 * been read (one write per burst, not per line: per-line writes were the slowest part of 10k predictions). A line
 * `answer` refuses with a UserError gets `{"line", "error"}` in its place, so outputs stay aligned with the
 * inputs, and is reported on stderr.
 */
async function streamLines(
  io: CliIo,
  answer: (line: string, lineNo: number) => string,
): Promise<{ count: number; first: number | null }> {
  const bad = { count: 0, first: null as number | null };
  let buffer: string[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  const flush = () => {
    if (buffer.length === 0) return;
    io.stdout.write(`${buffer.join('\n')}\n`);
    buffer = [];
  };
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      try {
        buffer.push(answer(line, lineNo));
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        bad.count++;
        bad.first ??= lineNo;
        buffer.push(JSON.stringify({ line: lineNo, error: error.message }));
        io.stderr.write(`error: ${error.describe()}\n`);
      }
      // Lines already read come through this loop without a turn of the event loop: one write for all of them.
      scheduled ??= setImmediate(() => {
        scheduled = null;
        flush();
      });
      if (buffer.length >= 256) flush();
    }
  } finally {
    lines.close();
    if (scheduled) clearImmediate(scheduled);
    flush();
  }
  return bad;
}

function textOfLine(line: string, lineNo: number, file = 'stdin'): string {
  const where = { file, line: lineNo };
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

/** JSON Lines of {"text"}: every non-blank line, or a UserError with the file and line. */
function readTextsFile(io: CliIo, file: string, flag: string): string[] {
  let content: string;
  try {
    content = readFileSync(resolvePath(io, file), 'utf8');
  } catch (error) {
    throw new UserError('cli.bad_option', `cannot read ${file}`, { field: flag }, { cause: error });
  }
  const texts: string[] = [];
  content.split('\n').forEach((line, i) => {
    if (line.trim() !== '') texts.push(textOfLine(line, i + 1, file));
  });
  return texts;
}

export interface NluEvalReport extends EvaluationReport {
  targetPrecision: number;
  /** The out-of-scope share the model's thresholds were chosen for. */
  expectedOosShare: number;
  /**
   * Precision of the accepted answers and the share answered if the traffic were this share out of scope, the
   * data's out-of-scope examples weighted to it; only 0% without any.
   */
  atShares: ShareFigures[];
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
      accepted: p.accepted,
    };
  });
  const report = evaluatePredictions(scored, OOS_LABEL);
  const target = model.thresholds.targetPrecision;
  return {
    ...report,
    targetPrecision: target,
    expectedOosShare: model.training.options.expectedOosShare,
    atShares: atOutOfScopeShares(
      scored
        .filter((s) => s.gold !== OOS_LABEL)
        .map((s) => ({ accepted: s.accepted, correct: s.predicted === s.gold })),
      scored.filter((s) => s.gold === OOS_LABEL),
    ),
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
    model: string | null;
    examples: number;
    labels: number;
    outOfScopeExamples: number;
    expectedOosShare: ExpectedShare;
    background: { source: string; examples: number; groups: string[]; dropped: string[] };
    trainingSeconds: number;
    modelBytes: number;
    entityPatterns: string[];
    fromStore?: TrainingData['store'];
  },
  model: IntentModel,
): string {
  const share = s.expectedOosShare;
  const bg = s.background;
  const shares = heldOutAtShares(model);
  const unknownShare = unknownIntentShareOf(model);
  const cv = model.cv;
  const store = s.fromStore;
  return [
    ...(store
      ? [
          `from the store ${store.location}${store.source !== null ? ` (source ${store.source})` : ''}: ${store.ticketsRead} tickets read, ${store.categorisedTickets} with a category`,
          ...(store.leftOut.length
            ? [
                `left out (fewer than ${store.minExamples} examples): ${store.leftOut.map((l) => `${l.label} (${l.examples})`).join(', ')}`,
              ]
            : []),
        ]
      : []),
    ...(s.entityPatterns.length
      ? [`entity patterns stored in the model: ${s.entityPatterns.join(', ')}`]
      : []),
    s.model !== null
      ? `model written: ${s.model} (${(s.modelBytes / 1024).toFixed(0)} KiB)`
      : `model: ${(s.modelBytes / 1024).toFixed(0)} KiB (no file written)`,
    `examples ${s.examples}, labels ${s.labels}, out-of-scope examples ${s.outOfScopeExamples}, trained in ${s.trainingSeconds} s`,
    bg.source === 'none'
      ? 'background: none'
      : `background (${bg.source}): ${bg.examples} out-of-scope texts of ${bg.groups.length} other domains${bg.dropped.length ? `; left out, as the intents claim them: ${bg.dropped.join(', ')}` : ''}`,
    `thresholds chosen for ${pct(share.value)} of messages out of scope (${
      share.from === 'option'
        ? '--oos-share'
        : share.from === 'history'
          ? `${pct(share.outside ?? 0)} of the history is outside the categories the workflows serve${(share.outside ?? 0) < share.value ? `; at least ${pct(share.value)}` : ''}`
          : 'the default; --oos-share to change it'
    })${unknownShare > 0 ? `; ${pct(unknownShare)} of that weight on simulated unknown intents` : ''}`,
    model.network
      ? `classifier: linear SVM averaged with a network (weight ${model.network.weight}): the average beat the SVM alone on the held-out folds`
      : 'classifier: linear SVM alone (the network did not beat it on the held-out folds)',
    `${cv.folds}-fold cross-validation${bg.examples > 0 ? ` (the ${bg.examples} background texts among the held-out examples)` : ''}:`,
    `  accuracy          ${pct(cv.accuracy)}`,
    `  macro-F1          ${pct(cv.macroF1)}`,
    ...(cv.oosRecall === null
      ? []
      : [`  in-scope accuracy ${pct(cv.inScopeAccuracy)}`, `  oos recall        ${pct(cv.oosRecall)}`]),
    ...(shares
      ? []
      : [
          `  accepted          ${pct(cv.coverage)} at ${pct(cv.acceptedPrecision)} precision (target ${pct(model.thresholds.targetPrecision)})`,
        ]),
    `  calibration error ${cv.expectedCalibrationError.toFixed(3)} (ECE)`,
    ...(shares
      ? [
          'held out, if this share of the messages were out of scope:',
          ...formatShares(shares, model.thresholds.targetPrecision),
        ]
      : []),
    '',
  ].join('\n');
}

/** The share-by-share table of `nlu eval`, `nlu train` and `nlu calibrate`. */
function formatShares(figures: readonly ShareFigures[], target: number): string[] {
  return [
    '  out of scope   answered   precision',
    ...figures.map(
      (f) =>
        `  ${pct(f.share).padStart(12)}   ${pct(f.answered).padStart(8)}   ${(f.precision === null ? '-' : pct(f.precision)).padStart(9)}${f.precision !== null && f.precision < target ? '  under the target' : ''}`,
    ),
  ];
}

/** What `nlu calibrate` reports of a model: its thresholds' figures on its own held-out predictions. */
function heldOutFigures(model: IntentModel) {
  return {
    coverage: model.cv.coverage,
    acceptedPrecision: model.cv.acceptedPrecision,
    atShares: heldOutAtShares(model),
  };
}

function formatCalibration(s: {
  model: string | null;
  expectedOosShare: { before: number; after: number };
  targetPrecision: number;
  heldOut: { before: ReturnType<typeof heldOutFigures>; after: ReturnType<typeof heldOutFigures> };
}): string {
  const side = (name: string, f: ReturnType<typeof heldOutFigures>, share: number) => [
    `${name}: thresholds for ${pct(share)} out of scope; on the held-out predictions:`,
    ...(f.atShares ? formatShares(f.atShares, s.targetPrecision) : ['  (no out-of-scope examples held out)']),
  ];
  return [
    ...side('before', s.heldOut.before, s.expectedOosShare.before),
    ...side('after', s.heldOut.after, s.expectedOosShare.after),
    s.model !== null ? `model written: ${s.model}` : '',
    '',
  ]
    .filter((l, i, all) => l !== '' || i === all.length - 1)
    .join('\n');
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
  lines.push(
    '',
    `if this share of the messages were out of scope (thresholds chosen for ${pct(r.expectedOosShare)}):`,
    ...formatShares(r.atShares, r.targetPrecision),
  );
  if (r.atShares.length < 2) {
    lines.push(
      '  (other shares need out-of-scope examples: label them "oos" in --data, or give --oos-data FILE)',
    );
  }
  lines.push('', 'most confused (gold -> predicted):');
  for (const p of r.confusedPairs)
    lines.push(`  ${String(p.count).padStart(4)}  ${p.gold} -> ${p.predicted}`);
  lines.push('', 'per-intent thresholds:');
  for (const [label, t] of Object.entries(r.thresholds)) lines.push(`  ${t.toFixed(3)}  ${label}`);
  lines.push('');
  return lines.join('\n');
}
