import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DEFAULT_KB_INDEX } from '../../app/knowledge.ts';
import { loadEntityPatternsFile } from '../../app/nlu-config.ts';
import { discoverTopics, loadExclusionRules, runAudit, writeAuditOutputs } from '../../audit/index.ts';
import { DEMO_ENTITIES_FILE, DEMO_KB_DIR, writeDemoFile } from '../../demo/index.ts';
import { chooseImporter, importers, openFileSource, runImport, startReading } from '../../ingest/index.ts';
import { buildKnowledgeIndex, readArticles, writeKnowledgeIndex } from '../../kb/index.ts';
import {
  DEFAULT_TRAIN_OPTIONS,
  trainIntentModel,
  trainingExamplesFromStore,
  writeModelFile,
} from '../../nlu/index.ts';
import type { Store } from '../../store/index.ts';
import type { CliIo } from '../io.ts';
import { printAuditSummary } from './audit.ts';
import { DEFAULT_MODEL_FILE } from './chat.ts';
import { openStoreFromOptions, parsePositiveInt } from './options.ts';
import { formatStats } from './stats.ts';

interface StartOpts {
  db?: string;
  tickets: string;
  seed: string;
}

/**
 * The main job (`npm start`): on an empty store, generate the demo shop's history and import it; print the
 * store's figures; audit it and print the top opportunities and where the report is. Later phases (NLU
 * training, workflows, replay) extend this command.
 */
export function registerStart(program: Command, io: CliIo): void {
  program
    .command('start')
    .description('the main job: load the demo history into an empty store, show it, audit it')
    .option('--db <path>', 'SQLite file or postgres:// URL (default: DATABASE_URL, else ./switchboard.db)')
    .option('--tickets <n>', 'size of the demo history to generate', '5000')
    .option('--seed <n>', 'seed of the demo history', '7')
    .action(async (opts: StartOpts) => {
      const tickets = parsePositiveInt(opts.tickets, '--tickets');
      const seed = parsePositiveInt(opts.seed, '--seed');
      const store = await openStoreFromOptions(opts, io);
      try {
        io.stdout.write(`Switchboard: store ${store.capabilities.location}\n`);
        let loaded = false;
        if ((await store.stats()).tickets === 0) {
          loaded = true;
          const dir = resolve(io.cwd, '.switchboard');
          mkdirSync(dir, { recursive: true });
          const file = join(dir, `demo-history-${tickets}-${seed}.csv`);
          const t0 = performance.now();
          const written = await writeDemoFile({ tickets, seed, out: file, format: 'generic' });
          io.stdout.write(
            `generated the demo shop's history: ${written.tickets} tickets, ${written.messages} messages (${file})\n`,
          );
          const source = openFileSource(file);
          const importer = chooseImporter(importers, source.head, file, undefined);
          const items = await startReading(importer, source, { mapping: {} });
          const summary = await runImport({
            store,
            items,
            format: importer.format,
            options: { source: 'demo' },
            origin: 'demo',
            rejectsPath: join(dir, 'demo-history.rejects.jsonl'),
          });
          io.stdout.write(
            `imported ${summary.imported} tickets (${summary.rejected} rejected) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n\n`,
          );
        } else {
          io.stdout.write('the store already holds tickets: skipping the demo history\n\n');
        }
        io.stdout.write(formatStats(await store.stats(), store.capabilities.location));
        io.stdout.write('\n');
        const modelFile = resolve(io.cwd, DEFAULT_MODEL_FILE);
        if (loaded || !existsSync(modelFile)) await trainDemoModel(store, modelFile, io);
        else io.stdout.write(`NLU model: ${modelFile} (kept; delete it to retrain)\n\n`);
        importDemoKnowledge(io);
        const t1 = performance.now();
        const result = await runAudit({ store, exclusions: loadExclusionRules(undefined), discoverTopics });
        const outDir = resolve(io.cwd, '.switchboard', 'audit');
        writeAuditOutputs(result, outDir, new Date());
        printAuditSummary(result, outDir, (performance.now() - t1) / 1000, io);
        io.stdout.write(
          '\ntalk to the automation: switchboard chat --customer olivia.okafor@example.net --debug\n' +
            '  (or play a scripted conversation: switchboard chat --script examples/chat/order-status-choose.yaml)\n',
        );
      } finally {
        await store.close();
      }
    });
}

/** Trains the intent model on the store's categorised tickets, with the demo shop's entity patterns. */
async function trainDemoModel(store: Store, modelFile: string, io: CliIo): Promise<void> {
  const t0 = performance.now();
  const data = await trainingExamplesFromStore({ store, minExamples: 5 });
  if (new Set(data.examples.map((e) => e.label)).size < 2) {
    io.stdout.write('NLU: fewer than two categories with 5+ tickets: no model trained\n\n');
    return;
  }
  const entities = loadEntityPatternsFile(fileURLToPath(DEMO_ENTITIES_FILE));
  const model = { ...trainIntentModel(data.examples, DEFAULT_TRAIN_OPTIONS), entities };
  mkdirSync(resolve(modelFile, '..'), { recursive: true });
  writeModelFile(modelFile, model);
  io.stdout.write(
    `trained the NLU on ${data.examples.length} tickets (${model.labels.length} intents; ` +
      `cross-validated accuracy ${(model.cv.accuracy * 100).toFixed(1)}%) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${modelFile}\n` +
      (data.leftOut.length > 0
        ? `  left out (fewer than 5 tickets): ${data.leftOut.map((l) => `${l.label} (${l.examples})`).join(', ')}\n`
        : '') +
      '\n',
  );
}

/** The demo shop's help articles into the knowledge-base index the chat's `answer` steps search. */
function importDemoKnowledge(io: CliIo): void {
  const indexPath = resolve(io.cwd, DEFAULT_KB_INDEX);
  const index = buildKnowledgeIndex(readArticles(fileURLToPath(DEMO_KB_DIR)), Date.now());
  mkdirSync(resolve(indexPath, '..'), { recursive: true });
  writeKnowledgeIndex(indexPath, index);
  io.stdout.write(
    `knowledge base: ${index.articles.length} demo articles, ${index.passages.length} passages -> ${indexPath}\n\n`,
  );
}
