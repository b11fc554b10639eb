import { existsSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { buildConnectorRegistry, builtInConnectorCatalogue } from '../../app/connectors.ts';
import type { KnowledgeSearch } from '../../app/conversation-runtime.ts';
import { runDemoTour, type TourConversation } from '../../app/demo-tour.ts';
import { DEFAULT_KB_INDEX, openKnowledge } from '../../app/knowledge.ts';
import { loadEntityPatternsFile } from '../../app/nlu-config.ts';
import { openConversations } from '../../app/open-conversations.ts';
import { replayTickets } from '../../app/replay.ts';
import { writeReplayReports } from '../../app/replay-report.ts';
import { createTurnAnalyser } from '../../app/turn-analysis.ts';
import { resolveWorkflowsDir } from '../../app/workflows-dir.ts';
import { discoverTopics, loadExclusionRules, runAudit, writeAuditOutputs } from '../../audit/index.ts';
import { DEMO_ENTITIES_FILE, DEMO_KB_DIR, writeDemoFile } from '../../demo/index.ts';
import { DEFAULT_GUARDRAILS } from '../../domain/index.ts';
import { renderHandoffMarkdown } from '../../escalation/index.ts';
import { chooseImporter, importers, openFileSource, runImport, startReading } from '../../ingest/index.ts';
import { buildKnowledgeIndex, readArticles, writeKnowledgeIndex } from '../../kb/index.ts';
import {
  DEFAULT_TRAIN_OPTIONS,
  readModelFile,
  trainIntentModel,
  trainingExamplesFromStore,
  writeModelFile,
} from '../../nlu/index.ts';
import { silentLogger, systemClock, UserError } from '../../shared/index.ts';
import type { Store } from '../../store/index.ts';
import {
  checkWorkflows,
  formatDiagnostic,
  loadWorkflowDir,
  sortDiagnostics,
  templatePlainText,
} from '../../workflows/index.ts';
import type { CliIo } from '../io.ts';
import { printAuditSummary } from './audit.ts';
import { DEFAULT_MODEL_FILE } from './chat.ts';
import { openStoreFromOptions, parsePositiveInt } from './options.ts';
import { DEFAULT_REPLAY_DIR } from './replay.ts';
import { formatStats } from './stats.ts';

/** Tickets replayed per workflow: a forecast within about +-7 points, in a few seconds for all seven. */
export const START_REPLAY_SAMPLE = 200;
const REPLAY_SEED = 1;
const TOP_OPPORTUNITIES = 5;

interface StartOpts {
  db?: string;
  tickets: string;
  seed: string;
  workflows?: string;
}

/**
 * The main job (`npm start`), the whole offline loop on the embedded default: on an empty store, generate the
 * demo shop's history and import it; print the store's figures; train the NLU; import the demo knowledge
 * base; audit the history and print the top opportunities; check the workflows; replay the history through
 * them with a forecast per workflow; play one scripted conversation per top opportunity that has a workflow
 * (one of them handed to a person, with its handoff packet); say what to do next.
 *
 * @example
 * switchboard start                      # ./switchboard.db, 5,000 tickets
 * switchboard start --tickets 600 --db /tmp/try.db
 */
export function registerStart(program: Command, io: CliIo): void {
  program
    .command('start')
    .description(
      'the main job: load the demo history into an empty store, audit it, check and replay the workflows, play demo conversations',
    )
    .option('--db <path>', 'SQLite file or postgres:// URL (default: DATABASE_URL, else ./switchboard.db)')
    .option('--tickets <n>', 'size of the demo history to generate', '5000')
    .option('--seed <n>', 'seed of the demo history', '7')
    .option('--workflows <dir>', 'workflow folder (default: ./workflows, else the demo workflows)')
    .action(async (opts: StartOpts) => {
      const tickets = parsePositiveInt(opts.tickets, '--tickets');
      const seed = parsePositiveInt(opts.seed, '--seed');
      const workflowsDir = resolveWorkflowsDir(opts.workflows, io.cwd);
      const store = await openStoreFromOptions(opts, io);
      try {
        io.stdout.write(`Switchboard: store ${store.capabilities.location}\n`);
        section(io, 'History');
        let loaded = false;
        if ((await store.stats()).tickets === 0) {
          loaded = true;
          const dir = resolve(io.cwd, '.switchboard');
          mkdirSync(dir, { recursive: true });
          const file = join(dir, `demo-history-${tickets}-${seed}.csv`);
          const t0 = performance.now();
          const written = await writeDemoFile({ tickets, seed, out: file, format: 'generic' });
          io.stdout.write(
            `generated the demo shop's history: ${written.tickets} tickets, ${written.messages} messages (${shown(file, io)})\n`,
          );
          const source = openFileSource(file);
          const importer = chooseImporter(importers, source.head, file, undefined);
          const batches = await startReading(importer, source, { mapping: {}, source: 'demo' });
          const summary = await runImport({
            store,
            batches,
            format: importer.format,
            origin: 'demo',
            rejectsPath: join(dir, 'demo-history.rejects.jsonl'),
          });
          io.stdout.write(
            `imported ${summary.imported} tickets (${summary.rejected} rejected) in ${seconds(t0)} s\n\n`,
          );
        } else {
          io.stdout.write('the store already holds tickets: skipping the demo history\n\n');
        }
        io.stdout.write(formatStats(await store.stats(), store.capabilities.location));

        section(io, 'NLU and knowledge base');
        const modelFile = resolve(io.cwd, DEFAULT_MODEL_FILE);
        const stale = !loaded && existsSync(modelFile) && !modelIsReadable(modelFile);
        if (stale)
          io.stdout.write(`NLU model: ${shown(modelFile, io)} was written by another version: retraining\n`);
        if (loaded || stale || !existsSync(modelFile)) await trainDemoModel(store, modelFile, io);
        else io.stdout.write(`NLU model: ${shown(modelFile, io)} (kept; delete it to retrain)\n`);
        importDemoKnowledge(io);

        section(io, 'Audit');
        const t1 = performance.now();
        const result = await runAudit({ store, exclusions: loadExclusionRules(undefined), discoverTopics });
        const auditDir = resolve(io.cwd, '.switchboard', 'audit');
        writeAuditOutputs(result, auditDir, new Date());
        printAuditSummary(result, auditDir, (performance.now() - t1) / 1000, io);

        const hasModel = existsSync(modelFile);
        section(io, 'Workflows');
        checkStartWorkflows({ workflowsDir, modelFile: hasModel ? modelFile : null, io });
        const replayDir = resolve(io.cwd, DEFAULT_REPLAY_DIR);
        if (hasModel) {
          const searchKnowledge = openKnowledge(resolve(io.cwd, DEFAULT_KB_INDEX)) ?? undefined;
          section(io, 'Replay of the history');
          await replayHistory({ store, modelFile, workflowsDir, searchKnowledge, outDir: replayDir, io });
          section(io, 'Demo conversations');
          await showTour({
            categories: result.categories.slice(0, TOP_OPPORTUNITIES).map((c) => c.category),
            modelFile,
            workflowsDir,
            searchKnowledge,
            io,
          });
        } else {
          io.stdout.write(
            '\nno NLU model, so no ticket routes to a workflow: skipping the replay and the demo conversations\n',
          );
        }

        section(io, 'What next');
        io.stdout.write(
          [
            '  talk to the automation   switchboard chat --customer olivia.okafor@example.net --debug',
            '  a scripted conversation  switchboard chat --script examples/chat/refund-request-happy.yaml',
            `  replay more tickets      switchboard replay --all --sample 1000   (this run: --sample ${START_REPLAY_SAMPLE} --seed ${REPLAY_SEED})`,
            `  the audit report         ${shown(resolve(auditDir, 'report.html'), io)}`,
            ...(hasModel
              ? [`  the replay report        ${shown(resolve(replayDir, 'replay.html'), io)}`]
              : []),
            '',
          ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });
}

function section(io: CliIo, title: string): void {
  io.stdout.write(`\n── ${title} ${'─'.repeat(Math.max(3, 68 - title.length))}\n\n`);
}

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/** A path relative to the working directory when it is inside it (shorter lines), else absolute. */
function shown(path: string, io: CliIo): string {
  const rel = relative(io.cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * Loads and checks the workflows as `workflows check` does (with the model's intents when there is one):
 * warnings are listed, errors end the run with every problem listed.
 */
function checkStartWorkflows(props: { workflowsDir: string; modelFile: string | null; io: CliIo }): void {
  const { workflowsDir, io } = props;
  const loaded = loadWorkflowDir(workflowsDir);
  const knownIntents = props.modelFile ? readModelFile(props.modelFile).labels : undefined;
  const diagnostics = sortDiagnostics([
    ...loaded.diagnostics,
    ...checkWorkflows({
      workflows: loaded.workflows,
      catalogue: builtInConnectorCatalogue(),
      ...(knownIntents ? { knownIntents } : {}),
    }),
  ]);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const files = new Set([...loaded.workflows.map((w) => w.file), ...loaded.diagnostics.map((d) => d.file)]);
  const warnings = diagnostics.length - errors.length;
  io.stdout.write(
    `${files.size} workflow${files.size === 1 ? '' : 's'} checked: ${errors.length} error${errors.length === 1 ? '' : 's'}` +
      `${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''} (${shown(workflowsDir, io)})\n`,
  );
  for (const d of diagnostics) io.stdout.write(`  ${formatDiagnostic(d, shown(d.file, io))}\n`);
  if (files.size === 0) {
    throw new UserError('workflows.none', `no .yaml or .yml workflow files in ${workflowsDir}`, {
      file: workflowsDir,
    });
  }
  if (errors.length > 0) {
    throw new UserError(
      'workflows.invalid',
      `the workflows in ${workflowsDir} have ${errors.length} error(s): fix them (see above), then run again`,
      { file: workflowsDir },
    );
  }
  for (const w of loaded.workflows) {
    const d = w.definition;
    io.stdout.write(
      `  ${d.id.padEnd(22)} v${d.version}  on ${d.trigger.intents.join(', ')}  (${d.steps.length} steps)\n`,
    );
  }
}

/** Replays a sample of the history per workflow as `switchboard replay --all` does, and writes its reports. */
async function replayHistory(props: {
  store: Store;
  modelFile: string;
  workflowsDir: string;
  searchKnowledge: KnowledgeSearch | undefined;
  outDir: string;
  io: CliIo;
}): Promise<void> {
  const { store, io } = props;
  const t0 = performance.now();
  // Loads the model and the workflows the way `chat` does; its runtime is not used (nothing is written).
  const { nlu, workflows } = openConversations({
    store,
    modelFile: props.modelFile,
    workflowsDir: props.workflowsDir,
  });
  const report = await replayTickets({
    store,
    analyse: createTurnAnalyser({ nlu, exclusions: loadExclusionRules() }),
    workflows,
    sample: START_REPLAY_SAMPLE,
    seed: REPLAY_SEED,
    // Built-in settings only (the demo shop in process): a replay must never reach a live system.
    connectors: buildConnectorRegistry({ config: {}, clock: systemClock, logger: silentLogger }),
    guardrails: DEFAULT_GUARDRAILS,
    clock: systemClock,
    ...(props.searchKnowledge ? { searchKnowledge: props.searchKnowledge } : {}),
  });
  const files = writeReplayReports({ report, dir: props.outDir });
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `replayed up to ${START_REPLAY_SAMPLE} past tickets per workflow (of ${report.ticketsRead}) in ${seconds(t0)} s; ` +
      'forecast automated-resolution rate with its 95% interval:',
    '',
    `  ${'workflow'.padEnd(22)} ${'tickets'.padStart(7)} ${'resolved'.padStart(8)} ${'escalated'.padStart(9)} ${'stuck'.padStart(5)} ${'error'.padStart(5)}  forecast`,
  ];
  for (const w of report.workflows) {
    const f = w.forecast;
    lines.push(
      `  ${w.workflow.padEnd(22)} ${String(w.tickets).padStart(7)} ${String(w.outcomes.resolved).padStart(8)} ` +
        `${String(w.outcomes.escalated).padStart(9)} ${String(w.outcomes.stuck).padStart(5)} ${String(w.outcomes.error).padStart(5)}  ` +
        (f ? `${pct(f.rate)} (${pct(f.low)} to ${pct(f.high)})` : 'no tickets routed here'),
    );
  }
  lines.push('', 'reports:', ...[files.markdown, files.html, files.json].map((f) => `  ${shown(f, io)}`), '');
  io.stdout.write(lines.join('\n'));
}

/** One scripted conversation per top opportunity that has a workflow, the last one handed to a person. */
async function showTour(props: {
  categories: string[];
  modelFile: string;
  workflowsDir: string;
  searchKnowledge: KnowledgeSearch | undefined;
  io: CliIo;
}): Promise<void> {
  const { io } = props;
  const { plan, conversations } = await runDemoTour({
    categories: props.categories,
    modelFile: props.modelFile,
    workflowsDir: props.workflowsDir,
    ...(props.searchKnowledge ? { searchKnowledge: props.searchKnowledge } : {}),
  });
  io.stdout.write(
    `one scripted conversation per top opportunity with a workflow, with the demo shop's customers ` +
      '(played in memory: nothing is saved)\n',
  );
  if (plan.withoutWorkflow.length > 0) {
    io.stdout.write(`no workflow yet for: ${plan.withoutWorkflow.join(', ')}\n`);
  }
  if (plan.withoutScript.length > 0) {
    io.stdout.write(`no demo script for: ${plan.withoutScript.join(', ')}\n`);
  }
  conversations.forEach((c, i) => {
    io.stdout.write(`\n${formatTourConversation(c, i + 1)}`);
  });
}

/** A conversation as `customer>` / `bot>` lines, its outcome, and the handoff packet when it escalated. */
export function formatTourConversation(c: TourConversation, n: number): string {
  const who = c.script.customer;
  const customer = who.name ? `${who.name}${who.plan ? ` (${who.plan})` : ''}` : 'an anonymous visitor';
  const out = [`${n}. ${c.category} -> ${c.workflow}: ${c.script.title}`, `   customer: ${customer}`];
  for (const line of c.lines) {
    const prefix = line.role === 'customer' ? '   customer> ' : '   bot>      ';
    const text = templatePlainText(line.text).replace(/\s*\n\s*/g, ' ');
    out.push(`${prefix}${text}`);
    line.choices?.forEach((choice, i) => {
      out.push(`             ${i + 1}. ${templatePlainText(choice)}`);
    });
  }
  if (c.status === 'resolved') out.push('   => resolved by the bot');
  else if (c.owner === 'human' && c.escalation) {
    const e = c.escalation;
    out.push(`   => handed to a person: ${e.code}, queue ${e.queue}, ${e.priority} priority`);
  } else out.push(`   => ${c.status}, owned by ${c.owner === 'human' ? 'a person' : 'the bot'}`);
  if (c.handoff) {
    out.push(
      '',
      '   --- handoff packet ---',
      ...indent(renderHandoffMarkdown(c.handoff)),
      '   --- end of handoff ---',
    );
  }
  return `${out.join('\n')}\n`;
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => (l ? `   ${l}` : ''));

/** False when the model file is of another format version (or unreadable): npm start then trains a new one. */
function modelIsReadable(path: string): boolean {
  try {
    readModelFile(path);
    return true;
  } catch (error) {
    if (error instanceof UserError) return false;
    throw error;
  }
}

/** Trains the intent model on the store's categorised tickets, with the demo shop's entity patterns. */
async function trainDemoModel(store: Store, modelFile: string, io: CliIo): Promise<void> {
  const t0 = performance.now();
  const data = await trainingExamplesFromStore({ store, minExamples: 5 });
  if (new Set(data.examples.map((e) => e.label)).size < 2) {
    io.stdout.write('NLU: fewer than two categories with 5+ tickets: no model trained\n');
    return;
  }
  const entities = loadEntityPatternsFile(fileURLToPath(DEMO_ENTITIES_FILE));
  const model = { ...trainIntentModel(data.examples, DEFAULT_TRAIN_OPTIONS), entities };
  mkdirSync(resolve(modelFile, '..'), { recursive: true });
  writeModelFile(modelFile, model);
  io.stdout.write(
    `trained the NLU on ${data.examples.length} tickets (${model.labels.length} intents; ` +
      `cross-validated accuracy ${(model.cv.accuracy * 100).toFixed(1)}%) in ${seconds(t0)} s: ${shown(modelFile, io)}\n` +
      (data.leftOut.length > 0
        ? `  left out (fewer than 5 tickets): ${data.leftOut.map((l) => `${l.label} (${l.examples})`).join(', ')}\n`
        : ''),
  );
}

/** The demo shop's help articles into the knowledge-base index the chat's `answer` steps search. */
function importDemoKnowledge(io: CliIo): void {
  const indexPath = resolve(io.cwd, DEFAULT_KB_INDEX);
  const index = buildKnowledgeIndex(readArticles(fileURLToPath(DEMO_KB_DIR)), Date.now());
  mkdirSync(resolve(indexPath, '..'), { recursive: true });
  writeKnowledgeIndex(indexPath, index);
  io.stdout.write(
    `knowledge base: ${index.articles.length} demo articles, ${index.passages.length} passages -> ${shown(indexPath, io)}\n`,
  );
}
