import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { replayConnectors } from '../../app/connectors.ts';
import { writeDemoConfig } from '../../app/demo-deployment.ts';
import { runDemoTour } from '../../app/demo-tour.ts';
import { type Deployment, openStore, SIMULATED_AGENT_EMAIL } from '../../app/index.ts';
import { loadEntityPatternsFile } from '../../app/nlu-config.ts';
import { discoverTopics, loadExclusionRules, runAudit, writeAuditOutputs } from '../../audit/index.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { DEMO_ENTITIES_FILE, DEMO_KB_DIR, writeDemoFile } from '../../demo/index.ts';
import { prepareDemoInbox, type TourConversation } from '../../demo-tour/index.ts';
import { GuardrailConfigSchema } from '../../domain/index.ts';
import { renderHandoffMarkdown } from '../../escalation/index.ts';
import { chooseImporter, importers, openFileSource, runImport, startReading } from '../../ingest/index.ts';
import { buildKnowledgeIndex, readArticles, serialiseKnowledgeIndex } from '../../kb/index.ts';
import {
  DEFAULT_TRAIN_OPTIONS,
  expectedShareFromHistory,
  generateBackgroundTexts,
  type IntentModel,
  OOS_LABEL,
  serialiseModel,
  trainIntentModel,
  trainingExamplesFromStore,
} from '../../nlu/index.ts';
import { replaySummaryTable, replayTickets, writeReplayReports } from '../../replay/index.ts';
import { systemClock, UserError } from '../../shared/index.ts';
import {
  checkWorkflows,
  formatDiagnostic,
  loadWorkflowDir,
  sortDiagnostics,
  templatePlainText,
} from '../../workflows/index.ts';
import type { CliIo } from '../io.ts';
import { progressBar } from '../progress.ts';
import { printAuditSummary } from './audit.ts';
import {
  DB_HELP,
  openDeploymentFromOptions,
  outputFile,
  outputFolder,
  parsePort,
  parsePositiveInt,
  shownPath,
} from './options.ts';
import { DEFAULT_REPLAY_DIR, replayKnowledge, replayProgress } from './replay.ts';
import { runSimulateCommand, simulationSummaryLines } from './simulate.ts';
import { formatStats } from './stats.ts';

/** Tickets replayed per workflow: a forecast within about +-7 points, in a few seconds for all seven. */
export const START_REPLAY_SAMPLE = 200;
const REPLAY_SEED = 1;
const TOP_OPPORTUNITIES = 5;

interface StartOpts {
  config?: string;
  db?: string;
  tickets: string;
  seed: string;
  workflows?: string;
  serve: boolean;
  host?: string;
  port?: string;
}

/** The note on the demo knowledge base's versions: `start` only replaces a knowledge base it imported itself. */
const DEMO_KB_NOTE = 'the demo shop help articles (switchboard start)';

/**
 * The main job (`npm start`), the whole loop on the embedded default: with no `switchboard.yaml`, write the demo
 * deployment's; on an empty store, generate the demo shop's history and import it; print the store's figures;
 * train the NLU and import the demo knowledge base (both as versions in the store); audit the history and print
 * the top opportunities; check the workflows; replay the history through them with a forecast per workflow;
 * play one scripted conversation per top opportunity that has a workflow (one handed to a person, with its
 * handoff packet); then serve the deployment (HTTP API, widget, demo page) until Ctrl-C, unless `--no-serve`.
 *
 * @example
 * switchboard start                      # ./switchboard.yaml (written if missing), 5,000 tickets, then serves
 * switchboard start --tickets 600 --db /tmp/try.db --no-serve
 */
export function registerStart(program: Command, io: CliIo): void {
  program
    .command('start')
    .description(
      'the main job: the demo history in an empty store, its audit, the workflows checked and replayed, demo conversations, then the service',
    )
    .option(
      '--config <file>',
      `deployment configuration (default: ./${DEFAULT_CONFIG_FILE}, written if missing)`,
    )
    .option('--db <path>', DB_HELP)
    .option('--tickets <n>', 'size of the demo history to generate', '5000')
    .option('--seed <n>', 'seed of the demo history', '7')
    .option('--workflows <dir>', "workflow folder (default: the configuration's)")
    .option('--no-serve', 'run the loop and exit, without starting the service')
    .option('--host <host>', "the service's address (default: the configuration's, 127.0.0.1)")
    .option('--port <n>', "the service's port (default: the configuration's, 8080)")
    .action(async (opts: StartOpts) => {
      const tickets = parsePositiveInt(opts.tickets, '--tickets');
      const seed = parsePositiveInt(opts.seed, '--seed');
      const port = opts.port !== undefined ? parsePort(opts.port) : undefined;
      // Everything start writes, checked before it writes anything.
      const workDir = outputFolder('.switchboard', 'the working folder', io);
      const wrote = ensureConfig(opts, io);
      const startedAt = performance.now();
      const deployment = await openDeploymentFromOptions(opts, io, undefined, { workflowCheck: 'report' });
      let serving = false;
      try {
        const { store } = deployment;
        io.stdout.write(`Switchboard: store ${store.capabilities.location}\n`);
        if (wrote)
          io.stdout.write(`wrote ${wrote}: the demo deployment (demo shop, demo workflows, demo page)\n`);
        section(io, 'History');
        let loaded = false;
        if ((await store.stats()).tickets === 0) {
          loaded = true;
          mkdirSync(workDir, { recursive: true });
          const file = join(workDir, `demo-history-${tickets}-${seed}.csv`);
          const t0 = performance.now();
          const generating = progressBar(io, tickets, 'tickets', { label: 'generate', show: 'count' });
          const written = await writeDemoFile({
            tickets,
            seed,
            out: file,
            format: 'generic',
            onProgress: (done) => generating.update(done),
          }).finally(generating.stop);
          io.stdout.write(
            `generated the demo shop's history: ${written.tickets} tickets, ${written.messages} messages (${shownPath(file, io)})\n`,
          );
          const source = openFileSource(file);
          const importer = chooseImporter(importers, source.head, file, undefined);
          const batches = await startReading(importer, source, { mapping: {}, source: 'demo' });
          const importing = progressBar(io, source.sizeBytes, 'records', { label: 'import' });
          const summary = await runImport({
            store,
            batches,
            format: importer.format,
            origin: 'demo',
            rejectsPath: join(workDir, 'demo-history.rejects.jsonl'),
            onProgress: (p) => importing.update(p.bytesRead, { records: p.read }),
          }).finally(importing.stop);
          io.stdout.write(
            `imported ${summary.imported} tickets (${summary.rejected} rejected) in ${seconds(t0)} s\n\n`,
          );
        } else {
          io.stdout.write('the store already holds tickets: skipping the demo history\n\n');
        }
        io.stdout.write(formatStats(await store.stats(), store.capabilities.location));

        section(io, 'NLU and knowledge base');
        const active = deployment.versions().nlu;
        const problem = deployment.problems().nlu;
        if (problem)
          io.stdout.write(`NLU model: v${active} in the store was written by another version: retraining\n`);
        if (loaded || problem || active === null) await trainDemoModel(deployment, io);
        else
          io.stdout.write(
            `NLU model: v${active} in the store (kept; \`switchboard nlu train --from-store --activate\` retrains)\n`,
          );
        await importDemoKnowledge(deployment, io);
        await deployment.reload();

        section(io, 'Audit');
        const t1 = performance.now();
        const auditing = progressBar(io, (await store.stats()).tickets, 'tickets', { label: 'audit' });
        const result = await runAudit({
          store,
          exclusions: loadExclusionRules(undefined),
          discoverTopics,
          onProgress: (done) => auditing.update(done, { records: done }),
        }).finally(auditing.stop);
        const auditDir = resolve(io.cwd, '.switchboard', 'audit');
        writeAuditOutputs(result, auditDir, new Date(), {
          redact: deployment.config.privacy?.redact ?? true,
        });
        printAuditSummary(result, auditDir, (performance.now() - t1) / 1000, io);

        const hasModel = deployment.nlu() !== null;
        section(io, 'Workflows');
        checkStartWorkflows({ deployment, io });
        const replayDir = resolve(io.cwd, DEFAULT_REPLAY_DIR);
        if (hasModel) {
          section(io, 'Replay of the history');
          await replayHistory({ deployment, outDir: replayDir, io });
          section(io, 'Demo conversations');
          await showTour({
            categories: result.categories.slice(0, TOP_OPPORTUNITIES).map((c) => c.category),
            deployment,
            io,
          });
        } else {
          io.stdout.write(
            '\nno NLU model, so no ticket routes to a workflow: skipping the replay and the demo conversations\n',
          );
        }

        let demoAgent: { email: string; password: string } | null = null;
        if (hasModel) {
          section(io, 'The agent inbox');
          const inbox = await prepareDemoInbox({
            people: deployment.people,
            store: deployment.store,
            conversations: deployment.conversations,
            drain: () => deployment.createRunner().drain(),
          });
          demoAgent = { email: inbox.email, password: inbox.password };
          io.stdout.write(
            `${inbox.waiting} escalated conversation(s) wait in the inbox, each with its handoff packet\n` +
              `demo agent: ${inbox.email}, password ${inbox.password} (new on every run; add your own people with switchboard users add)\n`,
          );
        }
        if (hasModel) {
          section(io, 'A few simulated days');
          await simulateDemoDays({ opts, io, deployment });
        }
        io.stdout.write(
          `\nthe loop took ${seconds(startedAt)} s: ${startSummary({ loaded, hasModel, categories: result.categories.length })}\n`,
        );
        section(io, 'What next');
        io.stdout.write(
          [
            '  talk to the automation   switchboard chat --customer olivia.okafor@example.net --debug',
            '  a scripted conversation  switchboard chat --script examples/chat/refund-request-happy.yaml',
            `  replay more tickets      switchboard replay --all --sample 1000   (this run: --sample ${START_REPLAY_SAMPLE} --seed ${REPLAY_SEED})`,
            '  your own workflows       switchboard workflows init   (a copy of the demo ones to edit)',
            `  the audit report         ${shownPath(resolve(auditDir, 'report.html'), io)}`,
            ...(hasModel
              ? [`  the replay report        ${shownPath(resolve(replayDir, 'replay.html'), io)}`]
              : []),
            ...(opts.serve
              ? []
              : [
                  '  the service              switchboard serve   (the API, the chat widget and the demo page)',
                ]),
            '',
          ].join('\n'),
        );
        if (opts.serve) {
          serving = true;
          await serveUntilStopped({
            deployment,
            io,
            ...(demoAgent ? { demoAgent } : {}),
            ...(opts.host ? { host: opts.host } : {}),
            ...(port !== undefined ? { port } : {}),
          });
        }
      } finally {
        if (!serving) await deployment.close();
      }
    });
}

/** What `start` simulates when the store has no simulated days yet: enough for the dashboard, in a few seconds. */
const START_SIMULATION = { days: 3, perDay: 12, seed: 1 } as const;

/**
 * The last few days played through the live service (`switchboard simulate`, short), so the dashboard, the reports
 * and the review have days to show; once per store (the simulated agent's account marks it).
 */
async function simulateDemoDays(props: {
  opts: StartOpts;
  io: CliIo;
  deployment: Deployment;
}): Promise<void> {
  const { opts, io } = props;
  if (await props.deployment.store.findUser({ email: SIMULATED_AGENT_EMAIL })) {
    io.stdout.write(
      'the store already holds simulated days: skipping (switchboard simulate --days 14 plays more)\n',
    );
    return;
  }
  const t0 = performance.now();
  const result = await runSimulateCommand({
    opts: {
      ...(opts.config !== undefined ? { config: opts.config } : {}),
      ...(opts.db !== undefined ? { db: opts.db } : {}),
      ...(opts.workflows !== undefined ? { workflows: opts.workflows } : {}),
      retrain: false,
      // The demo deployment's workflows stay live for everyone: the short simulation starts no pilot.
      pilots: false,
    },
    io,
    ...START_SIMULATION,
  });
  io.stdout.write(
    `${simulationSummaryLines(result).join('\n')}\nin ${seconds(t0)} s; the dashboard shows them (switchboard simulate --days 14 plays a fortnight)\n`,
  );
}

/** Writes the demo deployment's configuration when no configuration is named and none exists; says which file. */
function ensureConfig(opts: StartOpts, io: CliIo): string | null {
  if (opts.config !== undefined) return null;
  const file = resolve(io.cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(file)) return null;
  outputFile(file, 'the working folder', io);
  writeDemoConfig(file, { db: 'switchboard.db', port: 8080 });
  return shownPath(file, io);
}

/** What the loop did, in a few words, for its one-line summary. */
function startSummary(props: { loaded: boolean; hasModel: boolean; categories: number }): string {
  return [
    props.loaded ? 'demo history imported' : 'the store kept',
    props.hasModel ? 'NLU active' : 'no NLU model',
    `${props.categories} categories audited`,
    ...(props.hasModel ? ['workflows replayed', 'demo conversations played'] : []),
  ].join(', ');
}

function section(io: CliIo, title: string): void {
  io.stdout.write(`\n── ${title} ${'─'.repeat(Math.max(3, 68 - title.length))}\n\n`);
}

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/**
 * Loads and checks the workflows as `workflows check` does, against the deployment's connectors and its model's
 * intents: warnings are listed, errors end the run with every problem listed.
 */
function checkStartWorkflows(props: { deployment: Deployment; io: CliIo }): void {
  const { deployment, io } = props;
  const workflowsDir = deployment.workflowsDir;
  if (!workflowsDir) {
    throw new UserError(
      'workflows.none',
      'this deployment has no workflows: set workflows: { dir: ... } (or demo: true) in switchboard.yaml',
      { field: 'workflows' },
    );
  }
  const loaded = loadWorkflowDir(workflowsDir);
  const knownIntents = deployment.nlu()?.model.labels;
  const diagnostics = sortDiagnostics([
    ...loaded.diagnostics,
    ...checkWorkflows({
      workflows: loaded.workflows,
      catalogue: deployment.connectors.catalogue(),
      ...(knownIntents ? { knownIntents } : {}),
    }),
  ]);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const files = new Set([...loaded.workflows.map((w) => w.file), ...loaded.diagnostics.map((d) => d.file)]);
  const warnings = diagnostics.length - errors.length;
  io.stdout.write(
    `${files.size} workflow${files.size === 1 ? '' : 's'} checked: ${errors.length} error${errors.length === 1 ? '' : 's'}` +
      `${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''} (${shownPath(workflowsDir, io)})\n`,
  );
  for (const d of diagnostics) io.stdout.write(`  ${formatDiagnostic(d, shownPath(d.file, io))}\n`);
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
async function replayHistory(props: { deployment: Deployment; outDir: string; io: CliIo }): Promise<void> {
  const { deployment, io } = props;
  const t0 = performance.now();
  const knowledge = await replayKnowledge(deployment);
  const progress = replayProgress(io);
  const report = await replayTickets({
    store: deployment.store,
    analyse: deployment.analyse,
    workflows: [...deployment.workflows],
    sample: START_REPLAY_SAMPLE,
    seed: REPLAY_SEED,
    // Never a live system: the demo shop in process when the deployment has it, nothing else.
    connectors: replayConnectors({
      config: deployment.config,
      clock: systemClock,
      logger: deployment.logger,
    }),
    guardrails: GuardrailConfigSchema.parse(deployment.config.guardrails ?? {}),
    clock: systemClock,
    openScratchStore: () => openStore({ db: ':memory:' }),
    ...knowledge,
    onProgress: progress.update,
  }).finally(progress.stop);
  const files = writeReplayReports({
    report,
    dir: props.outDir,
    redact: deployment.config.privacy?.redact ?? true,
  });
  const lines = [
    `replayed up to ${START_REPLAY_SAMPLE} past tickets per workflow (of ${report.ticketsRead}) in ${seconds(t0)} s; ` +
      'tickets per outcome and the forecast automated-resolution rate with its 95% interval, without the ' +
      'resolutions that rest on assumptions (an assumed yes, an entity taken from elsewhere in the ticket) and with them:',
    '',
    ...replaySummaryTable(report, 'columns')
      .split('\n')
      .map((line) => `  ${line}`),
  ];
  lines.push(
    '',
    'reports:',
    ...[files.markdown, files.html, files.json].map((f) => `  ${shownPath(f, io)}`),
    '',
  );
  io.stdout.write(lines.join('\n'));
}

/** One scripted conversation per top opportunity that has a workflow, the last one handed to a person. */
async function showTour(props: { categories: string[]; deployment: Deployment; io: CliIo }): Promise<void> {
  const { io, deployment } = props;
  const { plan, conversations } = await runDemoTour({
    categories: props.categories,
    analyse: deployment.analyse,
    workflows: deployment.workflows,
    searchKnowledge: deployment.knowledge(),
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

/** Trains the intent model on the store's categorised tickets, with the demo shop's entity patterns, and activates it. */
async function trainDemoModel(deployment: Deployment, io: CliIo): Promise<void> {
  const t0 = performance.now();
  const data = await trainingExamplesFromStore({ store: deployment.store, minExamples: 5 });
  if (new Set(data.examples.map((e) => e.label)).size < 2) {
    io.stdout.write('NLU: fewer than two categories with 5+ tickets: no model trained\n');
    return;
  }
  const entities = loadEntityPatternsFile(fileURLToPath(DEMO_ENTITIES_FILE));
  // As `nlu train --from-store` does: calibrated for the share of the history outside the workflows, with the
  // generated background of other domains as out-of-scope examples.
  const served = new Set(deployment.workflows.flatMap((w) => w.trigger.intents));
  const share = expectedShareFromHistory({ examples: data.examples, leftOut: data.leftOut, served });
  const progress = progressBar(io, 1, 'steps', { label: 'training', show: 'count' });
  let trained: IntentModel;
  try {
    trained = trainIntentModel(
      data.examples,
      { ...DEFAULT_TRAIN_OPTIONS, ...(share ? { expectedOosShare: share.value } : {}) },
      {
        onProgress: (done, total) => progress.update(done, { total }),
        background: generateBackgroundTexts(),
      },
    );
  } finally {
    progress.stop();
  }
  const model = { ...trained, entities };
  const saved = await deployment.store.saveArtifact({
    kind: 'nlu-model',
    content: serialiseModel(model),
    by: 'start',
    note: `trained on ${data.examples.length} demo tickets`,
    activate: true,
    at: Date.now(),
  });
  io.stdout.write(
    `trained the NLU on ${data.examples.length} tickets (${model.labels.filter((l) => l !== OOS_LABEL).length} intents; ` +
      `cross-validated accuracy ${(model.cv.inScopeAccuracy * 100).toFixed(1)}%; thresholds for ${Math.round(model.training.options.expectedOosShare * 100)}% of messages out of scope) in ${seconds(t0)} s: nlu-model v${saved.version} in the store (active)\n` +
      (data.leftOut.length > 0
        ? `  left out (fewer than 5 tickets): ${data.leftOut.map((l) => `${l.label} (${l.examples})`).join(', ')}\n`
        : ''),
  );
}

/**
 * The demo shop's help articles as the active knowledge base, unless the store's active one is another (a team's
 * own): then it is left alone. Importing the same articles again stores no new version.
 */
async function importDemoKnowledge(deployment: Deployment, io: CliIo): Promise<void> {
  const { store } = deployment;
  const active = await store.getArtifact('kb-index', 'active');
  if (active && active.note !== DEMO_KB_NOTE) {
    io.stdout.write(`knowledge base: kb-index v${active.version} in the store (yours: kept)\n`);
    return;
  }
  // A fixed build time: the same articles give the same content, so a second run stores no new version.
  const index = buildKnowledgeIndex(readArticles(fileURLToPath(DEMO_KB_DIR)), 0);
  const saved = await store.saveArtifact({
    kind: 'kb-index',
    content: serialiseKnowledgeIndex(index),
    by: 'start',
    note: DEMO_KB_NOTE,
    activate: true,
    at: Date.now(),
  });
  io.stdout.write(
    `knowledge base: ${index.articles.length} demo articles, ${index.passages.length} passages: kb-index v${saved.version} in the store (active)\n`,
  );
}

/**
 * Serves the deployment until SIGINT or SIGTERM: the HTTP API, the widget, the demo page, and the jobs.
 */
async function serveUntilStopped(props: {
  demoAgent?: { email: string; password: string };
  deployment: Deployment;
  io: CliIo;
  host?: string;
  port?: number;
}): Promise<void> {
  const { serveDeployment } = await import('./serve.ts');
  await serveDeployment({ ...props, tryThis: true });
}
